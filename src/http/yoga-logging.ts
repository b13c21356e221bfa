import type { YogaLogger } from "graphql-yoga";
import type { Logger } from "../log.js";
import { clientErrorOf } from "./error-masking.js";

/**
 * Yoga's log output through the service logger. Yoga's info is debug here (it narrates requests);
 * an error the client caused (an RttmError with an API code, e.g. a refused argument) is the client's, so it is logged at debug, not error.
 */
export function yogaLogging(logger: Logger): YogaLogger {
  return {
    debug: (...args) => logger.debug("yoga", { args }),
    info: (...args) => logger.debug("yoga", { args }),
    warn: (...args) => logger.warn("yoga", { args }),
    error: (...args) => {
      const clientError = args.some((a) => clientErrorOf(a) !== null);
      (clientError ? logger.debug : logger.error)("graphql error", {
        args: args.map((a) => (a instanceof Error ? a.message : a)),
      });
    },
  };
}
