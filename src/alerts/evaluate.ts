import type { ClientBase, Pool } from "pg";
import type { Config } from "../config/index.js";
import type { Logger } from "../log.js";
import { step, type OpenAlertState } from "./lifecycle.js";
import {
  rules,
  thresholdsOf,
  type MeasureContext,
  type Observation,
  type RuleSpec,
} from "./rules.js";
import {
  escalate,
  inAlertTransaction,
  insertAlert,
  insertEvent,
  lockOpenAlerts,
  resolveCleared,
  resolveSilent,
  updateObservation,
} from "./store.js";
import type { AlertRecord, EventKind, RuleName } from "../domain/alerts.js";

/** One lifecycle change made by an evaluation (or auto-resolve), with the alert after it. */
export interface AlertChange {
  kind: EventKind;
  alert: AlertRecord;
}

export interface EvaluationResult {
  at: Date;
  /** RAISED, ESCALATED, RESOLVED, in the order made. */
  changes: AlertChange[];
  /** Open alerts whose values were updated. */
  updated: number;
  /** Open alerts whose scope had no data (left as they were). */
  silent: number;
  /** Rules whose measurement failed this time (their alerts are left as they were). */
  failedRules: RuleName[];
}

/** Measures every rule at `now` through `db`; a rule whose reads fail yields an Error (it is skipped, not treated as clear). */
export async function measureRules(
  db: Pool,
  now: Date,
  ruleList: readonly RuleSpec[] = rules,
): Promise<Map<RuleName, Observation[] | Error>> {
  const reads = new Map<string, Promise<unknown>>();
  const ctx: MeasureContext = {
    db,
    now,
    once: <T>(key: string, read: () => Promise<T>) => {
      if (!reads.has(key)) reads.set(key, read());
      return reads.get(key) as Promise<T>;
    },
  };
  const measured = await Promise.all(
    ruleList.map((rule) =>
      rule
        .measure(ctx, rule.windowSeconds)
        .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
    ),
  );
  return new Map(ruleList.map((rule, i) => [rule.name, measured[i]!]));
}

const key = (rule: string, scope: string) => JSON.stringify([rule, scope]);

/**
 * Applies one evaluation's observations in one transaction under the alert write lock: for every
 * rule, every observed scope and every open alert's scope goes through the state machine once.
 */
export interface ApplyObservationsOptions {
  /** The connection the changes are written on, in one transaction under the alert write lock. */
  client: ClientBase;
  /** Each rule's observations at `now`, or the error that kept it from being measured. */
  measured: Map<RuleName, Observation[] | Error>;
  /** The alert settings (RTTM_ALERT_*): thresholds per rule, hysteresis, silence. */
  config: Config["alerts"];
  now: Date;
  /** Who the changes are recorded as (the evaluating replica). */
  actor: string;
  logger: Logger;
  /** The rules to apply. @default rules (every rule) */
  ruleList?: readonly RuleSpec[];
}

export async function applyObservations({
  client,
  measured,
  config,
  now,
  actor,
  logger,
  ruleList = rules,
}: ApplyObservationsOptions): Promise<EvaluationResult> {
  return inAlertTransaction(client, async () => {
    const result: EvaluationResult = {
      at: now,
      changes: [],
      updated: 0,
      silent: 0,
      failedRules: [],
    };
    const open = new Map((await lockOpenAlerts(client)).map((a) => [key(a.rule, a.scope), a]));
    for (const rule of ruleList) {
      const observations = measured.get(rule.name);
      if (observations === undefined || observations instanceof Error) {
        result.failedRules.push(rule.name);
        continue;
      }
      const thresholds = thresholdsOf(rule, config);
      const byScope = new Map<string, Observation>(observations.map((o) => [o.scope, o]));
      for (const alert of open.values()) {
        if (alert.rule === rule.name && !byScope.has(alert.scope))
          byScope.set(alert.scope, {
            scope: alert.scope,
            serviceName: alert.serviceName,
            value: null,
          });
      }
      for (const observation of byScope.values()) {
        const current = open.get(key(rule.name, observation.scope)) ?? null;
        const state: OpenAlertState | null = current && {
          severity: current.severity,
          status: current.status as OpenAlertState["status"],
          peakValue: current.peakValue,
          clearStreak: current.clearStreak,
        };
        const transition = step(state, observation.value, thresholds, config);
        switch (transition.action) {
          case "none":
            break;
          case "silent":
            result.silent++;
            break;
          case "raise": {
            const alert = await insertAlert(client, {
              rule: rule.name,
              scope: observation.scope,
              serviceName: observation.serviceName,
              severity: transition.severity,
              value: transition.value,
              threshold: transition.threshold,
              now,
            });
            if (!alert) {
              logger.warn(
                "an open alert of this rule and scope appeared outside the alert lock; left as it is",
                { rule: rule.name, scope: observation.scope },
              );
              break;
            }
            await insertEvent(client, alert, "RAISED", actor, now);
            result.changes.push({ kind: "RAISED", alert });
            break;
          }
          case "update":
            await updateObservation(client, current!.id, {
              value: transition.value,
              peak: transition.peak,
              clearStreak: transition.clearStreak,
              now,
            });
            result.updated++;
            break;
          case "escalate": {
            const alert = await escalate(client, current!.id, {
              value: transition.value,
              peak: transition.peak,
              threshold: transition.threshold,
              now,
            });
            await insertEvent(client, alert, "ESCALATED", actor, now);
            result.changes.push({ kind: "ESCALATED", alert });
            break;
          }
          case "resolve": {
            const alert = await resolveCleared(client, current!.id, {
              value: transition.value,
              peak: transition.peak,
              now,
              by: actor,
            });
            await insertEvent(client, alert, "RESOLVED", actor, now);
            result.changes.push({ kind: "RESOLVED", alert });
            break;
          }
        }
      }
    }
    return result;
  });
}

/** The fallback: resolves (NO_DATA) open alerts whose scope has had no data for `silentAfterMs`. */
export async function autoResolveSilent(
  client: ClientBase,
  config: Config["alerts"],
  now: Date,
  actor: string,
): Promise<AlertChange[]> {
  return inAlertTransaction(client, async () => {
    const resolved = await resolveSilent(
      client,
      new Date(now.getTime() - config.silentAfterMs),
      now,
      actor,
    );
    for (const alert of resolved) await insertEvent(client, alert, "RESOLVED", actor, now);
    return resolved.map((alert) => ({ kind: "RESOLVED" as const, alert }));
  });
}
