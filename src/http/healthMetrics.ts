/**
 * Gauges for RTTM's own health rules (monitoring/rttm.rules.yml): readiness as the probe sees it,
 * and whether the identity keys (JWKS) can be fetched. Read at scrape time.
 */
import client from "prom-client";
import type { Health } from "./health.js";

export function registerHealthMetrics(
  registry: client.Registry,
  sources: { health: Health; jwks?: { readonly failing: boolean } | undefined },
): void {
  new client.Gauge({
    name: "rttm_ready",
    help: "1 while readiness (the readiness probe's answer) is UP, 0 while it is DOWN",
    registers: [registry],
    async collect() {
      this.set((await sources.health.readiness()).status === "UP" ? 1 : 0);
    },
  });
  const jwks = sources.jwks;
  if (jwks)
    new client.Gauge({
      name: "rttm_jwks_fetch_failing",
      help: "1 while the last fetch of the identity keys (RTTM_AUTH_JWKS_URL) failed (RTTM_AUTH_MODE=jwt only)",
      registers: [registry],
      collect() {
        this.set(jwks.failing ? 1 : 0);
      },
    });
}
