/**
 * The producers' HTTP ingest against a running RTTM with real Kafka, Schema Registry and
 * PostgreSQL: pms-rttm-client 2.3.0's captured requests replayed byte for byte, every refusal,
 * and durability (Kafka outage, kill -9 right after a 202).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import type { Producer } from "kafkajs";
import { rules } from "../../src/alerts/rules.js";
import type { App } from "../../src/app.js";
import {
  count,
  createTestDatabase,
  freePort,
  waitFor,
  type TestDatabase,
} from "../support/infra.js";
import { connectProducer, createTopics, createEncoder, uniqueTopics } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { graphql, serviceEnv, startAppInProcess, startChild } from "../support/service.js";
import { startPrivateKafka, type PrivateKafka } from "../support/privateKafka.js";

/** The spec's fixture (../shared/spec/fixtures), copied unchanged into the repository. */
const fixture = new URL("../fixtures/pms-rttm-client-2.3.0-http.jsonl", import.meta.url);

interface CapturedRequest {
  path: string;
  headers: Array<[string, string]>;
  bodyHex: string;
}

function captured(): CapturedRequest[] {
  return readFileSync(fixture, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as CapturedRequest);
}

const harnessKey = "harness-api-key";
const keys = {
  harness: harnessKey,
  batch: "batch-key-0123456789",
  limited: "limited-key-0123456789",
  refusals: "refusals-key-0123456789",
};
const apiKeysEnv = Object.entries(keys)
  .map(([name, key]) => `${name}:${key}`)
  .join(",");

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** One request over a keep-alive agent, headers exactly as given. */
export function post(
  port: number,
  path: string,
  headers: Record<string, string | number>,
  body: Buffer,
  agent?: http.Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** One event as the library posts it; `key` null: no X-API-Key header. */
function single(port: number, path: string, body: Buffer, key: string | null = keys.refusals) {
  return post(
    port,
    `/api/rttm/${path}`,
    {
      "content-type": "application/octet-stream",
      ...(key === null ? {} : { "x-api-key": key }),
    },
    body,
  );
}

/** Length-delimited events: each an unsigned varint length, then the bytes. */
function delimited(events: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of events) {
    const prefix: number[] = [];
    let n = e.length;
    while (n >= 0x80) {
      prefix.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    prefix.push(n);
    parts.push(Buffer.from(prefix), Buffer.from(e));
  }
  return Buffer.concat(parts);
}

const tradeBytes = (
  tradeId: string,
  timeMs = Date.now() - 60_000,
  stage: "RECEIVED" = "RECEIVED",
) =>
  Buffer.from(
    toBinary(
      m.RttmTradeEventSchema,
      create(m.RttmTradeEventSchema, m.tradeEvent(tradeId, stage, timeMs)),
    ),
  );

describe("producers' HTTP ingest against real Kafka, registry and PostgreSQL", () => {
  const { topics, env } = uniqueTopics();
  let db: TestDatabase;
  let app: App;
  let port: number;

  before(async () => {
    db = await createTestDatabase();
    await createTopics(topics);
    app = await startAppInProcess(
      serviceEnv(db.url, env, {
        RTTM_INGEST_API_KEYS: apiKeysEnv,
        RTTM_INGEST_MAX_EVENT_BYTES: "4096",
        RTTM_INGEST_MAX_BATCH_EVENTS: "20",
        RTTM_INGEST_RATE_LIMIT: "1",
        RTTM_INGEST_RATE_BURST: "30",
      }),
    );
    port = app.port;
  });

  after(async () => {
    await app?.stop();
    await db?.drop();
  });

  test("the nine captured pms-rttm-client requests: each 202, each event stored and visible through GraphQL, the error without trade id and stage counted", async () => {
    const requests = captured();
    assert.equal(requests.length, 9);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const r of requests) {
        const answer = await post(
          port,
          r.path,
          Object.fromEntries(r.headers),
          Buffer.from(r.bodyHex, "hex"),
          agent,
        );
        assert.equal(answer.status, 202, `${r.path}: ${JSON.stringify(answer.body)}`);
        assert.deepEqual(answer.body, { accepted: 1 });
      }
    } finally {
      agent.destroy();
    }
    await waitFor(
      "all nine stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events")) === 5 &&
        (await count(db.pool, "SELECT count(*) FROM rttm_error_events")) === 2 &&
        (await count(db.pool, "SELECT count(*) FROM rttm_dlq_events")) === 1 &&
        (await count(db.pool, "SELECT count(*) FROM rttm_queue_metrics")) === 1,
    );
    assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_quarantine"), 0);
    // Keyed as the library's Kafka mode keys them.
    const { rows: keyed } = await db.pool.query(
      "SELECT kafka_topic, trade_id::text, service_name FROM rttm_error_events ORDER BY event_time",
    );
    assert.equal(keyed[1].trade_id, null);

    const { data, errors } = await graphql(
      port,
      `
        {
          trade(tradeId: "c38df727-f774-424a-8694-83826fa66512") {
            entries {
              source
              stage
            }
          }
          errorEvents(first: 10) {
            edges {
              node {
                tradeId
                serviceName
                errorType
                stage
              }
            }
          }
          dlqEvents(first: 10) {
            edges {
              node {
                tradeId
                stage
                reason
              }
            }
          }
          dlqOverview {
            total
            unknownStage
          }
          overview {
            errorCount
            dlqCount
          }
          queueLag {
            partitions {
              topic
              partition
              lag
            }
          }
        }
      `,
    );
    assert.equal(errors, undefined, JSON.stringify(errors));
    assert.deepEqual(
      data!.trade.entries.map((e: { stage: string }) => e.stage),
      ["RECEIVED", "VALIDATED", "ENRICHED", "COMMITTED"],
    );
    const errorNodes = data!.errorEvents.edges.map((e: { node: unknown }) => e.node);
    assert.deepEqual(errorNodes, [
      { tradeId: null, serviceName: "pms-transactional", errorType: "DB_CONNECTION", stage: null },
      {
        tradeId: "92e4821c-fcf3-4e3a-a9df-ceb749c808e4",
        serviceName: "pms-validation",
        errorType: "VALIDATION_ERROR",
        stage: "VALIDATED",
      },
    ]);
    assert.deepEqual(data!.dlqEvents.edges[0].node, {
      tradeId: "6f09d06c-c54a-4cd2-b1d3-b53ab09f6689",
      stage: "VALIDATED",
      reason: "Deserialization error",
    });
    assert.equal(data!.overview.errorCount, 2, "the stage-less error is counted");
    // …and the ERROR_RATE alert rule counts it (its 5-minute window just after the fixture's errors).
    const errorRate = rules.find((r) => r.name === "ERROR_RATE")!;
    const [observed] = await errorRate.measure(
      { db: db.pool, now: new Date(1796282268089 + 1000), once: (_key, read) => read() },
      300,
    );
    assert.equal(observed!.value, 2);
    assert.equal(data!.overview.dlqCount, 1);
    assert.deepEqual(data!.queueLag.partitions, [
      { topic: "raw-trades-topic", partition: 2, lag: 10 },
    ]);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(
      metrics,
      /rttm_http_ingest_requests_total\{path="\/api\/rttm\/trade-events",status="202"\} 5/,
    );
    assert.match(
      metrics,
      new RegExp(`rttm_http_ingest_events_total\\{topic="${topics.errorEvents}"\\} 2`),
    );
  });

  test("a delimited batch is accepted whole (202, every event stored); one bad event refuses the whole batch and stores none of it", async () => {
    const ids = [m.newTradeId(), m.newTradeId(), m.newTradeId()];
    const good = await post(
      port,
      "/api/rttm/trade-events",
      { "content-type": "application/x-protobuf; delimited=true", "x-api-key": keys.batch },
      delimited(ids.map((id) => tradeBytes(id))),
    );
    assert.equal(good.status, 202, JSON.stringify(good.body));
    assert.deepEqual(good.body, { accepted: 3 });
    await waitFor(
      "batch stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = ANY($1)", [
          ids,
        ])) === 3,
    );

    const refusedIds = [m.newTradeId(), m.newTradeId()];
    const bad = await post(
      port,
      "/api/rttm/trade-events",
      { "content-type": "application/x-protobuf; delimited=true", "x-api-key": keys.batch },
      delimited([tradeBytes(refusedIds[0]!), tradeBytes("not-a-uuid"), tradeBytes(refusedIds[1]!)]),
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, "trade_id");
    assert.equal(bad.body.index, 1);
    assert.match(bad.body.reason, /trade_id "not-a-uuid" is not a UUID/);
    // A marker posted after the refused batch: once it is stored, the batch would have been too.
    const marker = m.newTradeId();
    assert.equal((await single(port, "trade-events", tradeBytes(marker), keys.batch)).status, 202);
    await waitFor(
      "marker stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = $1", [
          marker,
        ])) === 1,
    );
    assert.equal(
      await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = ANY($1)", [
        refusedIds,
      ]),
      0,
    );
  });

  test("refusals: 401 without or with an empty key, 403 for an unknown key, a JWT never accepted, 415 wrong content type, 400 empty or undecodable or invalid with field and reason, 413 oversize", async () => {
    const body = tradeBytes(m.newTradeId());
    const expectRefusal = async (answer: Answer, status: number, match?: RegExp) => {
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.equal(answer.headers["content-type"], "application/json");
      assert.equal(answer.body.status, status);
      if (match) assert.match(answer.body.message, match);
    };
    await expectRefusal(await single(port, "trade-events", body, null), 401, /X-API-Key/);
    await expectRefusal(await single(port, "trade-events", body, ""), 401);
    await expectRefusal(await single(port, "trade-events", body, "wrong-key-0123456789"), 403);
    await expectRefusal(
      await post(
        port,
        "/api/rttm/trade-events",
        {
          "content-type": "application/octet-stream",
          authorization:
            "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIiwidG9rZW5fdHlwZSI6IlVTRVIifQ.c2ln",
        },
        body,
      ),
      401,
    );
    for (const type of ["application/json", "text/plain", "application/x-protobuf"]) {
      await expectRefusal(
        await post(
          port,
          "/api/rttm/trade-events",
          { "content-type": type, "x-api-key": keys.refusals },
          body,
        ),
        415,
      );
    }
    await expectRefusal(await single(port, "trade-events", Buffer.alloc(0)), 400, /empty/);
    await expectRefusal(
      await single(port, "trade-events", Buffer.alloc(4097, 1)),
      413,
      /4097 bytes exceeds the limit of 4096/,
    );
    const notProtobuf = await single(port, "trade-events", Buffer.from([0x0a, 0x50, 0x41]));
    await expectRefusal(notProtobuf, 400, /not a valid com.pms.rttm.proto.RttmTradeEvent/);
    assert.equal(notProtobuf.body.field, "body");
    // The queue metric of the fixture posted to the trade-events path: not that path's message.
    const metric = captured().find((r) => r.path.endsWith("queue-metrics"))!;
    const wrongPath = await single(port, "trade-events", Buffer.from(metric.bodyHex, "hex"));
    assert.equal(wrongPath.status, 400, JSON.stringify(wrongPath.body));
    const invalid = async (
      path: string,
      bytes: Uint8Array,
      field: string,
      reason: RegExp,
    ): Promise<void> => {
      const answer = await single(port, path, Buffer.from(bytes));
      await expectRefusal(answer, 400);
      assert.equal(answer.body.field, field, JSON.stringify(answer.body));
      assert.match(answer.body.reason, reason);
    };
    const trade = (init: object) =>
      toBinary(
        m.RttmTradeEventSchema,
        create(m.RttmTradeEventSchema, {
          ...m.tradeEvent(m.newTradeId(), "RECEIVED", Date.now()),
          ...init,
        }),
      );
    await invalid("trade-events", trade({ tradeId: "not-a-uuid" }), "trade_id", /is not a UUID/);
    await invalid(
      "trade-events",
      trade({ eventStage: "ANALYZED" }),
      "event_stage",
      /is not one of/,
    );
    await invalid("trade-events", trade({ eventStage: "" }), "event_stage", /is not one of/);
    await invalid(
      "trade-events",
      trade({ eventTime: BigInt(Date.now() + 3 * 86_400_000) }),
      "event_time",
      /outside the accepted range/,
    );
    await invalid(
      "error-events",
      toBinary(
        m.RttmErrorEventSchema,
        create(m.RttmErrorEventSchema, {
          ...m.errorEvent(m.newTradeId(), Date.now()),
          eventTime: 0n,
        }),
      ),
      "event_time",
      /missing/,
    );
    const batchTooLong = await post(
      port,
      "/api/rttm/trade-events",
      { "content-type": "application/x-protobuf; delimited=true", "x-api-key": keys.refusals },
      delimited(Array.from({ length: 21 }, () => body)),
    );
    await expectRefusal(batchTooLong, 413, /more than 20 events/);
    const truncated = await post(
      port,
      "/api/rttm/trade-events",
      { "content-type": "application/x-protobuf; delimited=true", "x-api-key": keys.refusals },
      delimited([body]).subarray(0, 20),
    );
    await expectRefusal(truncated, 400, /announced/);
    assert.equal(
      (await fetch(`http://127.0.0.1:${port}/api/rttm/trade-events`)).status,
      405,
      "GET is not an ingest",
    );
    assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_quarantine"), 0);
  });

  test("per-key rate limit: beyond the key's burst 429 with Retry-After; other keys unaffected", async () => {
    const batch = () =>
      post(
        port,
        "/api/rttm/trade-events",
        { "content-type": "application/x-protobuf; delimited=true", "x-api-key": keys.limited },
        delimited(Array.from({ length: 20 }, () => tradeBytes(m.newTradeId()))),
      );
    assert.equal((await batch()).status, 202);
    const limited = await batch();
    assert.equal(limited.status, 429, JSON.stringify(limited.body));
    assert.ok(Number(limited.headers["retry-after"]) >= 1);
    const other = await single(port, "trade-events", tradeBytes(m.newTradeId()), keys.refusals);
    assert.equal(other.status, 202);
  });

  test("Kafka mode too: an error or DLQ event without a stage is stored with the stage unknown, not quarantined", async () => {
    const producer: Producer = await connectProducer();
    try {
      const encoder = await createEncoder(topics);
      const tradeId = m.newTradeId();
      await producer.send({
        topic: topics.dlqEvents,
        messages: [
          {
            key: tradeId,
            value: encoder.encode("dlqEvents", m.RttmDlqEventSchema, {
              ...m.dlqEvent(tradeId, Date.now() - 1000),
              eventStage: "",
            }),
          },
        ],
      });
      await waitFor(
        "stage-less DLQ event stored",
        async () =>
          (await count(
            db.pool,
            "SELECT count(*) FROM rttm_dlq_events WHERE trade_id = $1 AND event_stage IS NULL",
            [tradeId],
          )) === 1,
      );
      // Both read through the live hub, which recomputes on the change notice.
      await waitFor("GraphQL counts it as unknown", async () => {
        const { data } = await graphql(
          port,
          `
            {
              dlqOverview {
                total
                unknownStage
              }
            }
          `,
        );
        return data?.dlqOverview.unknownStage === 1 && data.dlqOverview.total === 2;
      });
      await waitFor("the old dashboard's byStage shows it as UNKNOWN", async () => {
        const legacy = await (await fetch(`http://127.0.0.1:${port}/api/rttm/dlq`)).json();
        assert.deepEqual(legacy, { total: 2, byStage: { VALIDATED: 1, UNKNOWN: 1 } });
        return true;
      });
      assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_quarantine"), 0);
    } finally {
      await producer.disconnect();
    }
  });
});

