/**
 * A real Prometheus (/usr/bin/prometheus, Debian's package) on a free loopback port with a
 * temporary storage directory, scraping the given targets every second; and promtool.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, waitFor } from "./infra.js";

export const prometheusBinary = process.env.TEST_PROMETHEUS_BIN ?? "/usr/bin/prometheus";
export const promtoolBinary = process.env.TEST_PROMTOOL_BIN ?? "/usr/bin/promtool";

/** promtool with `args`: exit code and output (never throws on a non-zero exit). */
export async function promtool(
  args: string[],
  cwd?: string,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(promtoolBinary, args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout}${e.stderr}` };
  }
}

export class Prometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly output: () => string,
  ) {}

  /** Scrapes `targets` (host:port, path /metrics) every second as job "rttm". */
  static async start(targets: string[]): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), "rttm-prometheus-"));
    const port = await freePort();
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: rttm",
        "    static_configs:",
        `      - targets: ${JSON.stringify(targets)}`,
        "",
      ].join("\n"),
    );
    let output = "";
    const child = spawn(
      prometheusBinary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr!.on("data", (c: Buffer) => {
      output = (output + c.toString()).slice(-10_000);
    });
    const prometheus = new Prometheus(child, dir, port, () => output);
    await waitFor(
      `Prometheus on port ${port} to be ready`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`Prometheus exited ${child.exitCode}: ${output}`);
        return (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok;
      },
      30_000,
    );
    return prometheus;
  }

  /** GET /api/v1/<path>: its `data`. */
  async api<T>(path: string): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.port}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`GET ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill("SIGTERM");
      await once(this.child, "exit");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  get log(): string {
    return this.output();
  }
}
