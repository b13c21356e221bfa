/**
 * Replicas of the service as the platform runs them: the compiled service (`dist/src/main.js`,
 * built like the image), NODE_ENV=production and the image's NODE_OPTIONS (read from the
 * Dockerfile), each in its own envelope of half a core and 512 MiB (lib/cgroup.ts).
 */
import { execFileSync } from "node:child_process";
import { imageNodeOptions } from "../lib/image.js";
import { createEnvelope, type Envelope, type EnvelopeLimits } from "../lib/cgroup.js";
import { cpuSeconds, rssKb } from "../lib/proc.js";
import { progress, scrapeMetrics, startService, type RunningService } from "../lib/service.js";

/** The platform's envelope (shared/spec/platform.md §4): limits cpu 500m, memory 512Mi. */
export const platformLimits = {
  cpuQuotaUs: 50_000,
  cpuPeriodUs: 100_000,
  memoryBytes: 512 * 2 ** 20,
} satisfies EnvelopeLimits;

/** Compiles the service to dist/ as the image's build stage does. */
export function buildService(): void {
  progress("building dist/ as the image does (tsc --noEmit false --outDir dist)");
  execFileSync(
    "npx",
    ["tsc", "-p", "tsconfig.json", "--noEmit", "false", "--rootDir", ".", "--outDir", "dist"],
    { stdio: "inherit" },
  );
}

export interface Replica {
  service: RunningService;
  envelope: Envelope;
}

/** One replica's CPU (% of a core), RSS and throttling between two samples. */
export interface ReplicaSample {
  cpuSeconds: number;
  rssKb: number;
  throttled: number;
  throttledSeconds: number;
}

export async function sampleReplica(r: Replica): Promise<ReplicaSample> {
  const t = await r.envelope.throttling();
  return {
    cpuSeconds: cpuSeconds(r.service.pid) ?? 0,
    rssKb: rssKb(r.service.pid) ?? 0,
    throttled: t.throttled,
    throttledSeconds: t.throttledSeconds,
  };
}

let started = 0;
/** Replicas running now, for {@link stopAllReplicas}. */
const running = new Set<Replica>();

/** Stops every replica still running (the bench interrupted), removing their envelopes. */
export async function stopAllReplicas(): Promise<void> {
  await stopReplicas([...running]);
}

/** Starts `count` replicas with `env`, each in its own envelope named after `label`. */
export async function startReplicas(
  label: string,
  count: number,
  env: Record<string, string>,
): Promise<Replica[]> {
  const replicas: Replica[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const envelope = await createEnvelope(
        `rttm-capacity-${label}-${process.pid}-${started++}`,
        platformLimits,
      );
      try {
        const service = await startService(
          { NODE_ENV: "production", NODE_OPTIONS: imageNodeOptions(), ...env },
          {
            nodeArgs: ["--enable-source-maps", "dist/src/main.js"],
            wrap: envelope.wrap,
            readyTimeoutMs: 120_000,
          },
        );
        const replica = { service, envelope };
        replicas.push(replica);
        running.add(replica);
      } catch (err) {
        await envelope.remove().catch(() => undefined);
        throw err;
      }
    }
    return replicas;
  } catch (err) {
    await stopReplicas(replicas);
    throw err;
  }
}

/** Stops the replicas (flush and commit on SIGTERM), then removes their envelopes once empty. */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(replicas.map((r) => r.service.stop()));
  for (const r of replicas) running.delete(r);
  for (const r of replicas)
    await r.envelope
      .remove()
      .catch((err: unknown) => progress(`cgroup ${r.envelope.name}: ${String(err)}`));
}

/** The sum of a metric over the replicas' /metrics. */
export async function sumMetric(replicas: readonly Replica[], name: string): Promise<number> {
  const all = await Promise.all(replicas.map((r) => scrapeMetrics(r.service.port)));
  return all.reduce((n, m) => n + (m.get(name) ?? 0), 0);
}
