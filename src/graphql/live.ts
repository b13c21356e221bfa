import type { InputFieldMap, InputShapeFromFields } from "@pothos/core";
import type { SnapshotSource } from "../live/index.js";
import type { GraphQLContext } from "./context.js";

/**
 * The arguments and resolvers of a subscription served by the live hub: the snapshot now, then
 * again whenever it changes; one computation per distinct source however many subscribe.
 */
export function fromLiveHub<Args extends InputFieldMap, T>(
  args: Args,
  source: (args: InputShapeFromFields<Args>, ctx: GraphQLContext) => SnapshotSource<T>,
) {
  return {
    args,
    subscribe: (_root: unknown, values: InputShapeFromFields<Args>, ctx: GraphQLContext) =>
      ctx.hub.subscribe(source(values, ctx)),
    resolve: (value: T) => value,
  };
}
