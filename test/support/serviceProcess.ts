/**
 * The service as its own process (`node --import tsx <entry>`), the one way tests and benchmarks
 * start it outside their own process: the child, the tail of its log, its exit, and a readiness
 * wait on /actuator/health/readiness. Tests kill it to prove durability; benchmarks measure it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { waitFor } from "./infra.js";

export interface ServiceProcessOptions {
  /**
   * The entry point: the service as deployed, or a benchmark's own composition of it
   * (scripts/bench/lib/perSubscriberService.ts).
   * @default "src/main.ts"
   */
  entry?: string;
  /** Node's arguments instead of `--import tsx <entry>` (e.g. the compiled dist/src/main.js). */
  args?: readonly string[];
  /** Node flags before them (e.g. heap settings). @default [] */
  nodeFlags?: readonly string[];
  /** Wraps the command line, e.g. to start it inside a cgroup (scripts/bench/lib/cgroup.ts). */
  wrap?: (command: readonly string[]) => string[];
  /** LOG_LEVEL of the service, unless `env` sets it. @default "info" */
  logLevel?: string;
  /** Called with each line of its stderr (the JSON log). @default none */
  onLine?: (line: string) => void;
}

export interface ServiceProcess {
  process: ChildProcess;
  pid: number;
  /** The last 20,000 characters of its stderr. */
  output(): string;
  /** Its exit code (null: killed by a signal). */
  exited: Promise<number | null>;
  /** Undefined while it runs. */
  exitCode(): number | null | undefined;
}

/** Starts the service with `env` on top of this process's environment. */
export function spawnService(
  env: Record<string, string>,
  {
    entry = "src/main.ts",
    args = ["--import", "tsx", entry],
    nodeFlags = [],
    wrap,
    logLevel = "info",
    onLine,
  }: ServiceProcessOptions = {},
): ServiceProcess {
  const command = [process.execPath, ...nodeFlags, ...args];
  const [file, ...rest] = wrap ? wrap(command) : command;
  const child = spawn(file!, rest, {
    env: { ...process.env, LOG_LEVEL: logLevel, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  let buffered = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    if (!onLine) return;
    buffered += text;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    process: child,
    pid: child.pid!,
    output: () => output,
    exited,
    exitCode: () => exitCode,
  };
}

/**
 * Resolves once /actuator/health/readiness on `port` answers 200 (database reachable, consumer
 * group joined); throws with the tail of its log if it exits first or is not ready in time (and
 * then kills it).
 */
export async function waitUntilReady(
  service: ServiceProcess,
  port: number,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = service.exitCode();
    if (code !== undefined)
      throw new Error(
        `service exited with ${code} before it was ready:\n${service.output().slice(-3000)}`,
      );
    if (Date.now() > deadline) {
      service.process.kill("SIGKILL");
      throw new Error(
        `service not ready within ${timeoutMs} ms:\n${service.output().slice(-3000)}`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/actuator/health/readiness`);
      if (response.status === 200) return;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The port the service announced in its "rttm started" log line (SERVER_PORT=0: a free one). */
export function announcedPort(service: ServiceProcess, timeoutMs = 60_000): Promise<number> {
  return waitFor(
    "the service to listen",
    async () => {
      const line = service
        .output()
        .split("\n")
        .find((l) => l.includes('"msg":"rttm started"'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    },
    timeoutMs,
    100,
  );
}
