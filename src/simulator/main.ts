/**
 * `npm run simulate`: realistic RTTM telemetry for all five topics until SIGINT/SIGTERM (or
 * SIM_DURATION_SECONDS). Configuration: src/simulator/config.ts; README "Local run with live data".
 */
import { isRttmError } from "../domain/errors.js";
import { createLogger } from "../log.js";
import { loadSimulatorConfig, type SimulatorConfig } from "./config.js";
import { emptyTotals, runSimulator } from "./run.js";

const log = createLogger({ service: "rttm-simulator" });
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning")
    log.warn("process warning", { name: warning.name, warning: warning.message });
});

let config: SimulatorConfig;
try {
  config = loadSimulatorConfig();
} catch (err) {
  if (isRttmError(err, "CONFIG_INVALID")) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const stop = new AbortController();
const totals = emptyTotals();
let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (++signals > 1) {
      log.warn("second signal: exiting without draining", {
        signal,
        trades: totals.trades,
        events: totals.events,
        outcomes: totals.outcomes,
      });
      process.exit(130);
    }
    log.info("stop requested", { signal });
    stop.abort();
  });
}

try {
  await runSimulator(config, log, stop.signal, 5000, totals);
  log.info("stopped", { ...totals });
  process.exit(0);
} catch (err) {
  log.error("simulator failed", { err });
  process.exit(1);
}
