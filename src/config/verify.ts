/**
 * The periodic self-check (RTTM_VERIFY_INTERVAL): how often one replica verifies the derived
 * tables of the last closed hour against the stored events (src/store/verify), exposes the result
 * (rttm_verify_drifted_buckets, `ingestionHealth.verify`) and raises an alert on drift.
 */
import type { EnvReader } from "./parse.js";
import { docRows, literal, readAll, variable, Variable } from "./variable.js";

export interface VerifyConfig {
  /** Milliseconds between self-checks; null: off. */
  intervalMs: number | null;
}

const minIntervalMs = 60_000;

function intervalOf(read: EnvReader): number | null {
  const value = read.optionalString("RTTM_VERIFY_INTERVAL");
  if (value === undefined || value === "off") return null;
  const ms = read.durationMs("RTTM_VERIFY_INTERVAL", minIntervalMs);
  if (ms < minIntervalMs) {
    read.problems.push(
      `RTTM_VERIFY_INTERVAL=${JSON.stringify(value)} is not allowed: expected off or a duration of at least 1m`,
    );
    return minIntervalMs;
  }
  return ms;
}

const declarations = {
  intervalMs: variable(
    "RTTM_VERIFY_INTERVAL",
    literal("off"),
    "how often one replica verifies the last closed hour's derived tables against the stored events (`off`, or a duration of at least `1m`, e.g. `1h`)",
    intervalOf,
  ),
};

export const verifyConfig = new Variable<VerifyConfig>(docRows(declarations), (read) =>
  readAll(declarations, read),
);
