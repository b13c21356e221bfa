/** The HTTP ingest's Prometheus series, registered on the service's registry and counted where they happen. */
import client, { type Registry } from "prom-client";

export function httpIngestMetrics(registry: Registry) {
  return {
    requests: new client.Counter({
      name: "rttm_http_ingest_requests_total",
      help: "Requests to the producers' ingest endpoints, by path and answered status",
      labelNames: ["path", "status"] as const,
      registers: [registry],
    }),
    events: new client.Counter({
      name: "rttm_http_ingest_events_total",
      help: "Events posted over HTTP and acknowledged by Kafka, by topic",
      labelNames: ["topic"] as const,
      registers: [registry],
    }),
  };
}

export type HttpIngestMetrics = ReturnType<typeof httpIngestMetrics>;
