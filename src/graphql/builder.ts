import { createGraphQLError } from "@graphql-tools/utils";
import SchemaBuilder from "@pothos/core";
import { GraphQLError, Kind } from "graphql";
import type { GraphQLContext } from "./context.js";
import { errorCodes } from "../domain/errorCodes.js";

export interface RttmSchemaTypes {
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Long: { Input: bigint; Output: bigint | number };
  };
}

/** The builder's types as Pothos completes them (for refs passed between schema files). */
export type SchemaTypes = PothosSchemaTypes.ExtendDefaultTypes<RttmSchemaTypes>;

export const builder = new SchemaBuilder<RttmSchemaTypes>({ defaultFieldNullability: false });

builder.scalarType("DateTime", {
  description: "An instant in UTC, as an ISO-8601 string (e.g. 2026-11-27T14:05:09.123Z).",
  serialize: (value) =>
    value instanceof Date ? value.toISOString() : new Date(value).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING)
      throw createGraphQLError("DateTime must be an ISO-8601 string", {
        extensions: { code: errorCodes.BAD_USER_INPUT },
      });
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  const date =
    typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? new Date(value)
      : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw createGraphQLError(`DateTime ${JSON.stringify(value)} is not an ISO-8601 date-time`, {
      extensions: { code: errorCodes.BAD_USER_INPUT },
    });
  }
  return date;
}

builder.scalarType("Long", {
  description:
    "A 64-bit integer (Kafka offsets, lag), serialised as a JSON number; exact up to 2^53.",
  serialize: (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n))
      throw new GraphQLError(`Long ${String(value)} exceeds 2^53 and cannot be sent exactly`);
    return n;
  },
  parseValue: (value) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      throw createGraphQLError("Long must be a whole number", {
        extensions: { code: errorCodes.BAD_USER_INPUT },
      });
    return BigInt(value);
  },
});

builder.queryType({
  description:
    "Dashboard views. Every windowed number says its window; windows default to the old service's.",
});
builder.subscriptionType({
  description:
    "Live views over graphql-ws (/ws/rttm/*): the current value first, then each change; a slow client gets the latest value only.",
});
