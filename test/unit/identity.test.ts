import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT, base64url } from "jose";
import { ConfigError, loadConfig, type JwtSettings } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { isAuthError } from "../../src/http/identity/errors.js";
import { refusalStatus } from "../../src/http/identity/refusal.js";
import { refusalCloseCode } from "../../src/http/identity/socket.js";
import { createVerifier, type Verifier } from "../../src/http/identity/verifier.js";
import { authEnv, newSigningKey, TestAuthServer } from "../support/authServer.js";

const logger = createLogger({ service: "rttm-test" });

function settings(auth: TestAuthServer, extra: Record<string, string> = {}): JwtSettings {
  const config = loadConfig(authEnv(auth, extra));
  assert.equal(config.auth.mode, "jwt");
  return config.auth as JwtSettings;
}

/** The refusal as its transports answer it: code and message, HTTP status, graphql-ws close code. */
interface Refusal {
  code: string;
  message: string;
  status: 401 | 403;
  closeCode: 4401 | 4403;
}

async function refusal(verifier: Verifier, authorization: unknown): Promise<Refusal> {
  try {
    await verifier.verify(authorization);
  } catch (err) {
    assert.ok(isAuthError(err), `expected an AuthError, got ${String(err)}`);
    const { code, message } = err;
    return { code, message, status: refusalStatus(err), closeCode: refusalCloseCode(err) };
  }
  assert.fail("the token was accepted");
}

const bearer = (token: string) => `Bearer ${token}`;

