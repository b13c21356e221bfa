import pg, { type Pool } from "pg";
import type { Config } from "../config/index.js";
import { alertsChangeTable } from "../domain/changes.js";
import { advisoryLockKeys } from "../domain/locks.js";
import { changeNotice, type ChangeBus } from "../live/index.js";
import type { Logger } from "../log.js";
import {
  applyObservations,
  autoResolveSilent,
  measureRules,
  type AlertChange,
  type EvaluationResult,
} from "./evaluate.js";

export interface EvaluatorOptions {
  databaseUrl: string;
  /** Where the rules' measurements are read (the dashboards' read pool). */
  readPool: Pool;
  config: Config["alerts"];
  /** Change notices ("alerts") after every evaluation that changed something. */
  bus?: ChangeBus;
  replica: string;
  logger: Logger;
  /** Called when this replica takes the evaluator role. */
  onLeading?: () => void;
}

/**
 * Evaluates the alert rules on one replica at a time. Every replica runs one; the one holding the
 * session-level advisory lock `advisoryLockKeys.alertEvaluator` on its own dedicated connection evaluates, and
 * its writes go through that same connection, so a replica whose connection died (and with it the
 * lock, which PostgreSQL then hands to the next replica that asks) cannot write any more. The
 * others try to take the lock at every interval; when the evaluating replica stops or dies, one of
 * them takes over within an interval.
 */
export class AlertEvaluator {
  readonly actor: string;
  private client: pg.Client | null = null;
  private leading = false;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastAutoResolveMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EvaluatorOptions) {
    this.actor = `rttm-evaluator@${options.replica}`;
  }

  /** Whether this replica held the evaluator lock at its last attempt. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * One evaluation of every rule at `now`, if this replica holds (or can now take) the evaluator
   * lock; null otherwise. Calls are serialised.
   */
  evaluate(now: Date = new Date()): Promise<EvaluationResult | null> {
    return this.serial(async () => {
      const client = await this.lead();
      if (!client) return null;
      const measured = await measureRules(this.options.readPool, now);
      const result = await this.write(() =>
        applyObservations({
          client,
          measured,
          config: this.options.config,
          now,
          actor: this.actor,
          logger: this.options.logger,
        }),
      );
      for (const name of result.failedRules)
        this.options.logger.warn("alert rule not measured; its alerts are left as they are", {
          rule: name,
          err: measured.get(name),
        });
      this.announce(result.changes, result.updated > 0);
      this.options.logger.debug("alerts evaluated", {
        at: now,
        changes: result.changes.length,
        updated: result.updated,
        silent: result.silent,
      });
      return result;
    });
  }

  /** Auto-resolves open alerts of scopes silent for RTTM_ALERT_SILENT_AFTER_MS, if this replica evaluates; null otherwise. */
  autoResolve(now: Date = new Date()): Promise<AlertChange[] | null> {
    return this.serial(async () => {
      const client = await this.lead();
      if (!client) return null;
      const changes = await this.write(() =>
        autoResolveSilent(client, this.options.config, now, this.actor),
      );
      this.lastAutoResolveMs = now.getTime();
      this.announce(changes, false);
      return changes;
    });
  }

  /** Evaluates now and then every RTTM_ALERT_EVAL_INTERVAL; auto-resolve runs every RTTM_ALERT_AUTO_RESOLVE_INTERVAL. */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        const now = new Date();
        if (
          (await this.evaluate(now)) !== null &&
          now.getTime() - this.lastAutoResolveMs >= this.options.config.autoResolveIntervalMs
        ) {
          await this.autoResolve(now);
        }
      } catch (err) {
        this.options.logger.warn("alert evaluation failed; trying again next interval", { err });
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void tick(), this.options.config.evalIntervalMs);
        this.timer.unref();
      }
    };
    void tick();
  }

  /** Stops evaluating and gives the role up at once (the lock goes with the connection). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
    this.drop(null);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The evaluating connection, taking the lock if free; null when another replica holds it. */
  private async lead(): Promise<pg.Client | null> {
    if (this.stopped) return null;
    if (!this.client) {
      const client = new pg.Client({
        connectionString: this.options.databaseUrl,
        keepAlive: true,
        connectionTimeoutMillis: 5_000,
        application_name: `rttm-alerts ${this.options.replica}`.slice(0, 63),
      });
      client.on("error", (err) => {
        if (this.client === client) this.drop(err);
      });
      client.on("end", () => {
        if (this.client === client)
          this.drop(new Error("the evaluator's database connection closed"));
      });
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
    }
    if (!this.leading) {
      const { rows } = await this.client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1) AS locked",
        [advisoryLockKeys.alertEvaluator],
      );
      if (rows[0]?.locked) {
        this.leading = true;
        this.options.logger.info("this replica now evaluates the alert rules", {
          replica: this.options.replica,
        });
        this.options.onLeading?.();
      }
    }
    return this.leading ? this.client : null;
  }

  /** A failed write may have lost the connection (and the lock): start afresh next time. */
  private async write<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.drop(err);
      throw err;
    }
  }

  private drop(err: unknown): void {
    const client = this.client;
    this.client = null;
    if (this.leading)
      this.options.logger[err ? "warn" : "info"](
        "this replica no longer evaluates the alert rules",
        { replica: this.options.replica, err: err ?? undefined },
      );
    this.leading = false;
    void client?.end().catch(() => undefined);
  }

  private announce(changes: AlertChange[], updated: boolean): void {
    for (const { kind, alert } of changes) {
      this.options.logger.info(`alert ${kind.toLowerCase()}`, {
        alertId: alert.id,
        rule: alert.rule,
        scope: alert.scope,
        severity: alert.severity,
        value: alert.currentValue,
        threshold: alert.thresholdValue,
      });
    }
    if (changes.length > 0 || updated)
      this.options.bus?.publish(changeNotice(this.options.replica, [alertsChangeTable]));
  }
}
