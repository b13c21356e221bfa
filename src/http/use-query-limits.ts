import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import type { GraphQLError, ValidationContext } from "graphql";
import { createGraphQLError } from "@graphql-tools/utils";
import type { Plugin, YogaInitialContext } from "graphql-yoga";
import { errorCodes, type ErrorCode } from "../domain/errorCodes.js";

export interface QueryLimitsOptions {
  /**
   * The deepest selection accepted (RTTM_GRAPHQL_MAX_DEPTH); introspection is exempt.
   * @default 8
   */
  maxDepth?: number;
  /**
   * The highest cost accepted (RTTM_GRAPHQL_MAX_COST): objects 2, scalars 1, nested fields × 1.5,
   * a list multiplied by its `first`.
   * @default 5000
   */
  maxCost?: number;
}

/**
 * Reports a refusal of graphql-armor as a validation error with its own code and HTTP 400.
 * graphql-armor throws `Syntax Error: …` without a code, although nothing is wrong with the syntax.
 */
function refuseAs(code: ErrorCode, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(
      createGraphQLError(error.message.replace(/^Syntax Error: /, ""), {
        // spec: false: HTTP 400 whatever the Accept header (Yoga keeps 200 for spec validation errors to application/json).
        extensions: { code, limit, http: { status: 400, spec: false } },
      }),
    );
  };
}

/**
 * Refuses operations that are too deep (QUERY_TOO_DEEP) or too costly (QUERY_TOO_COMPLEX) before
 * they run, over HTTP and WebSocket alike (both validate through Yoga's envelop).
 */
export function useQueryLimits({ maxDepth = 8, maxCost = 5_000 }: QueryLimitsOptions = {}): Plugin {
  const depth = maxDepthPlugin<YogaInitialContext>({
    n: maxDepth,
    ignoreIntrospection: true,
    propagateOnRejection: false,
    onReject: [refuseAs(errorCodes.QUERY_TOO_DEEP, maxDepth)],
  });
  const cost = costLimitPlugin<YogaInitialContext>({
    maxCost,
    propagateOnRejection: false,
    onReject: [refuseAs(errorCodes.QUERY_TOO_COMPLEX, maxCost)],
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(depth);
      addPlugin(cost);
    },
  };
}
