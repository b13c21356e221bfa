/**
 * A Kafka broker of one test's own (scripts/infra/kafka.sh with its own run directory and ports),
 * for outages that must not touch the broker the other tests share: `freeze()` stops the JVM
 * (SIGSTOP: connections open, nothing answers), `thaw()` lets it go on.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import type { TopicKey } from "../../src/config/index.js";
import { freePort } from "./infra.js";

const run = promisify(execFile);

export interface PrivateKafka {
  brokers: string[];
  createTopics(topics: Record<TopicKey, string>, numPartitions?: number): Promise<void>;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  const runDir = await mkdtemp(join(tmpdir(), "rttm-private-kafka-"));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    RTTM_RUN_DIR: runDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HEAP_OPTS: "-Xms64m -Xmx256m",
  };
  await run("bash", ["scripts/infra/kafka.sh", "start"], { env, timeout: 180_000 });
  const pid = Number(await readFile(join(runDir, "kafka", "kafka.pid"), "utf8"));
  const brokers = [`127.0.0.1:${port}`];
  let frozen = false;
  return {
    brokers,
    async createTopics(topics, numPartitions = 2) {
      const admin = new Kafka({
        clientId: "rttm-test",
        brokers,
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: Object.values(topics).map((topic) => ({ topic, numPartitions })),
        });
      } finally {
        await admin.disconnect();
      }
    },
    freeze() {
      process.kill(pid, "SIGSTOP");
      frozen = true;
    },
    thaw() {
      if (frozen) process.kill(pid, "SIGCONT");
      frozen = false;
    },
    async stop() {
      if (frozen) process.kill(pid, "SIGCONT");
      await run("bash", ["scripts/infra/kafka.sh", "stop", "--wipe"], { env, timeout: 60_000 });
      await rm(runDir, { recursive: true, force: true });
    },
  };
}