describe("JWT verification against a real JWKS endpoint", () => {
  let auth: TestAuthServer;
  let verifier: Verifier;

  before(async () => {
    auth = await TestAuthServer.start();
    verifier = createVerifier(settings(auth, { RTTM_AUTH_JWKS_REFETCH_INTERVAL: "60s" }), logger);
    await verifier.jwks.warm();
  });
  after(() => auth.stop());

  test("a valid USER token gives its subject, type, scopes and expiry", async () => {
    const identity = await verifier.verify(bearer(await auth.token({ sub: "alice" })));
    assert.equal(identity.subject, "alice");
    assert.equal(identity.tokenType, "USER");
    assert.deepEqual(identity.scopes, ["ROLE_USER"]);
    assert.ok(Math.abs(identity.expiresAt.getTime() - Date.now() - 3_600_000) < 5_000);
  });

  test("expired, beyond the clock skew, is refused; within the skew is accepted", async () => {
    const expired = await refusal(verifier, bearer(await auth.token({ expiresIn: -60 })));
    assert.equal(expired.status, 401);
    assert.match(expired.message, /token expired/);
    await verifier.verify(bearer(await auth.token({ expiresIn: -10 })));
  });

  test("not yet valid (nbf beyond the skew) is refused", async () => {
    const error = await refusal(verifier, bearer(await auth.token({ notBefore: 120 })));
    assert.equal(error.code, "UNAUTHENTICATED");
    assert.match(error.message, /not yet valid/);
  });

  test("a wrong issuer is refused", async () => {
    const error = await refusal(verifier, bearer(await auth.token({ issuer: "auth-service" })));
    assert.match(error.message, /wrong issuer/);
  });

  test("a signature by another key under the known kid is refused", async () => {
    const impostor = await newSigningKey(auth.current.kid);
    const error = await refusal(verifier, bearer(await auth.token({ key: impostor })));
    assert.match(error.message, /signature verification failed/);
  });

  test("alg none and HS256 signed with the public key are refused without fetching keys", async () => {
    const fetches = auth.fetches;
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    const claims = {
      sub: "mallory",
      iss: "http://auth:8081",
      token_type: "USER",
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const none = `${encode({ alg: "none", kid: auth.current.kid })}.${encode(claims)}.`;
    assert.match((await refusal(verifier, bearer(none))).message, /algorithm not allowed/);

    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(auth.current.publicJwk));
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: auth.current.kid })
      .sign(publicKeyAsSecret);
    const error = await refusal(verifier, bearer(hs256));
    assert.equal(error.status, 401);
    assert.match(error.message, /algorithm not allowed/);
    assert.equal(auth.fetches, fetches);
  });

  test("a SERVICE token is refused with 403, a token without token_type too", async () => {
    const service = await refusal(verifier, bearer(await auth.token({ tokenType: "SERVICE" })));
    assert.equal(service.status, 403);
    assert.equal(service.code, "FORBIDDEN");
    assert.equal(service.closeCode, 4403);
    assert.match(service.message, /token_type "SERVICE" may not use this API \(accepted: USER\)/);
    const untyped = await refusal(verifier, bearer(await auth.token({ tokenType: undefined })));
    assert.equal(untyped.status, 403);
  });

  test("a SERVICE token is accepted when RTTM_AUTH_TOKEN_TYPES allows it", async () => {
    const both = createVerifier(settings(auth, { RTTM_AUTH_TOKEN_TYPES: "USER,SERVICE" }), logger);
    const identity = await both.verify(bearer(await auth.token({ tokenType: "SERVICE" })));
    assert.equal(identity.tokenType, "SERVICE");
  });

  test("an audience, when configured, must be in the token", async () => {
    const withAudience = createVerifier(settings(auth, { RTTM_AUTH_AUDIENCE: "rttm" }), logger);
    const error = await refusal(withAudience, bearer(await auth.token()));
    assert.match(error.message, /audience/);
    await withAudience.verify(bearer(await auth.token({ audience: "rttm" })));
  });

  test("bad input: a clear 401 and nothing else", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /missing bearer token/],
      ["", /missing bearer token/],
      ["Basic YWxpY2U6c2VjcmV0", /malformed authorization: expected 'Bearer <token>'/],
      ["Bearer", /malformed authorization/],
      ["Bearer a b", /malformed authorization/],
      [42, /must be a string/],
      ["Bearer not-a-jwt", /not a JWT/],
      ["Bearer " + "a".repeat(100_000), /token of 100007 bytes exceeds the limit of 8192/],
      // A well-formed JWT without kid and with a made-up signature.
      ["Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", /signature verification failed/],
    ];
    const fetches = auth.fetches;
    for (const [authorization, reason] of cases) {
      const error = await refusal(verifier, authorization);
      assert.equal(error.status, 401, String(authorization).slice(0, 40));
      assert.match(error.message, reason);
    }
    assert.equal(auth.fetches, fetches);
  });

  test("a flood of 1,000 tokens with random kids causes at most the configured fetches", async () => {
    const fetches = auth.fetches;
    const strangers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => newSigningKey(`stranger-${i}`)),
    );
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        auth.token({ key: strangers[i % 4]!, kid: `random-${i}-${Math.random()}` }),
      ),
    );
    // Ten waves one after the other, so joining a fetch in flight alone could not hide a refetch.
    const errors: Refusal[] = [];
    for (let wave = 0; wave < 10; wave++)
      errors.push(
        ...(await Promise.all(
          tokens.slice(wave * 100, wave * 100 + 100).map((t) => refusal(verifier, bearer(t))),
        )),
      );
    assert.equal(errors.length, 1000);
    assert.ok(errors.every((e) => e.status === 401 && /no signing key with kid/.test(e.message)));
    // One interval (60 s) with a fetch already made at warm-up: no further fetch allowed.
    assert.ok(auth.fetches - fetches <= 1, `${auth.fetches - fetches} fetches`);
    // The known key still works.
    await verifier.verify(bearer(await auth.token()));
  });
});

