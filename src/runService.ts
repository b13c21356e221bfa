import { loadConfig } from "./config/index.js";
import { isRttmError } from "./domain/errors.js";
import { startApp, type App, type AppOptions } from "./app.js";
import { log } from "./log.js";

/**
 * The service as a process: configuration from the environment (exit 2 when invalid), signals
 * and fatal errors shut it down within the configured bound. src/main.ts runs it as deployed;
 * a benchmark may compose it differently through `options`.
 */
export function runService(options: Omit<AppOptions, "onFatal"> = {}): void {
  // Process warnings go to the JSON log. kafkajs 2.2 schedules a negative timeout on Node ≥ 23
  // (TimeoutNegativeWarning, harmless: Node uses 1 ms), so that one is debug-level.
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    const harmless = warning.name === "TimeoutNegativeWarning";
    (harmless ? log.debug : log.warn)("process warning", {
      name: warning.name,
      warning: warning.message,
    });
  });
  main(options).catch((err) => {
    log.error("fatal error", { err });
    process.exit(1);
  });
}

async function main(options: Omit<AppOptions, "onFatal">): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (isRttmError(err, "CONFIG_INVALID")) {
      log.error("invalid configuration; not starting", { problems: err.problems });
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let app: App | undefined;
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const hardStop = setTimeout(() => {
      log.error("shutdown bound exceeded; exiting", { boundMs: config.pipeline.shutdownTimeoutMs });
      process.exit(1);
    }, config.pipeline.shutdownTimeoutMs + 2000);
    hardStop.unref();
    const outcome = app ? await app.stop() : "not started";
    log.info("stopped", { outcome });
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (err) => {
    log.error("unhandled rejection; shutting down", { err });
    void shutdown("unhandled-rejection", 1);
  });
  app = await startApp(config, log, {
    ...options,
    onFatal: (err) => {
      log.error(
        "kafka consumer stopped for good; shutting down so the orchestrator restarts the service",
        { err },
      );
      void shutdown("consumer-failure", 1);
    },
  });
}
