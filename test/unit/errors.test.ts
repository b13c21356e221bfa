import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError, parse } from "graphql";
import { AlertAlreadyResolvedError, AlertNotFoundError } from "../../src/alerts/errors.js";
import type { AlertRecord } from "../../src/domain/alerts.js";
import { ConfigError } from "../../src/config/index.js";
import { errorCodes, internalErrorCodes, isApiErrorCode } from "../../src/domain/errorCodes.js";
import { isRttmError, RttmError } from "../../src/domain/errors.js";
import { errorMasking } from "../../src/http/error-masking.js";
import { forbidden, unauthenticated } from "../../src/http/identity/errors.js";
import { refusalStatus } from "../../src/http/identity/refusal.js";
import { refusalCloseCode } from "../../src/http/identity/socket.js";
import { RecordRejected } from "../../src/ingest/validate.js";
import { springStatusOf } from "../../src/legacy/springError.js";
import { InvalidInputError } from "../../src/store/read/errors.js";

test("every error RTTM raises is an RttmError with a catalogued code, retriable and its fields", () => {
  const errors = [
    new InvalidInputError("first", "first must be at most 500"),
    new AlertNotFoundError("42"),
    new ConfigError(['PORT="x" is not allowed']),
    new RecordRejected("RECORD_BAD_FRAMING", "empty value"),
    unauthenticated("missing bearer token"),
    forbidden("token_type SERVICE"),
  ];
  const catalogue = { ...errorCodes, ...internalErrorCodes };
  for (const err of errors) {
    assert.ok(err instanceof RttmError && isRttmError(err), err.name);
    assert.equal(catalogue[err.code], err.code);
    assert.equal(err.retriable, false);
  }
  assert.equal(errors[0]!.argument, "first");
  assert.equal(errors[1]!.alertId, "42");
  assert.deepEqual(errors[2]!.problems, ['PORT="x" is not allowed']);
  const outage = new RttmError("JWKS_UNAVAILABLE", "HTTP 503", { retriable: true });
  assert.equal(outage.retriable, true);
});

test("isRttmError decides by code, never by message", () => {
  const err = new InvalidInputError("tradeId", "Command timed out");
  assert.ok(isRttmError(err, "BAD_USER_INPUT"));
  assert.ok(!isRttmError(err, "REDIS_TIMEOUT", "UNAUTHENTICATED"));
  assert.ok(!isRttmError(new Error("Command timed out")));
  assert.ok(!isRttmError({ code: "BAD_USER_INPUT", message: "looks like one" }));
});

test("fields never set are absent (not undefined) so logs and extensions carry only what is known", () => {
  const err = new RttmError("EVENT_INVALID", "trade_id is not a UUID", {
    field: "trade_id",
    index: 0,
    argument: undefined,
  });
  assert.deepEqual(
    Object.keys(err).filter((k) => k !== "name" && k !== "code" && k !== "retriable"),
    ["field", "index"],
  );
});

test("API codes and internal codes are disjoint; only API codes reach clients", () => {
  for (const code of Object.keys(internalErrorCodes)) assert.ok(!isApiErrorCode(code), code);
  for (const code of Object.keys(errorCodes)) assert.ok(isApiErrorCode(code), code);
});

/** An error as graphql-js hands it to masking: located at a field, wrapping what the resolver threw. */
function located(thrown: Error): GraphQLError {
  const document = parse("mutation { acknowledgeAlert(id: 42) { id } }");
  const field = (document.definitions[0] as any).selectionSet.selections[0];
  return new GraphQLError(thrown.message, {
    nodes: [field],
    path: ["acknowledgeAlert"],
    originalError: thrown,
  });
}

const mask = (error: GraphQLError, isDev = false) =>
  errorMasking({ isDev }).maskError!(error, "Unexpected error.", isDev) as GraphQLError;

test("GraphQL: an RttmError with an API code goes out with its code and fields, located", () => {
  const alert = {
    id: "42",
    resolution: "MANUAL",
    resolvedBy: "alice",
    resolvedAt: new Date("2026-01-02T03:04:05.000Z"),
  } as AlertRecord;
  const resolved = mask(located(new AlertAlreadyResolvedError(alert))).toJSON();
  assert.deepEqual(resolved, {
    message: "Alert 42 is already resolved (MANUAL by alice at 2026-01-02T03:04:05.000Z)",
    locations: [{ line: 1, column: 12 }],
    path: ["acknowledgeAlert"],
    extensions: {
      code: "ALERT_ALREADY_RESOLVED",
      alertId: "42",
      resolution: "MANUAL",
      resolvedBy: "alice",
      resolvedAt: "2026-01-02T03:04:05.000Z",
    },
  });
  assert.deepEqual(Object.keys(resolved.extensions!), [
    "code",
    "alertId",
    "resolution",
    "resolvedBy",
    "resolvedAt",
  ]);
  assert.deepEqual(mask(located(new AlertNotFoundError("7"))).extensions, {
    code: "ALERT_NOT_FOUND",
    alertId: "7",
  });
  assert.deepEqual(mask(located(new RttmError("FORBIDDEN", "not you"))).toJSON().extensions, {
    code: "FORBIDDEN",
  });
});

test("GraphQL: a refused argument is BAD_USER_INPUT naming the argument, without a path (as before)", () => {
  const json = mask(located(new InvalidInputError("first", "first must be at most 500"))).toJSON();
  assert.deepEqual(json, {
    message: "first must be at most 500",
    extensions: { code: "BAD_USER_INPUT", argument: "first" },
  });
});

test("GraphQL: internal codes and plain errors are masked, in production", () => {
  for (const thrown of [
    new RttmError("REDIS_TIMEOUT", "Redis did not answer", { retriable: true }),
    new ConfigError(["x"]),
    new Error("connection refused"),
  ]) {
    const json = mask(located(thrown)).toJSON();
    assert.equal(json.message, "Unexpected error.");
    assert.equal(JSON.stringify(json).includes(thrown.message), false, thrown.message);
  }
});

test("the old REST API: BAD_USER_INPUT 400, UNAUTHENTICATED 401, FORBIDDEN 403, anything else 500", () => {
  assert.deepEqual(springStatusOf(new InvalidInputError("limit", "bad")), {
    status: 400,
    clientError: true,
  });
  assert.equal(springStatusOf(unauthenticated("no token")).status, 401);
  assert.equal(springStatusOf(forbidden("SERVICE")).status, 403);
  for (const err of [new AlertNotFoundError("1"), new ConfigError(["x"]), new Error("boom"), "x"])
    assert.deepEqual(springStatusOf(err), { status: 500, clientError: false });
});

test("HTTP and graphql-ws refusals: UNAUTHENTICATED 401/4401, FORBIDDEN 403/4403", () => {
  assert.deepEqual(
    [refusalStatus(unauthenticated("x")), refusalCloseCode(unauthenticated("x"))],
    [401, 4401],
  );
  assert.deepEqual([refusalStatus(forbidden("x")), refusalCloseCode(forbidden("x"))], [403, 4403]);
});
