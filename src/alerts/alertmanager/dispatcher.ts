/**
 * Sends RTTM's alerts to every configured Alertmanager, from the replica that evaluates alerts only.
 *
 * Each round reads the alerts to deliver (open, and resolved within the last 4 resend intervals),
 * maps them (labels.ts) and posts all of them to each Alertmanager: state, not events, so a round
 * that fails loses nothing — the next one sends the state as it is then. Rounds run when an alert
 * changes (a change notice), when this replica becomes the evaluator (every open alert at once),
 * and every RTTM_ALERTMANAGER_RESEND. An Alertmanager that is down or answers 5xx is tried again
 * with capped exponential backoff (at-least-once; the others are not held up); one that refuses
 * the body (4xx) gets the alerts one by one, and an alert it refuses is logged with its labels and
 * not sent to it again. Nothing here is awaited by evaluation, ingest or readiness.
 */
import type { Pool } from "pg";
import type { AlertmanagerSettings, Config } from "../../config/index.js";
import type { AlertRecord, RuleName } from "../../domain/alerts.js";
import { isRttmError } from "../../domain/errors.js";
import type { Logger } from "../../log.js";
import { backoffDelayMs } from "../../pipeline/index.js";
import { alertDeliveries, alertsToDeliver } from "../../store/read/index.js";
import {
  recordFailure,
  recordSent,
  recordSilence,
  recordSilenceExpired,
} from "../../store/index.js";
import { ruleByName, thresholdsOf } from "../rules.js";
import { expireSilence, postAlerts, postSilence } from "./client.js";
import { labelKey, labelsOf, postableAlerts, type LabelOptions, type Sent } from "./labels.js";
import { silenceActions, silenceFor } from "./silences.js";

/** Firing alerts carry endsAt this many resend intervals ahead; resolved ones are sent this long. */
export const lookaheadIntervals = 4;
const retryInitialMs = 1_000;

export interface DeliveryStats {
  /** Alerts accepted, per Alertmanager send. */
  sent: number;
  /** Alerts not delivered because an Alertmanager was down, timed out or answered 5xx (retried). */
  failed: number;
  /** Alerts an Alertmanager refused (4xx): logged, not sent to it again. */
  rejected: number;
  /** When an Alertmanager last accepted a POST (ms since the epoch); null before the first. */
  lastSuccessMs: number | null;
}

interface Target {
  url: string;
  failures: number;
  retryAtMs: number;
  /** Keys of alerts this Alertmanager refused (label set and times): not sent to it again. */
  refused: Set<string>;
}

interface Outcome {
  accepted: string[];
  failed: Map<string, string>;
}

export interface DispatcherOptions {
  settings: AlertmanagerSettings;
  alerts: Config["alerts"];
  db: Pool;
  /** Whether this replica evaluates alerts now (only then does it send). */
  isLeader(): boolean;
  logger: Logger;
  now?: () => Date;
}

