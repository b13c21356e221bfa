/**
 * The producers' HTTP ingest endpoints (RTTM_INGEST_*): POST /api/rttm/{trade-events,…} for
 * services that post events instead of producing to Kafka (pms-rttm-client's HTTP mode). Off
 * unless RTTM_INGEST_API_KEYS names at least one key.
 */
import type { EnvReader } from "./parse.js";
import { docRows, durationMs, int, readAll, variable, Variable } from "./variable.js";

/** One producer's key: `name` is what logs and metrics show, `key` the secret it sends in X-API-Key. */
export interface IngestApiKey {
  name: string;
  key: string;
}

export interface HttpIngestConfig {
  /** Empty: the endpoints are off (404, as any unknown path). */
  apiKeys: IngestApiKey[];
  /** Largest protobuf of one event; a larger one is refused with 413. */
  maxEventBytes: number;
  /** Most events in one delimited batch. */
  maxBatchEvents: number;
  /** Events per second each key may post (a token bucket); beyond it, 429 with Retry-After. */
  rateLimitPerKey: number;
  /** Events a key may post at once above its rate (the bucket's size). */
  rateBurstPerKey: number;
  /** How long accepted events wait for others to share their Kafka send (0: send at once). */
  lingerMs: number;
  /** Most events in one Kafka send; a send starts as soon as this many wait. */
  sendMaxEvents: number;
  /** Events waiting for Kafka beyond which new requests are answered 503 at once. */
  maxPendingEvents: number;
  /** A send (or the schema lookup) that takes longer is answered 503. */
  produceTimeoutMs: number;
  /** The Retry-After of a 503. */
  retryAfterSeconds: number;
}

const minKeyLength = 12;

/** `name:key` pairs, comma-separated; names are short identifiers, keys long random strings. */
function apiKeysOf(read: EnvReader): IngestApiKey[] {
  const name = "RTTM_INGEST_API_KEYS";
  const raw = read.optionalString(name);
  if (raw === undefined) return [];
  const keys: IngestApiKey[] = [];
  for (const entry of raw
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(":");
    const keyName = colon > 0 ? entry.slice(0, colon) : "";
    const key = colon > 0 ? entry.slice(colon + 1) : "";
    // The value is a secret: problems name the entry's position and name, never the key.
    const where = `${name} entry ${keys.length + 1}${keyName ? ` (${keyName})` : ""}`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(keyName)) {
      read.problems.push(
        `${where} is not allowed: expected name:key, the name of letters, digits, '_', '.', '-' (at most 64)`,
      );
    } else if (key.length < minKeyLength || /[\s,]/.test(key)) {
      read.problems.push(
        `${where} is not allowed: the key must be at least ${minKeyLength} characters, without spaces or commas`,
      );
    } else if (keys.some((k) => k.name === keyName)) {
      read.problems.push(`${where} is not allowed: the name ${keyName} is given twice`);
    } else if (keys.some((k) => k.key === key)) {
      read.problems.push(`${where} is not allowed: its key is the same as another entry's`);
    } else keys.push({ name: keyName, key });
  }
  return keys;
}

const declarations = {
  apiKeys: variable(
    "RTTM_INGEST_API_KEYS",
    "unset (endpoints off)",
    `producers' API keys as \`name:key,name2:key2\` (a Secret; keys of at least ${minKeyLength} characters; two keys let one be rotated without downtime); the name, never the key, is logged and labels metrics`,
    apiKeysOf,
  ),
  maxEventBytes: int("RTTM_INGEST_MAX_EVENT_BYTES", {
    fallback: 65_536,
    min: 16,
    max: 16_777_216,
    doc: "largest protobuf of one posted event; larger → 413",
  }),
  maxBatchEvents: int("RTTM_INGEST_MAX_BATCH_EVENTS", {
    fallback: 1_000,
    min: 1,
    max: 100_000,
    doc: "most events in one `application/x-protobuf; delimited=true` batch; more → 413",
  }),
  rateLimitPerKey: int("RTTM_INGEST_RATE_LIMIT", {
    fallback: 20_000,
    min: 1,
    max: 100_000_000,
    doc: "events per second each API key may post; beyond it → 429 with Retry-After",
  }),
  rateBurstPerKey: int("RTTM_INGEST_RATE_BURST", {
    fallback: 40_000,
    min: 1,
    max: 100_000_000,
    doc: "events a key may post at once above its rate (token bucket size; at least the batch limit)",
  }),
  lingerMs: durationMs(
    "RTTM_INGEST_LINGER",
    0,
    "0ms",
    "how long an accepted event waits for others to share its Kafka send; events arriving while a send is in flight share the next one anyway",
  ),
  sendMaxEvents: int("RTTM_INGEST_SEND_MAX_EVENTS", {
    fallback: 5_000,
    min: 1,
    max: 1_000_000,
    doc: "most events in one Kafka send",
  }),
  maxPendingEvents: int("RTTM_INGEST_MAX_PENDING_EVENTS", {
    fallback: 50_000,
    min: 1,
    max: 10_000_000,
    doc: "events waiting for Kafka beyond which new requests get 503 at once",
  }),
  produceTimeoutMs: durationMs(
    "RTTM_INGEST_PRODUCE_TIMEOUT",
    5_000,
    "5s",
    "a Kafka send or schema lookup that takes longer is answered 503 (Kafka or the registry down)",
  ),
  retryAfterSeconds: int("RTTM_INGEST_RETRY_AFTER_SECONDS", {
    fallback: 5,
    min: 1,
    max: 3_600,
    doc: "the `Retry-After` of a 503",
  }),
};

export const httpIngestConfig = new Variable<HttpIngestConfig>(docRows(declarations), (read) => {
  const values = readAll(declarations, read);
  if (values.rateBurstPerKey < values.maxBatchEvents) {
    read.problems.push(
      `RTTM_INGEST_RATE_BURST=${values.rateBurstPerKey} is not allowed: expected at least RTTM_INGEST_MAX_BATCH_EVENTS (${values.maxBatchEvents}), or a full batch could never pass`,
    );
  }
  return values;
});
