/**
 * A throwaway Redis Sentinel topology on loopback: a master, one replica and three sentinels
 * (`mymaster`, quorum 2, down after 1 s, failover timeout 3 s), every one a `redis-server` from
 * PATH without persistence, with config files and logs in a temporary directory (sentinels
 * rewrite their config files).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { RedisConfig } from "../../src/config/index.js";
import { freePort } from "./infra.js";

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisProcess extends HostPort {
  name: string;
  child: ChildProcess;
  logFile: string;
}

export interface FailoverResult {
  oldMaster: HostPort;
  newMaster: HostPort;
  /** Epoch ms of the SIGKILL. */
  killedAt: number;
  /** From the kill until every sentinel named the new master. */
  switchMs: number;
}

export interface SentinelTopology {
  masterName: string;
  sentinels: HostPort[];
  dir: string;
  /** The master every sentinel names now. */
  master(): Promise<HostPort>;
  /** RTTM's configuration for this topology. */
  config(commandTimeoutMs?: number): Extract<RedisConfig, { kind: "sentinel" }>;
  /** Kills the current master with SIGKILL and waits until every sentinel names the promoted replica. */
  failover(timeoutMs?: number): Promise<FailoverResult>;
  /** Kills every process and removes the directory. */
  stop(): Promise<void>;
}

const host = "127.0.0.1";
const masterName = "mymaster";
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** One command on a short-lived connection. */
export async function redisCommand(
  node: HostPort,
  ...args: Array<string | number>
): Promise<unknown> {
  const client = new Redis({
    host: node.host,
    port: node.port,
    retryStrategy: null,
    connectTimeout: 1000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableReadyCheck: false,
    lazyConnect: true,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    client.disconnect();
  }
}

function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  diagnostics: () => Promise<string> = async () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}\n${await diagnostics()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test run must not leave redis-servers behind.
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Starts `redis-server <args>` and waits until it answers PING. */
export async function startRedisServer(
  name: string,
  dir: string,
  port: number,
  args: string[],
): Promise<RedisProcess> {
  installExitHook();
  const logFile = join(dir, `${name}.log`);
  const child = spawn("redis-server", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.once("exit", () => live.delete(child));
  const node: RedisProcess = { name, host, port, child, logFile };
  await waitUntil(
    `${name} on port ${port}`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
      return (await redisCommand(node, "PING")) === "PONG";
    },
    10_000,
    () => tail(logFile),
  );
  return node;
}

function serverArgs(dir: string, port: number, name: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    host,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--logfile",
    join(dir, `${name}.log`),
    "--daemonize",
    "no",
  ];
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return `--- ${file}\n${(await readFile(file, "utf8")).split("\n").slice(-lines).join("\n")}`;
  } catch {
    return "";
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

export async function startSentinelTopology(): Promise<SentinelTopology> {
  const dir = await mkdtemp(join(tmpdir(), "rttm-sentinel-"));
  const processes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => kill(p.child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const master = await startRedisServer(
      "master",
      dir,
      masterPort!,
      serverArgs(dir, masterPort!, "master"),
    );
    processes.push(master);
    const replica = await startRedisServer("replica", dir, replicaPort!, [
      ...serverArgs(dir, replicaPort!, "replica"),
      "--replicaof",
      host,
      String(masterPort),
    ]);
    processes.push(replica);
    await waitUntil(
      "the replica to sync with the master",
      async () =>
        String(await redisCommand(replica, "INFO", "replication")).includes(
          "master_link_status:up",
        ),
      15_000,
      () => tail(replica.logFile),
    );

    for (const [i, port] of sentinelPorts.entries()) {
      const name = `sentinel-${i + 1}`;
      const conf = join(dir, `${name}.conf`);
      await writeFile(
        conf,
        [
          `port ${port}`,
          `bind ${host}`,
          `dir ${dir}`,
          `logfile ${join(dir, `${name}.log`)}`,
          `sentinel monitor ${masterName} ${host} ${masterPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 3000`,
          `sentinel parallel-syncs ${masterName} 1`,
          "",
        ].join("\n"),
      );
      processes.push(await startRedisServer(name, dir, port, [conf, "--sentinel"]));
    }
    const sentinels = processes.filter((p) => p.name.startsWith("sentinel-"));
    const logs = async () =>
      (await Promise.all(processes.map((p) => tail(p.logFile, 15)))).join("\n");

    // Every sentinel must know the replica (from the master's INFO) and the two other sentinels
    // (from hello messages, every 2 s): without them no quorum, no election, no failover.
    await waitUntil(
      "the sentinels to know the master, the replica and each other",
      async () => {
        for (const s of sentinels) {
          const m = pairs(await redisCommand(s, "SENTINEL", "MASTER", masterName));
          if (m.ip !== host || Number(m.port) !== masterPort || m.flags !== "master") return false;
          if (Number(m["num-slaves"]) < 1 || Number(m["num-other-sentinels"]) < 2) return false;
          const replicas = (await redisCommand(s, "SENTINEL", "REPLICAS", masterName)) as unknown[];
          const known = replicas
            .map(pairs)
            .some(
              (r) =>
                Number(r.port) === replicaPort &&
                r.flags === "slave" &&
                r["master-link-status"] === "ok",
            );
          if (!known) return false;
        }
        return true;
      },
      30_000,
      logs,
    );

    const currentMaster = async (): Promise<HostPort> => {
      const answers = await Promise.all(
        sentinels
          .filter((s) => s.child.exitCode === null && s.child.signalCode === null)
          .map(async (s) => {
            const reply = (await redisCommand(
              s,
              "SENTINEL",
              "GET-MASTER-ADDR-BY-NAME",
              masterName,
            )) as [string, string];
            return `${reply[0]}:${reply[1]}`;
          }),
      );
      const distinct = new Set(answers);
      if (distinct.size !== 1)
        throw new Error(`sentinels disagree about the master: ${answers.join(", ")}`);
      const [h, p] = answers[0]!.split(":");
      return { host: h!, port: Number(p) };
    };

    return {
      masterName,
      sentinels: sentinels.map(({ host: h, port }) => ({ host: h, port })),
      dir,
      master: currentMaster,
      config: (commandTimeoutMs = 1000) => ({
        kind: "sentinel",
        masterName,
        sentinels: sentinels.map(({ host: h, port }) => ({ host: h, port })),
        password: undefined,
        sentinelPassword: undefined,
        commandTimeoutMs,
      }),
      async failover(timeoutMs = 30_000) {
        const oldMaster = await currentMaster();
        const victim = processes.find(
          (p) => p.port === oldMaster.port && !p.name.startsWith("sentinel-"),
        );
        if (!victim)
          throw new Error(`no process of ours is the master ${oldMaster.host}:${oldMaster.port}`);
        const killedAt = Date.now();
        await kill(victim.child);
        let newMaster: HostPort | undefined;
        await waitUntil(
          "the sentinels to promote the replica",
          async () => {
            const now = await currentMaster();
            if (now.port === oldMaster.port) return false;
            // The promoted replica reports itself master (sentinels switch once it does).
            if (!String(await redisCommand(now, "INFO", "replication")).includes("role:master"))
              return false;
            newMaster = now;
            return true;
          },
          timeoutMs,
          logs,
        );
        return { oldMaster, newMaster: newMaster!, killedAt, switchMs: Date.now() - killedAt };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
