import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError, parse } from "graphql";
import { MessageType, stringifyMessage } from "graphql-ws";
import { nextFrameHead, nextFramePayload } from "../../src/live/graphqlWsFrames.js";

/** What graphql-ws's server sends for `result` on subscription `id` (its emit.next, without hooks). */
function graphqlWsFrame(id: string, result: Parameters<typeof nextFramePayload>[0]): string {
  const { errors, ...withoutErrors } = result;
  return stringifyMessage({
    id,
    type: MessageType.Next,
    payload: { ...withoutErrors, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) },
  });
}

const frame = (id: string, result: Parameters<typeof nextFramePayload>[0]) =>
  Buffer.concat([nextFrameHead(id), nextFramePayload(result)]).toString();

test("a next frame from head and shared payload is byte-identical to graphql-ws's, for data", () => {
  const result = {
    data: { dlqOverview: { asOf: "2026-01-01T00:00:00.000Z", total: 3, lastEventTime: null } },
  };
  for (const id of ["1", "a-b-c", 'quote"and\\slash', "ünïcødé ✓", "x".repeat(300)])
    assert.equal(frame(id, result), graphqlWsFrame(id, result), id);
});

test("byte-identical with errors (locations, path, extensions) and partial data", () => {
  const document = parse('subscription { trade(tradeId: "x") { tradeId } }');
  const error = new GraphQLError("tradeId must be a UUID", {
    nodes: document.definitions,
    path: ["trade"],
    extensions: { code: "BAD_USER_INPUT", argument: "tradeId" },
  });
  assert.ok(error.locations?.length, "the error carries locations");
  const withData = { data: null, errors: [error] };
  assert.equal(frame("7", withData), graphqlWsFrame("7", withData));
  const onlyErrors = { errors: [error, new GraphQLError("second")] };
  assert.equal(frame("8", onlyErrors), graphqlWsFrame("8", onlyErrors));
  const withExtensions = { data: { a: 1 }, extensions: { cost: 5 } };
  assert.equal(frame("9", withExtensions), graphqlWsFrame("9", withExtensions));
});
