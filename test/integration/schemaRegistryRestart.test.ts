/**
 * The local Schema Registry (scripts/infra/registry.sh) keeps its schemas in PostgreSQL, so a
 * restart of it alone, while the local Kafka keeps its records, leaves every schema id naming the
 * schema it named before: RTTM decodes the earlier records instead of quarantining them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Producer } from "kafkajs";
import type { App } from "../../src/app.js";
import { registerTopicSchema, registerTopicSchemas } from "../../src/ingest/schemaRegistration.js";
import { frameValue } from "../../src/ingest/wireFormat.js";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  count,
  createTestDatabase,
  uniqueName,
  waitFor,
  type TestDatabase,
} from "../support/infra.js";
import { connectProducer, createTopics, uniqueTopics } from "../support/kafka.js";
import * as m from "../support/messages.js";
import { startPrivateRegistry, type PrivateRegistry } from "../support/privateRegistry.js";
import { serviceEnv, startAppInProcess } from "../support/service.js";

async function schemaById(registryUrl: string, id: number): Promise<unknown> {
  const response = await fetch(`${registryUrl}/schemas/ids/${id}`);
  assert.equal(response.status, 200, `schema id ${id}: HTTP ${response.status}`);
  return response.json();
}

async function databaseExists(db: TestDatabase, name: string): Promise<boolean> {
  return (
    (await count(db.pool, "SELECT count(*) FROM pg_database WHERE datname = $1", [name])) === 1
  );
}

describe("local Schema Registry restarted while Kafka keeps its records", () => {
  const { topics, env } = uniqueTopics();
  let registry: PrivateRegistry;
  let db: TestDatabase;
  let producer: Producer;
  let app: App | undefined;

  before(async () => {
    registry = await startPrivateRegistry();
    db = await createTestDatabase();
    await createTopics(topics);
    producer = await connectProducer();
  });

  after(async () => {
    await app?.stop();
    await producer?.disconnect();
    await registry?.remove();
    await db?.drop();
  });

  test("a record produced before the restart keeps its schema and is stored, not quarantined", async () => {
    const ids = await registerTopicSchemas(registry.url, topics);
    const tradeSchemaBefore = await schemaById(registry.url, ids.tradeEvents);
    const tradeId = m.newTradeId();
    const payload = toBinary(
      m.RttmTradeEventSchema,
      create(m.RttmTradeEventSchema, m.tradeEvent(tradeId, "RECEIVED", Date.now() - 60_000)),
    );
    await producer.send({
      topic: topics.tradeEvents,
      messages: [{ key: tradeId, value: frameValue(ids.tradeEvents, payload) }],
    });

    await registry.stop();
    assert.ok(await databaseExists(db, registry.database), "a plain stop keeps the database");
    await registry.start();

    // Another producer registers first after the restart: a registry that forgot its schemas
    // hands it the ids the earlier records carry.
    await registerTopicSchema(registry.url, "dlqEvents", uniqueName("test.other"));
    assert.deepEqual(await schemaById(registry.url, ids.tradeEvents), tradeSchemaBefore);
    assert.deepEqual(
      await registerTopicSchemas(registry.url, topics),
      ids,
      "the producers' schemas keep their ids",
    );

    app = await startAppInProcess(serviceEnv(db.url, env, { SCHEMA_REGISTRY_URL: registry.url }));
    await waitFor(
      "the earlier trade event stored",
      async () =>
        (await count(db.pool, "SELECT count(*) FROM rttm_trade_events WHERE trade_id = $1", [
          tradeId,
        ])) === 1,
    );
    assert.equal(await count(db.pool, "SELECT count(*) FROM rttm_quarantine"), 0);
    const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    assert.match(metrics, /^rttm_schema_ids_verified_total 1$/m, "checked against the registry");
  });

  test("stop --wipe drops the registry's database", async () => {
    assert.ok(await databaseExists(db, registry.database));
    await registry.stop({ wipe: true });
    assert.equal(await databaseExists(db, registry.database), false);
  });
});
