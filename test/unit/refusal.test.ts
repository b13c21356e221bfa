import assert from "node:assert/strict";
import { test } from "node:test";
import { forbidden, unauthenticated } from "../../src/http/identity/errors.js";
import { refusalBody, wwwAuthenticate } from "../../src/http/identity/refusal.js";
import { authorizationOf } from "../../src/http/identity/socket.js";

test("WWW-Authenticate: invalid_token for 401, insufficient_scope for 403, description quoted safely", () => {
  assert.equal(
    wwwAuthenticate(unauthenticated("token expired")),
    'Bearer realm="rttm", error="invalid_token", error_description="token expired"',
  );
  assert.equal(
    wwwAuthenticate(forbidden('token_type "SERVICE" may not use this API')),
    `Bearer realm="rttm", error="insufficient_scope", error_description="token_type 'SERVICE' may not use this API"`,
  );
  const odd = wwwAuthenticate(unauthenticated('kid "é\\\n' + "x".repeat(400)));
  assert.match(odd, /error_description="kid ''''x+"$/);
  assert.ok(odd.length < 300);
  assert.ok(/^[\x20-\x7e]+$/.test(odd), "printable ASCII only");
});

test("the GraphQL body carries the code and the reason", () => {
  assert.deepEqual(refusalBody(forbidden("no")), {
    errors: [{ message: "no", extensions: { code: "FORBIDDEN" } }],
  });
  assert.equal(refusalBody(unauthenticated("x")).errors[0]!.extensions.code, "UNAUTHENTICATED");
});

test("connection_init: authorization in any letter case, or under headers", () => {
  assert.equal(authorizationOf({ authorization: "Bearer a" }), "Bearer a");
  assert.equal(authorizationOf({ Authorization: "Bearer b" }), "Bearer b");
  assert.equal(authorizationOf({ headers: { AUTHORIZATION: "Bearer c" } }), "Bearer c");
  assert.equal(authorizationOf({ token: "Bearer d" }), undefined);
  assert.equal(authorizationOf(undefined), undefined);
});