describe("JWKS cache: rotation, outage, bad answers", () => {
  const interval = 300;
  let auth: TestAuthServer;
  before(async () => (auth = await TestAuthServer.start()));
  after(() => auth.stop());

  test("an unknown kid after a key rotation triggers a refetch and is accepted", async () => {
    const verifier = createVerifier(
      settings(auth, { RTTM_AUTH_JWKS_REFETCH_INTERVAL: `${interval}ms` }),
      logger,
    );
    await verifier.verify(bearer(await auth.token()));
    const fetches = auth.fetches;
    await sleep(interval + 50);
    await auth.rotate();
    const identity = await verifier.verify(bearer(await auth.token({ sub: "bob" })));
    assert.equal(identity.subject, "bob");
    assert.equal(auth.fetches, fetches + 1);
  });

  test("JWKS down: a cached key is still accepted, a new kid is refused with the reason", async () => {
    const verifier = createVerifier(
      settings(auth, { RTTM_AUTH_JWKS_REFETCH_INTERVAL: `${interval}ms` }),
      logger,
    );
    const oldKey = auth.current;
    await verifier.verify(bearer(await auth.token()));
    await auth.stop();
    await sleep(interval + 50);
    await verifier.verify(bearer(await auth.token({ key: oldKey })));
    const fresh = await newSigningKey();
    const error = await refusal(verifier, bearer(await auth.token({ key: fresh })));
    assert.equal(error.status, 401);
    assert.match(
      error.message,
      new RegExp(
        `no signing key with kid "${fresh.kid}": the JWKS at .* could not be fetched: request failed`,
      ),
    );
    await verifier.verify(bearer(await auth.token({ key: oldKey })));
    await auth.listen();
  });

  test("a JWKS answer that is not JSON fails clearly", async () => {
    auth.behaviour = "not-json";
    try {
      const verifier = createVerifier(settings(auth), logger);
      const error = await refusal(verifier, bearer(await auth.token()));
      assert.match(error.message, /could not be fetched: the answer is not JSON/);
    } finally {
      auth.behaviour = "serve";
    }
  });

  test("a JWKS URL that hangs times out", async () => {
    auth.behaviour = "hang";
    try {
      const verifier = createVerifier(settings(auth, { RTTM_AUTH_JWKS_TIMEOUT: "300ms" }), logger);
      const started = Date.now();
      const error = await refusal(verifier, bearer(await auth.token()));
      const took = Date.now() - started;
      assert.match(error.message, /could not be fetched: no answer within 300 ms/);
      assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
    } finally {
      auth.behaviour = "serve";
    }
  });
});

describe("identity settings", () => {
  test("off by default; jwt defaults are the platform's auth service", () => {
    assert.deepEqual(loadConfig({}).auth, { mode: "off" });
    const auth = loadConfig({ RTTM_AUTH_MODE: "jwt" }).auth;
    assert.deepEqual(auth, {
      mode: "jwt",
      jwksUrl: "http://auth:8081/oauth2/jwks",
      issuer: "http://auth:8081",
      algorithms: ["RS256"],
      tokenTypes: ["USER"],
      audience: undefined,
      clockSkewMs: 30_000,
      jwksTimeoutMs: 3_000,
      jwksRefetchIntervalMs: 10_000,
      jwksMaxAgeMs: 600_000,
    });
  });

  test("none, HS*, unknown modes and token types are refused at start-up, each named", () => {
    for (const [env, message] of [
      [{ RTTM_AUTH_ALGORITHMS: "none" }, /RTTM_AUTH_ALGORITHMS="none" is not allowed/],
      [{ RTTM_AUTH_ALGORITHMS: "RS256,HS256" }, /none and HS\* are never accepted/],
      [{ RTTM_AUTH_MODE: "on" }, /RTTM_AUTH_MODE="on" is not allowed: expected one of off, jwt/],
      [{ RTTM_AUTH_TOKEN_TYPES: "ADMIN" }, /RTTM_AUTH_TOKEN_TYPES="ADMIN" is not allowed/],
      [{ RTTM_AUTH_JWKS_URL: "ftp://auth/jwks" }, /RTTM_AUTH_JWKS_URL="ftp:\/\/auth\/jwks"/],
      [{ RTTM_AUTH_CLOCK_SKEW: "soon" }, /RTTM_AUTH_CLOCK_SKEW="soon"/],
    ] as const) {
      assert.throws(
        () => loadConfig({ RTTM_AUTH_MODE: "jwt", ...env }),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    }
  });
});
