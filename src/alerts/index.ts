import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import { alertsChangeTable } from "../domain/changes.js";
import { resyncOrigin, type ChangeBus } from "../live/index.js";
import type { Logger } from "../log.js";
import { AlertmanagerDispatcher } from "./alertmanager/dispatcher.js";
import { AlertEvaluator } from "./evaluator.js";
import { AlertFeed } from "./feed.js";

export { AlertEvaluator } from "./evaluator.js";
export { AlertFeed, type AlertFeedStats } from "./feed.js";
export { AlertmanagerDispatcher } from "./alertmanager/dispatcher.js";
export { registerDeliveryMetrics } from "./alertmanager/metrics.js";
export { ruleByName, ruleInfo, rules, type RuleInfo } from "./rules.js";
export * from "../domain/alerts.js";

/**
 * The alerts of one replica: the evaluator (one replica at a time evaluates), the event feed of its
 * subscribers and, with RTTM_ALERTMANAGER_URLS, the delivery to Alertmanager (from the evaluating
 * replica only).
 */
export interface Alerts {
  evaluator: AlertEvaluator;
  feed: AlertFeed;
  /** Null while delivery is off (RTTM_ALERTMANAGER_URLS unset). */
  delivery: AlertmanagerDispatcher | null;
  config: Config["alerts"];
  stop(): Promise<void>;
}

export function startAlerts(options: {
  config: Config;
  readPool: Pool;
  bus: ChangeBus;
  replica: string;
  logger: Logger;
}): Alerts {
  const { config, readPool, bus, replica, logger } = options;
  let delivery: AlertmanagerDispatcher | null = null;
  const evaluator = new AlertEvaluator({
    databaseUrl: config.databaseUrl,
    readPool,
    config: config.alerts,
    bus,
    replica,
    logger: logger.child({ component: "alerts" }),
    // A new evaluator sends every open alert at once.
    onLeading: () => delivery?.wake(),
  });
  const feed = new AlertFeed(readPool, bus, logger.child({ component: "alertFeed" }));
  let unsubscribe = () => {};
  if (config.alertmanager.mode === "on") {
    const dispatcher = new AlertmanagerDispatcher({
      settings: config.alertmanager,
      alerts: config.alerts,
      db: readPool,
      isLeader: () => evaluator.isLeader,
      logger: logger.child({ component: "alertmanager" }),
    });
    delivery = dispatcher;
    // Any alert change (evaluation, acknowledge, resolve, on any replica) is sent at once.
    unsubscribe = bus.subscribe((notice) => {
      if (notice.tables.includes(alertsChangeTable) || notice.origin === resyncOrigin)
        dispatcher.wake();
    });
    dispatcher.start();
  }
  evaluator.start();
  return {
    evaluator,
    feed,
    delivery,
    config: config.alerts,
    async stop() {
      unsubscribe();
      feed.close();
      await evaluator.stop();
      await delivery?.stop();
    },
  };
}

export { acknowledgeAlert, resolveAlert } from "./commands.js";
export { alertMessage, timeAgo } from "./format.js";