describe("producers' HTTP ingest: endpoints off without keys", () => {
  test("no RTTM_INGEST_API_KEYS: the paths answer 404 as any unknown path", async () => {
    const db = await createTestDatabase();
    const { topics, env } = uniqueTopics();
    await createTopics(topics);
    const app = await startAppInProcess(serviceEnv(db.url, env));
    try {
      const answer = await single(app.port, "trade-events", tradeBytes(m.newTradeId()), harnessKey);
      assert.equal(answer.status, 404);
    } finally {
      await app.stop();
      await db.drop();
    }
  });
});

describe("producers' HTTP ingest: durability", () => {
  let kafka: PrivateKafka;
  let db: TestDatabase;

  before(async () => {
    kafka = await startPrivateKafka();
    db = await createTestDatabase();
  });
  after(async () => {
    await kafka?.stop();
    await db?.drop();
  });

  test("Kafka unresponsive while posting: 503 with Retry-After; every event answered 202 is stored", async () => {
    const { topics, env } = uniqueTopics();
    await kafka.createTopics(topics);
    const servicePort = await freePort();
    const service = startChild(
      serviceEnv(db.url, env, {
        KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(","),
        RTTM_INGEST_API_KEYS: apiKeysEnv,
        RTTM_INGEST_PRODUCE_TIMEOUT: "1500ms",
        RTTM_INGEST_RETRY_AFTER_SECONDS: "7",
        SERVER_PORT: String(servicePort),
      }),
    );
    await waitFor("service started", async () => service.output().includes("rttm started"), 60_000);
    const port = servicePort;
    const accepted: string[] = [];
    let refused = 0;
    let stop = false;
    const postLoop = (async () => {
      while (!stop) {
        const id = m.newTradeId();
        const answer = await single(port, "trade-events", tradeBytes(id), keys.harness).catch(
          () => undefined,
        );
        if (answer?.status === 202) accepted.push(id);
        else if (answer?.status === 503) {
          refused++;
          assert.equal(answer.headers["retry-after"], "7");
          assert.equal(answer.body.dependency, "kafka");
        } else if (answer)
          assert.fail(`unexpected ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
    })();
    try {
      await waitFor("some events accepted", async () => accepted.length >= 20);
      kafka.freeze();
      await waitFor("a refusal while Kafka does not answer", async () => refused > 0, 20_000);
      const acceptedDuringOutage = accepted.length;
      kafka.thaw();
      await waitFor(
        "accepted again",
        async () => accepted.length > acceptedDuringOutage + 20,
        60_000,
      );
      stop = true;
      await postLoop;
      await waitFor(
        "every accepted event stored",
        async () =>
          (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = ANY($1)", [
            accepted,
          ])) === accepted.length,
        60_000,
        250,
      );
    } finally {
      stop = true;
      kafka.thaw();
      await postLoop.catch(() => undefined);
      service.process.kill("SIGTERM");
      await service.exited;
    }
  });

  test("kill -9 right after a 202: the event is stored once the service is back", async () => {
    const { topics, env } = uniqueTopics();
    await kafka.createTopics(topics);
    const servicePort = await freePort();
    const serviceConfig = serviceEnv(db.url, env, {
      KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(","),
      RTTM_INGEST_API_KEYS: apiKeysEnv,
      SERVER_PORT: String(servicePort),
    });
    const first = startChild(serviceConfig);
    await waitFor("service started", async () => first.output().includes("rttm started"), 60_000);
    const port = servicePort;
    const tradeId = m.newTradeId();
    try {
      const answer = await single(port, "trade-events", tradeBytes(tradeId), keys.harness);
      first.process.kill("SIGKILL");
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.equal(await first.exited, null, "killed by signal");
    } finally {
      first.process.kill("SIGKILL");
    }
    const second = startChild(serviceConfig);
    try {
      await waitFor(
        "the acknowledged event stored",
        async () =>
          (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = $1", [
            tradeId,
          ])) === 1,
        60_000,
        250,
      );
    } finally {
      second.process.kill("SIGTERM");
      await second.exited;
    }
  });
});
