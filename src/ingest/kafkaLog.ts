import { logLevel as KafkaLogLevel, type logCreator } from "kafkajs";
import type { Logger } from "../log.js";

/** kafkajs' log lines through our logger: errors and warnings as such, the rest at debug. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, label, log: entry }) => {
      const { message, ...fields } = entry;
      const target =
        level <= KafkaLogLevel.ERROR
          ? logger.error
          : level === KafkaLogLevel.WARN
            ? logger.warn
            : logger.debug;
      target(message, { component: "kafkajs", kafkaLevel: label, ...fields });
    };
}
