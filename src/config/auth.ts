/**
 * Identity settings (RTTM_AUTH_*): whether tokens are required, and how the platform's JWTs are
 * verified. Defaults are the platform's auth service (pms-auth: RS256 keys at
 * http://auth:8081/oauth2/jwks, issuer http://auth:8081, `token_type` USER, no `aud`).
 */
import type { EnvReader } from "./parse.js";

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

export function authConfig(read: EnvReader): AuthConfig {
  const mode = read.oneOf("RTTM_AUTH_MODE", "off", ["off", "jwt"] as const);
  const jwksUrl = read.url("RTTM_AUTH_JWKS_URL", ["http:", "https:"]);
  const algorithms = algorithmsOf(read);
  const types = read.listOf("RTTM_AUTH_TOKEN_TYPES", ["USER"], tokenTypes);
  const settings: JwtSettings = {
    jwksUrl: jwksUrl ?? "http://auth:8081/oauth2/jwks",
    issuer: read.string("RTTM_AUTH_ISSUER", "http://auth:8081"),
    algorithms,
    tokenTypes: types,
    audience: read.optionalString("RTTM_AUTH_AUDIENCE"),
    clockSkewMs: read.durationMs("RTTM_AUTH_CLOCK_SKEW", 30_000),
    jwksTimeoutMs: read.durationMs("RTTM_AUTH_JWKS_TIMEOUT", 3_000),
    jwksRefetchIntervalMs: read.durationMs("RTTM_AUTH_JWKS_REFETCH_INTERVAL", 10_000),
    jwksMaxAgeMs: read.durationMs("RTTM_AUTH_JWKS_MAX_AGE", 600_000),
  };
  if (settings.jwksTimeoutMs < 1)
    read.problems.push(`RTTM_AUTH_JWKS_TIMEOUT=0 is not allowed: expected a positive duration`);
  if (types.length === 0)
    read.problems.push(`RTTM_AUTH_TOKEN_TYPES is empty: expected USER, SERVICE or both`);
  return mode === "off" ? { mode } : { mode, ...settings };
}

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
