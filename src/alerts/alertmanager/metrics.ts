/** The delivery's Prometheus metrics, read at scrape time from the dispatcher's counts. */
import client from "prom-client";
import type { DeliveryStats } from "./dispatcher.js";

export function registerDeliveryMetrics(registry: client.Registry, stats: DeliveryStats): void {
  new client.Counter({
    name: "rttm_alertmanager_sent_total",
    help: "Alerts sent to Alertmanager, per Alertmanager and attempt: success, failed (down, timeout, 5xx: retried), rejected (4xx: not sent again)",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: "success" }, stats.sent);
      this.inc({ result: "failed" }, stats.failed);
      this.inc({ result: "rejected" }, stats.rejected);
    },
  });
  new client.Gauge({
    name: "rttm_alertmanager_last_success_timestamp_seconds",
    help: "When an Alertmanager last accepted alerts from this replica (0: never)",
    registers: [registry],
    collect() {
      this.set((stats.lastSuccessMs ?? 0) / 1000);
    },
  });
}
