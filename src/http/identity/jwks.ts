/**
 * The auth service's signing keys, cached. pms-auth makes a new key (new `kid`) at every restart, so a
 * token with an unknown `kid` triggers a refetch; refetches are rate-limited (at most one per
 * `refetchIntervalMs`, however many bad tokens arrive) and shared by concurrent callers. A failed
 * fetch never drops keys already known: while the auth service is down, tokens signed with them keep
 * verifying, and a new `kid` fails with an error that says why.
 *
 * jose's createRemoteJWKSet is not used: when its cache expires and the endpoint is down, it stops
 * verifying with keys it already had.
 */
import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from "jose";
import { RttmError } from "../../domain/errors.js";
import type { Logger } from "../../log.js";
import { unauthenticated } from "./errors.js";

export interface JwksCacheOptions {
  /** The JWK Set document, e.g. http://auth:8081/oauth2/jwks. */
  url: string;
  /** A fetch that takes longer fails. */
  timeoutMs: number;
  /** At most one fetch per this interval (the first fetch included). */
  refetchIntervalMs: number;
  /** Keys older than this are refreshed in the background; they stay usable meanwhile. */
  maxAgeMs: number;
  logger: Logger;
}

/** The JWK Set could not be fetched (an outage of the auth service: retriable). */
const unavailable = (message: string, cause?: unknown) =>
  new RttmError("JWKS_UNAVAILABLE", message, { retriable: true, cause });

export class JwksCache {
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private fetchedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: Error | undefined;
  private inflight: Promise<void> | undefined;
  /** Fetches started (successful or not), for tests and metrics. */
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions) {}

  /** Whether the last fetch failed (keys fetched earlier stay in use meanwhile). */
  get failing(): boolean {
    return this.lastError !== undefined;
  }

  /** Fetches the keys unless the rate limit forbids it now; never throws (used at start-up). */
  warm(): Promise<void> {
    return this.refreshIfAllowed().catch(() => undefined);
  }

  /** A jose key resolver: the key for a token's header, refetching once for an unknown `kid`. */
  readonly getKey = async (
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<CryptoKey> => {
    if (!this.keys) {
      await this.refreshIfAllowed().catch(() => undefined);
      if (!this.keys) throw this.unavailable(header);
    } else if (Date.now() - this.fetchedAt > this.options.maxAgeMs) {
      void this.refreshIfAllowed().catch(() => undefined);
    }
    try {
      return await this.keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
    }
    const before = this.keys;
    await this.refreshIfAllowed().catch(() => undefined);
    if (this.keys === before) throw this.unavailable(header);
    try {
      return await this.keys(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey)
        throw unauthenticated(
          `no signing key with kid ${JSON.stringify(header.kid)} in the JWKS at ${this.options.url} (refetched just now)`,
        );
      throw err;
    }
  };

  private unavailable(header: JWSHeaderParameters) {
    const why = this.lastError
      ? `the JWKS at ${this.options.url} could not be fetched: ${this.lastError.message}`
      : `the JWKS at ${this.options.url} was fetched less than ${this.options.refetchIntervalMs} ms ago (refetch is rate-limited)`;
    return unauthenticated(
      `no signing key with kid ${JSON.stringify(header.kid ?? null)}: ${why}`,
      this.lastError,
    );
  }

  /** Joins a fetch in flight, or starts one if the last attempt is older than the interval. */
  private refreshIfAllowed(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (Date.now() - this.lastAttemptAt < this.options.refetchIntervalMs) return Promise.resolve();
    this.lastAttemptAt = Date.now();
    this.fetches++;
    this.inflight = this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const { url, timeoutMs, logger } = this.options;
    try {
      const jwks = await fetchJwks(url, timeoutMs);
      this.keys = createLocalJWKSet(jwks);
      this.fetchedAt = Date.now();
      this.lastError = undefined;
      logger.info("jwks fetched", { url, kids: jwks.keys.map((k) => k.kid ?? null) });
    } catch (err) {
      this.lastError = err as Error;
      logger.warn("jwks fetch failed; keys already known stay in use", {
        url,
        known: this.keys ? this.keys.jwks().keys.length : 0,
        err,
      });
      throw err;
    }
  }
}

async function fetchJwks(url: string, timeoutMs: number): Promise<JSONWebKeySet> {
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    throw unavailable(
      timedOut
        ? `no answer within ${timeoutMs} ms`
        : `request failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
      err,
    );
  }
  if (status !== 200) throw unavailable(`HTTP ${status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unavailable(`the answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => k && typeof k === "object"))
    throw unavailable('the answer is not a JWK Set (expected {"keys": [...]})');
  return body as JSONWebKeySet;
}
