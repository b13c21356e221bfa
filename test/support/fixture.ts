/**
 * The integration fixture most test files share: a database copied from the migrated template, a
 * connected producer, fresh topics (and consumer group) with an encoder registered for them, the
 * whole service in this process, and a teardown that releases all of it. `useAppFixture` wires
 * it into a `describe` block's `before`/`after`.
 */
import { after, before } from "node:test";
import type { Producer } from "kafkajs";
import { startApp, type App, type AppOptions } from "../../src/app.js";
import { loadConfig, type TopicKey } from "../../src/config/index.js";
import type { Stage } from "../../src/domain/stages.js";
import { createLogger, type Logger } from "../../src/log.js";
import { createTestDatabase, type TestDatabase } from "./infra.js";
import { connectProducer, freshTopics, type Encoder } from "./kafka.js";
import { serviceEnv } from "./service.js";
import { sendTradeEvent } from "./traffic.js";

export interface AppFixtureOptions {
  /**
   * Settings of the service beyond the test defaults (serviceEnv); a function when they depend
   * on something a `before` hook registered earlier started (e.g. a JWKS server).
   * @default {}
   */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Partitions of each fresh topic. @default 2 */
  partitions?: number;
  /** Start the service; false: the test starts its own with `startApp`. @default true */
  app?: boolean;
  /** The service's logger (a test that reads the log passes one that keeps it). @default a logger named rttm-test */
  logger?: Logger;
}

interface Parts {
  db: TestDatabase;
  producer: Producer;
  topics: Record<TopicKey, string>;
  encoder: Encoder;
  env: Record<string, string>;
  app: App | null;
}

/** What a test reads of its fixture once `before` has run. */
export class AppFixture {
  private parts: Parts | null = null;

  constructor(private readonly options: AppFixtureOptions = {}) {}

  private get started(): Parts {
    if (!this.parts) throw new Error("the fixture is not set up yet: use it inside a test or hook");
    return this.parts;
  }

  get db(): TestDatabase {
    return this.started.db;
  }
  get producer(): Producer {
    return this.started.producer;
  }
  get topics(): Record<TopicKey, string> {
    return this.started.topics;
  }
  get encoder(): Encoder {
    return this.started.encoder;
  }
  /** Produces one trade stage event to the fixture's trade-events topic. */
  sendTradeEvent(tradeId: string, stage: Stage, atMs = Date.now()): Promise<void> {
    return sendTradeEvent(
      this.producer,
      this.encoder,
      this.topics.tradeEvents,
      tradeId,
      stage,
      atMs,
    );
  }
  /** The service's environment: test defaults, the fresh topics and group, the options' env. */
  get env(): Record<string, string> {
    return this.started.env;
  }
  /** The running service (the one `replaceApp` started last). */
  get app(): App {
    const { app } = this.started;
    if (!app) throw new Error("no app: the fixture was set up with app: false");
    return app;
  }

  async setUp(): Promise<void> {
    const { env = {}, partitions = 2, app = true } = this.options;
    const db = await createTestDatabase();
    let producer: Producer | undefined;
    try {
      producer = await connectProducer();
      const fresh = await freshTopics(partitions);
      const extra = typeof env === "function" ? env() : env;
      this.parts = {
        db,
        producer,
        topics: fresh.topics,
        encoder: fresh.encoder,
        env: serviceEnv(db.url, fresh.env, extra),
        app: null,
      };
      if (app) this.parts.app = await this.startApp();
    } catch (err) {
      this.parts = null;
      await producer?.disconnect().catch(() => undefined);
      await db.drop();
      throw err;
    }
  }

  /** Another service on the same database and topics (the caller stops it). */
  startApp(extra: Record<string, string> = {}, composition: AppOptions = {}): Promise<App> {
    return startApp(
      loadConfig({ ...this.started.env, ...extra }),
      this.options.logger ?? createLogger({ service: "rttm-test" }),
      composition,
    );
  }

  /** Starts the service again (after the test stopped `app`) and makes it the fixture's `app`. */
  async replaceApp(extra: Record<string, string> = {}): Promise<App> {
    const app = await this.startApp(extra);
    this.started.app = app;
    return app;
  }

  async tearDown(): Promise<void> {
    const parts = this.parts;
    this.parts = null;
    if (!parts) return;
    await parts.app?.stop();
    await parts.producer.disconnect();
    await parts.db.drop();
  }
}

/** The fixture, set up before the tests of the enclosing `describe` and torn down after them. */
export function useAppFixture(options: AppFixtureOptions = {}): AppFixture {
  const fixture = new AppFixture(options);
  before(() => fixture.setUp());
  after(() => fixture.tearDown());
  return fixture;
}
