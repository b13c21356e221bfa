/**
 * Who may post: the producers' API keys (RTTM_INGEST_API_KEYS). A presented key is compared with
 * every configured key in constant time (SHA-256 of both, then timingSafeEqual, for all keys, no
 * early exit), so neither the answer's timing nor its length tells how much of a key matched.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IngestApiKey } from "../../config/index.js";

export type KeyCheck = { kind: "missing" } | { kind: "unknown" } | { kind: "known"; name: string };

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function apiKeyRing(keys: readonly IngestApiKey[]) {
  const digests = keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  return {
    /** `header`: the X-API-Key value as received (absent, empty or a key). */
    check(header: string | undefined): KeyCheck {
      if (header === undefined || header.trim() === "") return { kind: "missing" };
      const presented = digest(header.trim());
      let match: string | undefined;
      for (const k of digests) if (timingSafeEqual(presented, k.digest)) match ??= k.name;
      return match === undefined ? { kind: "unknown" } : { kind: "known", name: match };
    },
  };
}
