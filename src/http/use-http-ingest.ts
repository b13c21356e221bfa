/**
 * The producers' ingest endpoints: POST /api/rttm/{trade-events,dlq-events,queue-metrics,
 * error-events} with one raw protobuf event (`application/octet-stream`, what pms-rttm-client's
 * HTTP mode sends) or length-delimited events (`application/x-protobuf; delimited=true`), answered
 * as a whole: 202 once Kafka acknowledged every event, else nothing of it is acknowledged.
 *
 * Checks in order: the API key (401 missing or empty, 403 unknown; a JWT is never accepted here),
 * the content type (415), the body's size (413) and content (400, naming the field and why), the
 * key's rate (429), then Kafka (503 with Retry-After when it or the registry does not answer).
 *
 * A route group at the Node level (like the legacy REST API) rather than a Yoga plugin: producers
 * post thousands of small requests a second, and Yoga's Fetch-API adapter would add a Request and
 * a Response object per event for nothing GraphQL needs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpIngestConfig } from "../config/index.js";
import type { Logger } from "../log.js";
import { isRttmError, type RttmError } from "../domain/errors.js";
import { eventKinds, type EventAppender, type EventKind } from "../producer/index.js";
import { apiKeyRing } from "./ingest/apiKeys.js";
import { bodyForm, BodyRefused, readBody, splitDelimited } from "./ingest/body.js";
import type { HttpIngestMetrics } from "./ingest/metrics.js";
import { tokenBuckets } from "./ingest/rateLimit.js";
import type { RouteGroup } from "./route-groups.js";

export interface HttpIngestOptions {
  /**
   * The RTTM_INGEST_* settings (keys, limits). With no key the endpoints are off: the group takes
   * no request and the paths stay 404.
   * @default none (required)
   */
  settings: HttpIngestConfig;
  /**
   * Appends accepted events to Kafka and resolves on the acknowledgement.
   * @default none (required)
   */
  appender: EventAppender;
  /**
   * rttm_http_ingest_requests_total and rttm_http_ingest_events_total.
   * @default none (required)
   */
  metrics: HttpIngestMetrics;
  logger: Logger;
}