export class AlertmanagerDispatcher {
  readonly stats: DeliveryStats = { sent: 0, failed: 0, rejected: 0, lastSuccessMs: null };
  private readonly targets: Target[];
  private readonly labelOptions: LabelOptions;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private leading = false;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    const { settings } = options;
    this.now = options.now ?? (() => new Date());
    this.targets = settings.urls.map((url) => ({
      url,
      failures: 0,
      retryAtMs: 0,
      refused: new Set(),
    }));
    this.labelOptions = {
      staticLabels: settings.staticLabels,
      runbookUrl: settings.runbookUrl,
      dashboardUrl: settings.dashboardUrl,
      lookaheadMs: lookaheadIntervals * settings.resendMs,
      warningThreshold: (rule: RuleName) =>
        thresholdsOf(ruleByName.get(rule)!, options.alerts).warning,
    };
  }

  start(): void {
    this.schedule(0);
  }

  /** A round as soon as possible (an alert changed, or this replica became the evaluator). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.round();
      } catch (err) {
        this.options.logger.warn("alert delivery round failed; trying again next interval", {
          err,
        });
      }
    } while (this.again && !this.stopped);
    const nowMs = this.now().getTime();
    const nextRetry = Math.min(
      ...this.targets.filter((t) => t.failures > 0).map((t) => t.retryAtMs),
    );
    this.schedule(Math.min(this.options.settings.resendMs, nextRetry - nowMs));
  }

  /** One round: silences, then every alert to every Alertmanager not waiting for its retry. */
  private async round(): Promise<void> {
    if (!this.options.isLeader()) {
      this.leading = false;
      return;
    }
    const { db, settings, logger } = this.options;
    const now = this.now();
    if (!this.leading) {
      this.leading = true;
      logger.info("this replica now sends alerts to Alertmanager: every open alert at once", {
        alertmanagers: settings.urls,
      });
    }
    const alerts = await alertsToDeliver(
      db,
      new Date(now.getTime() - lookaheadIntervals * settings.resendMs),
    );
    if (settings.silenceOnAck) await this.silences(alerts, now);
    const payload = postableAlerts(alerts, now, this.labelOptions);
    if (payload.length === 0) return;
    const due = this.targets.filter((t) => t.retryAtMs <= now.getTime());
    const outcomes = await Promise.all(due.map((t) => this.sendTo(t, payload, now)));
    // An alert one Alertmanager accepted and another did not shows both (the error names it).
    const accepted = new Set(outcomes.flatMap((o) => o.accepted));
    const failures = new Map<string, string[]>();
    for (const outcome of outcomes)
      for (const [id, error] of outcome.failed)
        failures.set(error, [...(failures.get(error) ?? []), id]);
    await recordSent(db, [...accepted], now);
    for (const [error, ids] of failures) await recordFailure(db, ids, error, now);
  }

  private async sendTo(target: Target, payload: Sent[], now: Date): Promise<Outcome> {
    const { logger, settings } = this.options;
    const outcome: Outcome = { accepted: [], failed: new Map() };
    const keys = new Map(payload.map((s) => [s, refusalKey(s)]));
    // Forget refusals of alerts no longer sent; leave out the ones still refused.
    const current = new Set(keys.values());
    for (const key of target.refused) if (!current.has(key)) target.refused.delete(key);
    const batch = payload.filter((s) => !target.refused.has(keys.get(s)!));
    if (batch.length === 0) return outcome;
    try {
      await postAlerts(
        target.url,
        batch.map((s) => s.alert),
        settings.timeoutMs,
      );
      this.succeeded(target, batch, outcome, now);
      return outcome;
    } catch (err) {
      if (!isRttmError(err, "ALERTMANAGER_FAILED") || err.retriable) {
        this.failedAt(target, batch, outcome, err as Error, now);
        return outcome;
      }
    }
    // 4xx: the body was refused. One by one, so one bad alert does not hold up the others.
    for (const sent of batch) {
      try {
        await postAlerts(target.url, [sent.alert], settings.timeoutMs);
        this.succeeded(target, [sent], outcome, now);
      } catch (err) {
        if (!isRttmError(err, "ALERTMANAGER_FAILED") || err.retriable) {
          this.failedAt(target, [sent], outcome, err as Error, now);
          continue;
        }
        target.refused.add(keys.get(sent)!);
        this.stats.rejected++;
        outcome.failed.set(sent.alertId, err.message);
        logger.error("Alertmanager refused an alert; it is not sent to this Alertmanager again", {
          alertmanager: target.url,
          alertId: sent.alertId,
          alert: sent.alert,
          err,
        });
      }
    }
    return outcome;
  }

  private succeeded(target: Target, sent: Sent[], outcome: Outcome, now: Date): void {
    if (target.failures > 0)
      this.options.logger.info("Alertmanager reachable again", {
        alertmanager: target.url,
        failures: target.failures,
      });
    target.failures = 0;
    target.retryAtMs = 0;
    this.stats.sent += sent.length;
    this.stats.lastSuccessMs = now.getTime();
    outcome.accepted.push(...sent.map((s) => s.alertId));
  }

  private failedAt(target: Target, sent: Sent[], outcome: Outcome, err: Error, now: Date): void {
    const delayMs = backoffDelayMs(target.failures, retryInitialMs, this.options.settings.resendMs);
    target.failures++;
    target.retryAtMs = now.getTime() + delayMs;
    this.stats.failed += sent.length;
    for (const s of sent) outcome.failed.set(s.alertId, err.message);
    this.options.logger.warn("alerts not delivered to Alertmanager; trying again", {
      alertmanager: target.url,
      alerts: sent.length,
      attempt: target.failures,
      retryInMs: delayMs,
      err,
    });
  }

  /**
   * Creates the silences of newly acknowledged alerts, renews those running out while their alert
   * stays acknowledged, and expires those no longer acknowledged. A failure is retried next round.
   */
  private async silences(alerts: readonly AlertRecord[], now: Date): Promise<void> {
    const { db, settings, logger } = this.options;
    const deliveries = await alertDeliveries(
      db,
      alerts.map((a) => a.id),
    );
    for (const step of silenceActions(alerts, deliveries, now, settings.silenceDurationMs)) {
      const alert = step.alert;
      try {
        if (step.action === "expire") {
          await expireSilence(step.url, step.silenceId, settings.timeoutMs);
          await recordSilenceExpired(db, alert.id, now);
          logger.info("silence expired", { alertId: alert.id, silenceId: step.silenceId });
        } else if (step.action === "renew") {
          await this.renewSilence(alert, step, now);
        } else {
          await this.createSilence(alert, now);
        }
      } catch (err) {
        logger.warn(`could not ${step.action} the silence of an alert; trying again next round`, {
          alertId: alert.id,
          err,
        });
        await recordFailure(db, [alert.id], (err as Error).message, now);
      }
    }
  }

  /** A new silence on the first Alertmanager that takes it (an HA cluster shares it with its peers). */
  private async createSilence(alert: AlertRecord, now: Date): Promise<void> {
    const { db, settings, logger } = this.options;
    const labels = labelsOf(alert, alert.severity, settings.staticLabels);
    const silence = silenceFor(alert, labels, now, settings.silenceDurationMs);
    let lastError: unknown;
    for (const target of this.targets) {
      try {
        const id = await postSilence(target.url, silence, settings.timeoutMs);
        await recordSilence(db, alert.id, {
          id,
          url: target.url,
          endsAt: new Date(silence.endsAt),
        });
        logger.info("acknowledged alert silenced", { alertId: alert.id, silenceId: id });
        return;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /**
   * Replaces the silence with one ending a whole duration from now, on the Alertmanager that holds
   * it. When that one no longer knows it (restarted without its storage), or cannot be reached
   * after the silence ended, a new silence is created on any Alertmanager instead.
   */
  private async renewSilence(
    alert: AlertRecord,
    { silenceId: id, url, endsAt }: { silenceId: string; url: string; endsAt: Date | null },
    now: Date,
  ): Promise<void> {
    const { db, settings, logger } = this.options;
    const labels = labelsOf(alert, alert.severity, settings.staticLabels);
    const silence = silenceFor(alert, labels, now, settings.silenceDurationMs, id);
    let renewed: string;
    try {
      renewed = await postSilence(url, silence, settings.timeoutMs);
    } catch (err) {
      const unknown = isRttmError(err, "ALERTMANAGER_FAILED") && err.upstreamStatus === 404;
      const ended = endsAt !== null && endsAt.getTime() <= now.getTime();
      if (!unknown && !ended) throw err;
      logger.info("could not renew the silence of an acknowledged alert; creating a new one", {
        alertId: alert.id,
        silenceId: id,
        alertmanager: url,
        err,
      });
      await this.createSilence(alert, now);
      return;
    }
    await recordSilence(db, alert.id, { id: renewed, url, endsAt: new Date(silence.endsAt) });
    logger.debug("silence renewed", { alertId: alert.id, silenceId: renewed, replaced: id });
  }
}

/** What an Alertmanager refused: the label set and times, not the annotations (they change). */
function refusalKey(sent: Sent): string {
  return JSON.stringify([
    labelKey(sent.alert.labels),
    sent.alert.startsAt,
    sent.firing ? "firing" : sent.alert.endsAt,
  ]);
}
