/**
 * Prints the shape of /metrics of the real service (in process, real Kafka and PostgreSQL): every
 * HELP and TYPE line, and each RTTM series with its labels but not its value, sorted. Used to
 * check that a refactoring leaves metric names, types, help texts and labels unchanged: run it
 * before and after and diff the two files,
 * `bash scripts/with-services.sh node --import tsx scripts/metrics-shape.ts > before.txt`.
 */
import WebSocket from "ws";
import { createTestDatabase, waitFor } from "../test/support/infra.js";
import { connectProducer, freshTopics } from "../test/support/kafka.js";
import * as m from "../test/support/messages.js";
import { serviceEnv, startAppInProcess, wsClient } from "../test/support/service.js";
import { tradeEventMessage } from "../test/support/traffic.js";

const db = await createTestDatabase();
const producer = await connectProducer();
const fresh = await freshTopics(1);
const app = await startAppInProcess(serviceEnv(db.url, fresh.env));
try {
  const tradeId = m.newTradeId();
  await producer.send({
    topic: fresh.topics.tradeEvents,
    messages: [
      tradeEventMessage(fresh.encoder, tradeId, "RECEIVED", Date.now()),
      { key: tradeId, value: Buffer.from("not a framed record") },
    ],
  });
  const scrape = async () => (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
  await waitFor("the records stored", async () =>
    /rttm_stored_rows_total\{table="quarantine"\} 1/.test(await scrape()),
  );
  // A subscription, a refused socket and an HTTP read, so that every labelled series has samples.
  const ws = wsClient(app.port);
  const sub = ws.subscribe("subscription { dlqOverview { total } }");
  await sub.waitFor(() => true);
  await new Promise<void>((resolve) => {
    const refused = new WebSocket(`ws://127.0.0.1:${app.port}/ws/nope`);
    refused.on("error", () => resolve());
  });
  await fetch(`http://127.0.0.1:${app.port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ dlqOverview { total } }" }),
  });
  const lines = (await scrape())
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (l.startsWith("#") ? l : l.slice(0, l.lastIndexOf(" "))))
    // Process metrics: only their HELP and TYPE (their label values vary by machine and run).
    .filter((l) => l.startsWith("#") || !l.startsWith("rttm_process_"))
    // Histogram buckets by label sets only once; this run's topic names without their suffix.
    .map((l) => l.replace(/(_bucket\{.*)le="[^"]*"/, "$1le=…"))
    .map((l) => l.replace(/topic="test\.(\w+)\.t_[0-9a-f]+"/, 'topic="test.$1"'));
  process.stdout.write([...new Set(lines)].sort().join("\n") + "\n");
  sub.dispose();
  await ws.close();
} finally {
  await app.stop();
  await producer.disconnect();
  await db.drop();
}
process.exit(0);
