/**
 * Identity settings (RTTM_AUTH_*): whether tokens are required, and how the platform's JWTs are
 * verified. Defaults are the platform's auth service (pms-auth: RS256 keys at
 * http://auth:8081/oauth2/jwks, issuer http://auth:8081, `token_type` USER, no `aud`).
 */
import type { EnvReader } from "./parse.js";
import {
  docRows,
  durationMs,
  literal,
  oneOf,
  optionalString,
  readAll,
  string,
  variable,
  Variable,
} from "./variable.js";

const defaultJwksUrl = "http://auth:8081/oauth2/jwks";

/** Asymmetric JWS algorithms only: `none` and HS* (a shared secret, or a public key misused as one) are never accepted. */
export const acceptableAlgorithms = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
export type Algorithm = (typeof acceptableAlgorithms)[number];

export const tokenTypes = ["USER", "SERVICE"] as const;
export type TokenType = (typeof tokenTypes)[number];

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  algorithms: Algorithm[];
  /** Values of the `token_type` claim that may call the API; others get 403. */
  tokenTypes: TokenType[];
  /** When set, `aud` must contain it (pms-auth's USER tokens carry none). */
  audience: string | undefined;
  /** Tolerance on `exp`, `nbf` and `iat`. */
  clockSkewMs: number;
  /** A JWKS request that takes longer fails (keys already fetched keep working). */
  jwksTimeoutMs: number;
  /** At most one JWKS fetch per this interval, whatever the tokens say (unknown `kid`s included). */
  jwksRefetchIntervalMs: number;
  /** Keys older than this are refreshed in the background on the next token; they stay usable meanwhile. */
  jwksMaxAgeMs: number;
}

export type AuthConfig = { mode: "off" } | ({ mode: "jwt" } & JwtSettings);

/** The RTTM_AUTH_* variables; JwtSettings is what they read (with the mode). */
const declarations = {
  mode: oneOf(
    "RTTM_AUTH_MODE",
    "off",
    ["off", "jwt"] as const,
    "`jwt`: every request and WebSocket needs a valid token of the platform (verified with the settings below); `off`: no identity",
  ),
  jwksUrl: variable(
    "RTTM_AUTH_JWKS_URL",
    literal(defaultJwksUrl),
    "where the signing keys (JWKS) are fetched",
    (read) => read.url("RTTM_AUTH_JWKS_URL", ["http:", "https:"]) ?? defaultJwksUrl,
  ),
  algorithms: variable(
    "RTTM_AUTH_ALGORITHMS",
    literal("RS256"),
    `accepted JWS algorithms, comma-separated: ${acceptableAlgorithms.join(", ")} (none and HS* are never accepted)`,
    algorithmsOf,
  ),
  tokenTypes: variable(
    "RTTM_AUTH_TOKEN_TYPES",
    literal("USER"),
    "values of the `token_type` claim that may call the API (`USER`, `SERVICE`); others get 403",
    (read) => read.listOf("RTTM_AUTH_TOKEN_TYPES", ["USER"], tokenTypes),
  ),
  issuer: string("RTTM_AUTH_ISSUER", "http://auth:8081", "the `iss` every token must carry"),
  audience: optionalString(
    "RTTM_AUTH_AUDIENCE",
    "unset",
    "when set, `aud` must contain it (pms-auth's USER tokens carry none)",
  ),
  clockSkewMs: durationMs(
    "RTTM_AUTH_CLOCK_SKEW",
    30_000,
    "30s",
    "tolerance on `exp`, `nbf` and `iat`",
  ),
  jwksTimeoutMs: durationMs(
    "RTTM_AUTH_JWKS_TIMEOUT",
    3_000,
    "3s",
    "a JWKS request that takes longer fails (keys already fetched keep working)",
  ),
  jwksRefetchIntervalMs: durationMs(
    "RTTM_AUTH_JWKS_REFETCH_INTERVAL",
    10_000,
    "10s",
    "at most one JWKS fetch per this interval, whatever the tokens say (unknown `kid`s included)",
  ),
  jwksMaxAgeMs: durationMs(
    "RTTM_AUTH_JWKS_MAX_AGE",
    600_000,
    "10m",
    "keys older than this are refreshed in the background on the next token; they stay usable meanwhile",
  ),
};

export const authConfig = new Variable<AuthConfig>(docRows(declarations), (read) => {
  const { mode, ...settings } = readAll(declarations, read);
  if (settings.jwksTimeoutMs < 1)
    read.problems.push(`RTTM_AUTH_JWKS_TIMEOUT=0 is not allowed: expected a positive duration`);
  if (settings.tokenTypes.length === 0)
    read.problems.push(`RTTM_AUTH_TOKEN_TYPES is empty: expected USER, SERVICE or both`);
  return mode === "off" ? { mode } : { mode, ...settings };
});

function algorithmsOf(read: EnvReader): Algorithm[] {
  const values = read.list("RTTM_AUTH_ALGORITHMS", ["RS256"]);
  const refused = values.filter((v) => !(acceptableAlgorithms as readonly string[]).includes(v));
  if (refused.length > 0 || values.length === 0) {
    read.problems.push(
      `RTTM_AUTH_ALGORITHMS=${JSON.stringify(values.join(","))} is not allowed: expected a comma-separated list of ${acceptableAlgorithms.join(", ")} (none and HS* are never accepted)`,
    );
    return ["RS256"];
  }
  return values as Algorithm[];
}
