/**
 * `npm run demo` as a user runs it at a terminal, then Ctrl-C (issue 16): the real scripts/demo.sh
 * (and through it scripts/dev.sh, scripts/infra/up.sh and down.sh) as a child process in its own
 * process group, which gets the SIGINT a terminal sends to its foreground group. Everything it
 * starts is private to this file (run directory, Kafka, registry and service ports, registry
 * database, service database); PostgreSQL and Redis are the machine's and must stay up.
 *
 * A Kafka broker is already running when the demo starts, as an earlier `npm run dev` leaves one:
 * started by scripts/infra/up.sh and so recorded in the run directory's up.started. The demo must
 * leave it running and stop only what it started itself (the registry, the simulator, the
 * service), in order: the simulator (which sends its in-flight events), the service (which drains
 * and commits), then the infrastructure.
 */
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, open, readdir, readFile, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { topicKeys, type TopicKey } from "../../src/config/index.js";
import {
  databaseUrl,
  dropDatabase,
  freePort,
  uniqueName,
  waitFor,
  withPgAdmin,
} from "../support/infra.js";
import { uniqueTopics } from "../support/kafka.js";
import { graphql } from "../support/service.js";

const run = promisify(execFile);

/** The tables the service stores each topic's records in, one row per record. */
const tables: Partial<Record<TopicKey, string>> = {
  tradeEvents: "rttm_trade_events",
  errorEvents: "rttm_error_events",
  dlqEvents: "rttm_dlq_events",
  invalidTrades: "rttm_invalid_trades",
};

interface LogLine {
  index: number;
  text: string;
  json?: Record<string, any>;
}

