/**
 * A real Alertmanager (/usr/bin/prometheus-alertmanager, Debian's package) on a free loopback port
 * with its own storage directory, clustering off, routing every alert on its own (group_by: ...)
 * to a webhook receiver: a test HTTP server that keeps every notification it gets.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./infra.js";

export const alertmanagerBinary =
  process.env.TEST_ALERTMANAGER_BIN ?? "/usr/bin/prometheus-alertmanager";

/** One alert of a webhook notification (Alertmanager's webhook format, version 4). */
export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookNotification {
  version: string;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: WebhookAlert[];
  [key: string]: unknown;
}

/** The webhook receiver: notifications per path (one path per Alertmanager). */
export class WebhookReceiver {
  readonly received = new Map<string, WebhookNotification[]>();
  private readonly waiters = new Set<() => void>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        const list = receiver!.received.get(path) ?? [];
        list.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as WebhookNotification);
        receiver!.received.set(path, list);
        for (const wake of receiver!.waiters) wake();
        res.writeHead(200).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    receiver = new WebhookReceiver(server, (server.address() as { port: number }).port);
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Alerts received at `path` (every notification's alerts, in order). */
  alerts(path: string): WebhookAlert[] {
    return (this.received.get(path) ?? []).flatMap((n) => n.alerts);
  }

  /** Waits until an alert received at `path` (from index `from` on) matches. */
  async waitFor(
    path: string,
    what: string,
    match: (alert: WebhookAlert) => boolean,
    timeoutMs = 30_000,
    from = 0,
  ): Promise<WebhookAlert> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.alerts(path).slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `webhook ${path}: no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.alerts(path).map((a) => [a.status, a.labels]))}`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 1000));
        this.waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}

/** One Alertmanager process; `restart()` starts a fresh one (new storage) on the same port. */
export class Alertmanager {
  private process: ChildProcess | null = null;
  private dir: string | null = null;
  private output = "";

  private constructor(
    readonly port: number,
    private readonly webhookUrl: string,
  ) {}

  static async start(webhookUrl: string): Promise<Alertmanager> {
    const am = new Alertmanager(await freePort(), webhookUrl);
    await am.launch();
    return am;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), "rttm-am-"));
    const config = join(this.dir, "alertmanager.yml");
    writeFileSync(
      config,
      [
        "route:",
        "  receiver: webhook",
        "  group_by: ['...']",
        "  group_wait: 100ms",
        "  group_interval: 500ms",
        "  repeat_interval: 1h",
        "receivers:",
        "  - name: webhook",
        "    webhook_configs:",
        `      - url: ${JSON.stringify(this.webhookUrl)}`,
        "        send_resolved: true",
        "",
      ].join("\n"),
    );
    this.output = "";
    const child = spawn(
      alertmanagerBinary,
      [
        `--config.file=${config}`,
        `--storage.path=${join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr!.on("data", (c: Buffer) => {
      this.output = (this.output + c.toString()).slice(-10_000);
    });
    this.process = child;
    await waitFor(
      `Alertmanager on ${this.url} to be ready (${this.output})`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`Alertmanager exited ${child.exitCode}: ${this.output}`);
        return (await fetch(`${this.url}/-/ready`)).ok;
      },
      20_000,
    );
  }

  /** GET on the v2 API (alerts, silences) as parsed JSON. */
  async api<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}/api/v2${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  }

  /** Stops the process (SIGTERM) and removes its storage: its alerts are gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  /** A fresh Alertmanager (empty state) on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

/**
 * A fault-injecting HTTP proxy in front of a real Alertmanager, for what a real one cannot be made
 * to do on demand: answer 5xx. It forwards every request (method, path, body) while `failWith`
 * is null, and answers that status instead while it is set. When the Alertmanager behind it is
 * down, it drops the client's connection, as the Alertmanager's closed port would.
 */
export class FaultProxy {
  failWith: number | null = null;
  /** Requests answered with `failWith`, by "METHOD path". */
  readonly failed = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    let proxy: FaultProxy | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const key = `${req.method} ${req.url}`;
        const status = proxy!.failWith;
        if (status !== null) {
          proxy!.failed.set(key, (proxy!.failed.get(key) ?? 0) + 1);
          res.writeHead(status, { "content-type": "text/plain" }).end("injected failure\n");
          return;
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const headers: Record<string, string> = {};
        if (req.headers["content-type"]) headers["content-type"] = req.headers["content-type"];
        fetch(`${target}${req.url}`, { method: req.method, headers, body })
          .then(async (upstream) => {
            const text = Buffer.from(await upstream.arrayBuffer());
            res
              .writeHead(upstream.status, {
                "content-type": upstream.headers.get("content-type") ?? "application/json",
              })
              .end(text);
          })
          .catch(() => req.socket.destroy());
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    proxy = new FaultProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** How many requests to `path` (any method) were answered with the injected status. */
  failures(path: string): number {
    let n = 0;
    for (const [key, count] of this.failed) if (key.endsWith(` ${path}`)) n += count;
    return n;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}
