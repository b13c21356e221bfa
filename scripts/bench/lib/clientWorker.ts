/** The parent's side of a bench client worker (liveClients.ts): fork, commands, awaited answers. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkerCommand, WorkerMessage } from "./liveClients.js";

/** A client worker process (liveClients.ts) driven over IPC. */
export class ClientWorker {
  readonly child: ChildProcess;
  last: Extract<WorkerMessage, { type: "progress" }> = {
    type: "progress",
    connected: 0,
    subscribed: 0,
    failed: 0,
    closed: 0,
  };
  private waiters = new Map<string, (message: WorkerMessage) => void>();

  constructor() {
    this.child = fork(fileURLToPath(new URL("./liveClients.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") this.last = message;
      else if (message.type === "ready")
        this.last = {
          type: "progress",
          connected: message.connected,
          subscribed: message.subscribed,
          failed: message.failed,
          closed: 0,
        };
      const waiter = this.waiters.get(message.type);
      if (waiter) {
        this.waiters.delete(message.type);
        waiter(message);
      }
    });
  }

  send(command: WorkerCommand): void {
    this.child.send(command);
  }

  next<T extends WorkerMessage["type"]>(type: T): Promise<Extract<WorkerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiters.set(type, resolve as (message: WorkerMessage) => void);
      this.child.once("exit", (code) =>
        reject(new Error(`client worker exited with ${code} while waiting for ${type}`)),
      );
    });
  }
}

/** Asks each worker to close its clients (up to 20 s each), then ends the worker processes. */
export async function closeWorkers(workers: readonly ClientWorker[]): Promise<void> {
  for (const worker of workers) {
    const closed = worker.next("closed").catch(() => undefined);
    worker.send({ cmd: "close" });
    await Promise.race([closed, new Promise((r) => setTimeout(r, 20_000))]);
    worker.child.kill();
  }
}
