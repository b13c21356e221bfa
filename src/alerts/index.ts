import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import type { ChangeBus } from "../live/index.js";
import type { Logger } from "../log.js";
import { AlertEvaluator } from "./evaluator.js";
import { AlertFeed } from "./feed.js";

export { AlertEvaluator } from "./evaluator.js";
export { AlertFeed } from "./feed.js";
export { ruleByName, ruleInfo, rules, type RuleInfo } from "./rules.js";
export * from "../domain/alerts.js";

/** The alerts of one replica: the evaluator (one replica at a time evaluates) and the event feed of its subscribers. */
export interface Alerts {
  evaluator: AlertEvaluator;
  feed: AlertFeed;
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
  const evaluator = new AlertEvaluator({
    databaseUrl: config.databaseUrl,
    readPool,
    config: config.alerts,
    bus,
    replica,
    logger: logger.child({ component: "alerts" }),
  });
  const feed = new AlertFeed(readPool, bus, logger.child({ component: "alertFeed" }));
  evaluator.start();
  return {
    evaluator,
    feed,
    config: config.alerts,
    async stop() {
      feed.close();
      await evaluator.stop();
    },
  };
}

export { acknowledgeAlert, resolveAlert } from "./commands.js";
export { alertMessage, timeAgo } from "./format.js";