const pathPrefix = "/api/rttm/";
/** Length prefix room per event in a delimited body (a varint of up to 5 bytes). */
const prefixBytes = 5;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const refusal = (
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Answer => ({ status, body: { status, error, message, ...extra }, headers });

/** The RttmErrors a request can end with, each answered here and nowhere else. */
const refusalCodes = [
  "BODY_INVALID",
  "BODY_TOO_LARGE",
  "EVENT_INVALID",
  "PRODUCE_UNAVAILABLE",
] as const;
type Refused = RttmError<(typeof refusalCodes)[number]>;

/** This transport's answer to an error: its status, body and headers, logged as what it is. */
function refusalOf(
  err: Refused,
  form: "single" | "delimited",
  retryAfter: string,
  log: Logger,
): Answer {
  switch (err.code) {
    case "BODY_INVALID":
    case "BODY_TOO_LARGE": {
      const status = err.code === "BODY_TOO_LARGE" ? 413 : 400;
      log.info("ingest request refused", { status, reason: err.message });
      return refusal(
        status,
        status === 413 ? "Payload Too Large" : "Bad Request",
        err.message,
        err.index === undefined ? {} : { index: err.index },
      );
    }
    case "EVENT_INVALID":
      log.info("ingest request refused", { status: 400, field: err.field, reason: err.message });
      return refusal(400, "Bad Request", err.message, {
        field: err.field ?? "body",
        reason: err.message,
        ...(form === "delimited" ? { index: err.index } : {}),
      });
    case "PRODUCE_UNAVAILABLE":
      log.warn("ingest request not stored; answered 503", {
        dependency: err.dependency,
        reason: err.message,
      });
      return refusal(
        503,
        "Service Unavailable",
        err.message,
        { dependency: err.dependency },
        { "retry-after": retryAfter },
      );
  }
}

export interface HttpIngestRoutes extends RouteGroup {
  /**
   * Shutdown: later requests are answered 503 (Retry-After, Connection: close); resolves when the
   * requests already posted have their answer (202 or 503), at most after the produce timeout.
   */
  drain(): Promise<void>;
}

export function useHttpIngest({
  settings,
  appender,
  metrics,
  logger,
}: HttpIngestOptions): HttpIngestRoutes {
  if (settings.apiKeys.length === 0) return { drain: () => Promise.resolve() };
  const keys = apiKeyRing(settings.apiKeys);
  const rate = tokenBuckets(settings.rateLimitPerKey, settings.rateBurstPerKey);
  const retryAfter = String(settings.retryAfterSeconds);
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  async function answer(req: IncomingMessage, kind: EventKind, path: string): Promise<Answer> {
    if (req.method !== "POST")
      return refusal(405, "Method Not Allowed", `${path} takes POST`, {}, { allow: "POST" });
    const key = keys.check(req.headers["x-api-key"] as string | undefined);
    if (key.kind !== "known") {
      // Neither the presented key nor any part of it is logged.
      logger.info("ingest request refused", { path, reason: `${key.kind} API key` });
      return key.kind === "missing"
        ? refusal(401, "Unauthorized", "an API key is required in X-API-Key")
        : refusal(403, "Forbidden", "the API key is not known");
    }
    const log = logger.child({ apiKey: key.name, path });
    const form = bodyForm(req.headers["content-type"]);
    if (!form) {
      return refusal(
        415,
        "Unsupported Media Type",
        "expected Content-Type application/octet-stream (one event) or application/x-protobuf; delimited=true (a batch)",
      );
    }
    let payloads: Buffer[];
    try {
      const body = await readBody(
        req,
        form === "single"
          ? settings.maxEventBytes
          : (settings.maxEventBytes + prefixBytes) * settings.maxBatchEvents,
      );
      if (body.length === 0) throw new BodyRefused(400, "the body is empty");
      payloads =
        form === "single"
          ? [body]
          : splitDelimited(body, settings.maxEventBytes, settings.maxBatchEvents);
    } catch (err) {
      if (!isRttmError(err, ...refusalCodes)) throw err;
      return refusalOf(err, form, retryAfter, log);
    }
    let events;
    try {
      events = payloads.map((p, i) => kind.accept(p, i));
    } catch (err) {
      if (!isRttmError(err, ...refusalCodes)) throw err;
      return refusalOf(err, form, retryAfter, log);
    }
    const wait = rate.take(key.name, events.length);
    if (wait > 0) {
      log.info("ingest request over the key's rate", { events: events.length, retryAfter: wait });
      return refusal(
        429,
        "Too Many Requests",
        `more than ${settings.rateLimitPerKey} events per second for this key`,
        {},
        { "retry-after": String(wait) },
      );
    }
    try {
      await appender.append(kind, events);
    } catch (err) {
      if (!isRttmError(err, ...refusalCodes)) throw err;
      return refusalOf(err, form, retryAfter, log.child({ events: events.length }));
    }
    metrics.events.inc({ topic: appender.topicOf(kind) }, events.length);
    return { status: 202, body: { accepted: events.length } };
  }

  return {
    async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const url = req.url ?? "";
      if (!url.startsWith(pathPrefix)) return false;
      const end = url.indexOf("?");
      const path = end < 0 ? url : url.slice(0, end);
      const kind = eventKinds.get(path.slice(pathPrefix.length));
      if (!kind) return false;
      inFlight++;
      let result: Answer;
      try {
        result = draining
          ? refusal(
              503,
              "Service Unavailable",
              "this replica is shutting down",
              {},
              { "retry-after": "1", connection: "close" },
            )
          : await answer(req, kind, path);
      } finally {
        if (--inFlight === 0) drained?.();
      }
      metrics.requests.inc({ path, status: String(result.status) });
      const body = JSON.stringify(result.body);
      res.writeHead(result.status, {
        "content-type": "application/json",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(body),
        // A body refused before it was read: the connection cannot be reused.
        ...(result.status === 413 && !req.complete ? { connection: "close" } : {}),
        ...result.headers,
      });
      res.end(body);
      return true;
    },
    async drain() {
      draining = true;
      if (inFlight === 0) return;
      const bound = settings.produceTimeoutMs + 1_000;
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, bound).unref();
      });
    },
  };
}
