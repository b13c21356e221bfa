/**
 * A resource envelope for a benchmarked process, as a pod's limits give it: a CPU quota (cgroup v2
 * `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`) and a memory limit (v2 `memory.max`, v1
 * `memory.limit_in_bytes`). Creating cgroups needs root; the caller decides what to do without.
 * Removal waits until every process has left the cgroup (a cgroup with members cannot be
 * removed), then removes it.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";

export interface EnvelopeLimits {
  /** CPU time per period, µs, and the period (the platform's 500m: 50,000 of 100,000); null: no CPU limit. */
  cpuQuotaUs: number | null;
  cpuPeriodUs: number;
  memoryBytes: number;
}

export interface Envelope {
  readonly name: string;
  readonly version: 1 | 2;
  readonly limits: EnvelopeLimits;
  /** `command` started inside the envelope (a shell moves itself in, then execs it). */
  wrap(command: readonly string[]): string[];
  /** Periods the quota throttled so far, and the time throttled (s). */
  throttling(): Promise<{ periods: number; throttled: number; throttledSeconds: number }>;
  /** The cgroup's peak memory charge so far (bytes; page cache included), null when unknown. */
  memoryPeakBytes(): Promise<number | null>;
  /** Waits (up to `timeoutMs`) until no process is left in it, then removes it. */
  remove(timeoutMs?: number): Promise<void>;
}

const root = "/sys/fs/cgroup";

/** Creates the envelope `name` (letters, digits, dashes) with `limits`; throws when it cannot. */
export async function createEnvelope(name: string, limits: EnvelopeLimits): Promise<Envelope> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad cgroup name ${name}`);
  return existsSync(`${root}/cgroup.controllers`) ? createV2(name, limits) : createV1(name, limits);
}

async function createV2(name: string, limits: EnvelopeLimits): Promise<Envelope> {
  const controllers = await readFile(`${root}/cgroup.subtree_control`, "utf8");
  for (const c of ["cpu", "memory"])
    if (!controllers.split(/\s+/).includes(c))
      await writeFile(`${root}/cgroup.subtree_control`, `+${c}`);
  const dir = `${root}/${name}`;
  await mkdir(dir);
  const dirs = [dir];
  try {
    await writeFile(`${dir}/cpu.max`, `${limits.cpuQuotaUs ?? "max"} ${limits.cpuPeriodUs}`);
    await writeFile(`${dir}/memory.max`, String(limits.memoryBytes));
    await writeFile(`${dir}/memory.swap.max`, "0").catch(() => undefined);
  } catch (err) {
    await rmdir(dir).catch(() => undefined);
    throw err;
  }
  return envelope(name, 2, limits, dirs, {
    cpuStat: `${dir}/cpu.stat`,
    peak: `${dir}/memory.peak`,
  });
}

async function createV1(name: string, limits: EnvelopeLimits): Promise<Envelope> {
  const cpu = `${root}/cpu/${name}`;
  const memory = `${root}/memory/${name}`;
  const dirs: string[] = [];
  try {
    await mkdir(cpu);
    dirs.push(cpu);
    await writeFile(`${cpu}/cpu.cfs_period_us`, String(limits.cpuPeriodUs));
    await writeFile(`${cpu}/cpu.cfs_quota_us`, String(limits.cpuQuotaUs ?? -1));
    await mkdir(memory);
    dirs.push(memory);
    await writeFile(`${memory}/memory.limit_in_bytes`, String(limits.memoryBytes));
  } catch (err) {
    for (const dir of dirs.reverse()) await rmdir(dir).catch(() => undefined);
    throw err;
  }
  return envelope(name, 1, limits, dirs, {
    cpuStat: `${cpu}/cpu.stat`,
    peak: `${memory}/memory.max_usage_in_bytes`,
  });
}

function envelope(
  name: string,
  version: 1 | 2,
  limits: EnvelopeLimits,
  dirs: string[],
  files: { cpuStat: string; peak: string },
): Envelope {
  const procs = dirs.map((dir) => `${dir}/cgroup.procs`);
  return {
    name,
    version,
    limits,
    wrap: (command) => [
      "sh",
      "-c",
      `for f in ${procs.join(" ")}; do echo $$ > "$f" || exit 97; done; exec "$@"`,
      "sh",
      ...command,
    ],
    async throttling() {
      const text = await readFile(files.cpuStat, "utf8").catch(() => "");
      const field = (key: string) => Number(new RegExp(`^${key} (\\d+)`, "m").exec(text)?.[1] ?? 0);
      const throttledSeconds =
        version === 2 ? field("throttled_usec") / 1e6 : field("throttled_time") / 1e9;
      return { periods: field("nr_periods"), throttled: field("nr_throttled"), throttledSeconds };
    },
    async memoryPeakBytes() {
      const text = await readFile(files.peak, "utf8").catch(() => null);
      return text === null ? null : Number(text.trim());
    },
    async remove(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (const file of procs) {
        while ((await readFile(file, "utf8").catch(() => "")).trim() !== "") {
          if (Date.now() > deadline)
            throw new Error(`processes still in cgroup ${file} after ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      for (const dir of [...dirs].reverse()) await rmdir(dir);
    },
  };
}