describe("npm run demo, then Ctrl-C", { timeout: 1_800_000 }, () => {
  let runDir: string;
  let env: NodeJS.ProcessEnv;
  let serverPort: number;
  const database = uniqueName("rttm_test_devscripts");
  const { topics, env: topicEnv } = uniqueTopics();
  const groupId = topicEnv.KAFKA_CONSUMER_GROUP_ID!;
  let kafkaPid: number;
  let demo: ChildProcess | undefined;
  let demoExit: Promise<[number | null, NodeJS.Signals | null]> | undefined;
  let outputFile: string;
  let outputHandle: FileHandle | undefined;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

  const output = async () => readFile(outputFile, "utf8").catch(() => "");
  const script = (name: string, ...args: string[]) =>
    run("bash", [`scripts/infra/${name}.sh`, ...args], { env, timeout: 300_000 });
  const pidIn = async (file: string) => Number(await readFile(join(runDir, file), "utf8"));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  /** Processes whose environment names this file's run directory: all that the demo started. */
  const processesOfThisRun = async (): Promise<number[]> => {
    const marker = `\0RTTM_RUN_DIR=${runDir}\0`;
    const pids: number[] = [];
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const environ = await readFile(`/proc/${entry}/environ`, "latin1").catch(() => "");
      if (`\0${environ}`.includes(marker)) pids.push(Number(entry));
    }
    return pids;
  };
  const isRegistry = async (pid: number) =>
    (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).includes("rttm.registry.run");
  /** The demo's output with its last lines, for failure messages. */
  const withOutput = async (err: unknown): Promise<never> => {
    const tail = (await output()).split("\n").slice(-80).join("\n");
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- demo output (last lines) ---\n${tail}`, { cause: err });
  };

  // Generous bounds: a cold start of the broker, the registry and the service on a busy 2-core machine.
  before(
    async () => {
      runDir = await mkdtemp(join(tmpdir(), "rttm-devscripts-"));
      outputFile = join(runDir, "demo.out");
      const [kafkaPort, controllerPort, registryPort, managementPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      serverPort = await freePort();
      const inherited = { ...process.env };
      // The caller's own choices of database, Redis topology and up.sh record are not the demo's.
      for (const name of [
        "DATABASE_URL",
        "REDIS_SENTINEL_NODES",
        "REDIS_SENTINEL_HOST",
        "RTTM_UP_STATE",
      ])
        delete inherited[name];
      env = {
        ...inherited,
        // The node that runs this test (npm's scripts put the project's node first on PATH).
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        RTTM_RUN_DIR: runDir,
        KAFKA_PORT: String(kafkaPort),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
        SCHEMA_REGISTRY_PORT: String(registryPort),
        SCHEMA_REGISTRY_MANAGEMENT_PORT: String(managementPort),
        // rttm_registry_test_*: scripts/with-services.sh drops one an interrupted run left behind.
        SCHEMA_REGISTRY_DB: uniqueName("rttm_registry_test"),
        KAFKA_HEAP_OPTS: "-Xms64m -Xmx256m",
        REGISTRY_HEAP_OPTS: "-Xms64m -Xmx256m",
        KAFKA_START_TIMEOUT: "240",
        REGISTRY_START_TIMEOUT: "240",
        KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${kafkaPort}`,
        SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
        SERVER_PORT: String(serverPort),
        SERVER_HOST: "127.0.0.1",
        DB_HOST: "127.0.0.1",
        DB_NAME: database,
        REDIS_URL: redisUrl,
        ...topicEnv,
        LOG_LEVEL: "info",
        SIM_TRADES_PER_SECOND: "20",
      };
      // The broker an earlier run left running (and recorded as started in the run directory).
      await script("up", "kafka");
      kafkaPid = await pidIn("kafka/kafka.pid");
    },
    { timeout: 600_000 },
  );

  after(
    async () => {
      if (demo && demo.exitCode === null && demo.signalCode === null) {
        process.kill(-demo.pid!, "SIGINT");
        const stopped = await Promise.race([
          demoExit!.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 180_000).unref()),
        ]);
        if (!stopped) process.kill(-demo.pid!, "SIGKILL");
      }
      await outputHandle?.close();
      if (!runDir) return;
      // A simulator or service left behind (their own sessions) would hold the database.
      for (const pid of await processesOfThisRun())
        if (pid !== kafkaPid && !(await isRegistry(pid))) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone meanwhile
          }
        }
      await script("registry", "stop", "--wipe").catch(() => undefined);
      await script("kafka", "stop", "--wipe").catch(() => undefined);
      await dropDatabase(database);
      await rm(runDir, { recursive: true, force: true });
    },
    { timeout: 600_000 },
  );

  test(
    "stops the simulator (flushed), then the service (drained), then only what it started",
    { timeout: 900_000 },
    async (t) => {
      outputHandle = await open(outputFile, "a");
      // Its own process group, as a shell gives a foreground job; output to a file, so that
      // nothing it or its children write is lost or blocks.
      demo = spawn("bash", ["scripts/demo.sh"], {
        env,
        detached: true,
        stdio: ["ignore", outputHandle.fd, outputHandle.fd],
      });
      demoExit = once(demo, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      const exited = () => demo!.exitCode !== null || demo!.signalCode !== null;
      /** waitFor, failing at once if demo.sh exits meanwhile. */
      const whileRunning = async (what: string, probe: () => Promise<boolean>, ms: number) => {
        const result = await waitFor(what, async () => (exited() ? "exited" : probe()), ms, 500);
        if (result === "exited")
          throw new Error(
            `demo.sh exited (${demo!.exitCode ?? demo!.signalCode}) while waiting for ${what}`,
          );
      };

      let registryPid = 0;
      let code: number | null = null;
      let signal: NodeJS.Signals | null = null;
      try {
        await whileRunning(
          "the service's readiness",
          async () => {
            const response = await fetch(
              `http://127.0.0.1:${serverPort}/actuator/health/readiness`,
            );
            await response.body?.cancel();
            return response.status === 200;
          },
          600_000,
        );
        await whileRunning(
          "simulator traffic in the service (currentTps > 0)",
          async () => {
            const { data } = await graphql<{ overview: { currentTps: number } }>(
              serverPort,
              "{ overview { currentTps } }",
            );
            return (data?.overview.currentTps ?? 0) > 0;
          },
          300_000,
        );
        registryPid = await pidIn("registry/registry.pid");
        assert.ok(alive(registryPid), "the registry this run started is running");

        // Ctrl-C: the terminal signals the whole foreground process group.
        process.kill(-demo.pid!, "SIGINT");
        [code, signal] = await waitFor(
          "demo.sh to exit after Ctrl-C",
          async () => exited() && demoExit!,
          300_000,
          200,
        );
      } catch (err) {
        await withOutput(err);
      }

      const text = await output();
      const lines: LogLine[] = text.split("\n").map((line, index) => {
        let json: Record<string, any> | undefined;
        if (line.startsWith("{"))
          try {
            json = JSON.parse(line) as Record<string, any>;
          } catch {
            // a line cut by another writer's; not one of those looked for
          }
        return { index, text: line, json };
      });
      const find = (what: string, match: (line: LogLine) => boolean, after = -1): LogLine => {
        const line = lines.find((l) => l.index > after && match(l));
        assert.ok(line, `no line (after line ${after}) for: ${what}`);
        return line;
      };
      const plain = (prefix: string) => (l: LogLine) => l.text.startsWith(prefix);
      const logged = (service: string, msg: string) => (l: LogLine) =>
        l.json?.service === service && l.json.msg === msg;

      try {
        assert.equal(signal, null, "demo.sh exits, not killed by a signal");
        assert.equal(code, 130, "demo.sh exits 130 after Ctrl-C");
        find("up.sh found the broker already running", plain("[infra] kafka: already running"));

        // In this order, each after the one before.
        const order: Array<[string, (l: LogLine) => boolean]> = [
          ["[demo] stopping the simulator", plain("[demo] stopping the simulator")],
          ['simulator: "stop requested"', logged("rttm-simulator", "stop requested")],
          [
            'simulator: "stopping: no new trades, letting in-flight trades finish"',
            logged("rttm-simulator", "stopping: no new trades, letting in-flight trades finish"),
          ],
          ['simulator: "stopped" (its totals)', logged("rttm-simulator", "stopped")],
          ["[demo] stopping the service", plain("[demo] stopping the service")],
          ["[dev] stopping the service (draining)", plain("[dev] stopping the service (draining)")],
          ['service: "shutting down"', logged("rttm", "shutting down")],
          ['service: "stopped"', logged("rttm", "stopped")],
          ["[infra] registry: stopping pid …", plain("[infra] registry: stopping pid")],
          ["[infra] down: done", plain("[infra] down: done")],
        ];
        let previous = -1;
        const seen = new Map<string, LogLine>();
        for (const [what, match] of order) {
          const line = find(what, match, previous);
          // Nothing of it before the line that should come first.
          const first = find(what, match);
          assert.equal(first.index, line.index, `"${what}" comes too early (line ${first.index})`);
          seen.set(what, line);
          previous = line.index;
        }
        assert.equal(
          seen.get('service: "stopped"')!.json!.outcome,
          "flushed",
          "the service drained",
        );
        assert.ok(
          !lines.some(plain("[infra] kafka: stopping")),
          "the broker that was already running is not stopped",
        );

        // Only the broker that was running before is left; what the run started is gone.
        assert.ok(alive(kafkaPid), "the broker that was already running still runs");
        await script("kafka", "status");
        assert.ok(!alive(registryPid), "the registry this run started is stopped");
        await assert.rejects(script("registry", "status"), "registry.sh status: not running");
        // (A node's esbuild helper may take a moment to follow it.)
        await waitFor(
          "nothing but the broker left of this run",
          async () => {
            const left = await processesOfThisRun();
            return left.length === 1 && left[0] === kafkaPid;
          },
          30_000,
          200,
        ).catch(async (err: Error) => {
          const left = await processesOfThisRun();
          const commands = await Promise.all(
            left.map(
              async (pid) =>
                `${pid}: ${(await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ").slice(0, 200)}`,
            ),
          );
          err.message += `; left: ${commands.join("; ")}`;
          throw err;
        });

        // The machine's PostgreSQL and Redis still answer.
        assert.equal(
          (await withPgAdmin((client) => client.query("SELECT 1 AS one"))).rows[0].one,
          1,
        );
        const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await redis.connect();
          assert.equal(await redis.ping(), "PONG");
        } finally {
          redis.disconnect();
        }

        // The simulator sent every event it counted (they are all in Kafka), and the service stored
        // every record up to the offsets it committed: what it had not fetched yet is in Kafka, for
        // its next start, so no event was lost.
        const sent = seen.get('simulator: "stopped" (its totals)')!.json!.events as Record<
          TopicKey,
          number
        >;
        assert.ok(sent.tradeEvents > 0, "the simulator sent trade events");
        const kafka = new Kafka({
          clientId: "rttm-test",
          brokers: [env.KAFKA_BOOTSTRAP_SERVERS!],
          logLevel: logLevel.NOTHING,
        });
        const admin = kafka.admin();
        const service = new pg.Client({ connectionString: databaseUrl(database) });
        await admin.connect();
        await service.connect();
        try {
          for (const key of topicKeys) {
            const produced = (await admin.fetchTopicOffsets(topics[key])).reduce(
              (sum, p) => sum + Number(p.high),
              0,
            );
            assert.equal(produced, sent[key], `${key}: in Kafka = the simulator's count`);
            const table = tables[key];
            if (!table) continue; // queue metrics are thinned when stored
            const [committed] = await admin.fetchOffsets({ groupId, topics: [topics[key]] });
            const committedTotal = committed!.partitions.reduce(
              (sum, p) => sum + Math.max(0, Number(p.offset)),
              0,
            );
            const { rows } = await service.query<{ n: string }>(
              `SELECT count(*) AS n FROM ${table}`,
            );
            const stored = Number(rows[0]!.n);
            t.diagnostic(
              `${key}: sent ${sent[key]}, stored ${stored}, committed ${committedTotal}`,
            );
            assert.equal(stored, committedTotal, `${key}: stored = committed by the group`);
            assert.ok(stored <= produced, `${key}: stored ${stored} of ${produced}`);
          }
          const { rows } = await service.query<{ n: string }>(
            "SELECT count(*) AS n FROM rttm_trade_events",
          );
          assert.ok(Number(rows[0]!.n) > 0, "trade events were stored");
          const quarantined = await service.query<{ n: string }>(
            "SELECT count(*) AS n FROM rttm_quarantine",
          );
          assert.equal(Number(quarantined.rows[0]!.n), 0, "nothing quarantined");
        } finally {
          await admin.disconnect();
          await service.end();
        }
      } catch (err) {
        await withOutput(err);
      }
    },
  );
});
