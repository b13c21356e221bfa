/**
 * Cursor connections (edges, pageInfo) for the paged lists: one builder, one PageInfo. The lists
 * are keyset pages newest first (src/store/read/list.ts), so only forward paging is offered.
 */
import type { ObjectRef } from "@pothos/core";
import type { Edge, Page, PageInfo } from "../store/read/index.js";
import { builder, type SchemaTypes } from "./builder.js";

const PageInfoRef = builder.objectRef<PageInfo>("PageInfo").implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    endCursor: t.exposeString("endCursor", {
      nullable: true,
      description: "Pass as `after` for the next page.",
    }),
  }),
});

/** `<name>Connection` and `<name>Edge` for a node type. */
export function connection<T>(name: string, node: ObjectRef<SchemaTypes, T>) {
  const edge = builder.objectRef<Edge<T>>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString("cursor"),
      node: t.expose("node", { type: node }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.expose("edges", { type: [edge] }),
      pageInfo: t.expose("pageInfo", { type: PageInfoRef }),
    }),
  });
}
