/**
 * Verifies the platform's JWTs with jose: signature against the JWKS, the allowed algorithms only,
 * issuer, `exp`/`nbf` with a clock skew, optional audience, then the `token_type` claim (pms-auth:
 * USER or SERVICE). Every refusal is an AuthError whose message says what was wrong.
 */
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { Identity } from "../../domain/identity.js";
import type { JwtSettings } from "../../config/index.js";
import type { Logger } from "../../log.js";
import { bearerToken } from "./bearer.js";
import { forbidden, isAuthError, unauthenticated } from "./errors.js";
import { JwksCache } from "./jwks.js";

export type { Identity };

export interface Verifier {
  /** Verifies `Authorization: Bearer <token>` (or a connection_init `authorization`); throws AuthError. */
  verify(authorization: unknown): Promise<Identity>;
  jwks: JwksCache;
}

export function createVerifier(settings: JwtSettings, logger: Logger): Verifier {
  const jwks = new JwksCache({
    url: settings.jwksUrl,
    timeoutMs: settings.jwksTimeoutMs,
    refetchIntervalMs: settings.jwksRefetchIntervalMs,
    maxAgeMs: settings.jwksMaxAgeMs,
    logger,
  });
  const accepted = new Set<string>(settings.tokenTypes);
  return {
    jwks,
    async verify(authorization) {
      const token = bearerToken(authorization);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks.getKey, {
          algorithms: settings.algorithms,
          issuer: settings.issuer,
          audience: settings.audience,
          clockTolerance: Math.round(settings.clockSkewMs / 1000),
          requiredClaims: ["exp", "sub"],
        }));
      } catch (err) {
        throw isAuthError(err) ? err : unauthenticated(reasonOf(err), err);
      }
      const tokenType = typeof payload.token_type === "string" ? payload.token_type : undefined;
      if (!tokenType || !accepted.has(tokenType))
        throw forbidden(
          `token_type ${JSON.stringify(tokenType ?? null)} may not use this API (accepted: ${[...accepted].join(", ")})`,
        );
      if (typeof payload.sub !== "string" || payload.sub.trim() === "")
        throw unauthenticated("the token has no subject (sub)");
      return {
        subject: payload.sub,
        tokenType,
        scopes: typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [],
        expiresAt: new Date(payload.exp! * 1000),
      };
    },
  };
}

/** jose's errors, said for the caller. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "token expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "token not yet valid (nbf)";
    if (err.claim === "iss") return `wrong issuer: ${err.reason}`;
    if (err.claim === "aud") return `wrong audience: ${err.reason}`;
    return `claim ${err.claim} ${err.reason}: ${err.message}`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return `signing algorithm not allowed: ${err.message}`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return "signature verification failed";
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return `malformed token: ${err.message}`;
  if (err instanceof errors.JOSEError) return `token refused: ${err.message}`;
  return `token could not be verified: ${err instanceof Error ? err.message : String(err)}`;
}
