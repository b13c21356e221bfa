import { log as rootLogger, type Logger } from "../log.js";
import { newBusStats, NoticeListeners, type ChangeBus } from "./bus.js";
import { boundNotice } from "./notice.js";

/**
 * One replica without Redis: notices go straight to this process's listeners, on a microtask
 * (an EventEmitter would call them synchronously inside publish).
 */
export function inProcessBus(
  logger: Logger = rootLogger.child({ component: "changeBus" }),
): ChangeBus {
  const listeners = new NoticeListeners(logger);
  const stats = newBusStats();
  let closed = false;
  return {
    stats: () => ({ ...stats }),
    get healthy() {
      return !closed;
    },
    publish(notice) {
      if (closed) {
        stats.publishFailures++;
        return;
      }
      try {
        listeners.deliver(boundNotice(notice));
        stats.published++;
        stats.received++;
      } catch (err) {
        stats.publishFailures++;
        logger.error("change notice not published", { err });
      }
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
