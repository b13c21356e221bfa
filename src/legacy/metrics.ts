import client from "prom-client";

/**
 * One series per legacy route so operators can see when the old page is gone: requests per REST
 * route and status, open raw sockets per path, and raw sockets opened per path.
 */
export function createLegacyMetrics(registry: client.Registry) {
  return {
    requests: new client.Counter({
      name: "rttm_legacy_requests_total",
      help: "Legacy REST requests (the old dashboard's /api/rttm/* calls) per route and status",
      labelNames: ["route", "status"],
      registers: [registry],
    }),
    openSockets: new client.Gauge({
      name: "rttm_legacy_open_sockets",
      help: "Open raw (non-GraphQL) dashboard WebSockets per path",
      labelNames: ["path"],
      registers: [registry],
    }),
    socketsOpened: new client.Counter({
      name: "rttm_legacy_sockets_opened_total",
      help: "Raw dashboard WebSockets accepted per path",
      labelNames: ["path"],
      registers: [registry],
    }),
  };
}

export type LegacyMetrics = ReturnType<typeof createLegacyMetrics>;
