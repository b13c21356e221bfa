import type { DefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Histogram } from "prom-client";

export interface TimingOptions {
  /**
   * Where each execution's duration goes, in seconds, labelled by operation type and name.
   * @default none (required)
   */
  histogram: Histogram<string>;
}

/** Observes how long each GraphQL execution takes (subscriptions: until their first result). */
export function useTiming({ histogram }: TimingOptions): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const operation = args.document.definitions.find(
        (d: DefinitionNode) => d.kind === "OperationDefinition",
      );
      const labels = {
        operation_type: operation && "operation" in operation ? operation.operation : "unknown",
        operation_name: (operation && "name" in operation && operation.name?.value) || "anonymous",
      };
      return {
        onExecuteDone: () => histogram.observe(labels, (performance.now() - started) / 1000),
      };
    },
  };
}
