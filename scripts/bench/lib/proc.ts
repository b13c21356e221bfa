/** Process and machine figures from /proc (Linux). */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | null = null;

/** Kernel clock ticks per second (utime/stime units). */
export function clkTck(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Resident set size in KiB (VmRSS), or null when the process is gone. */
export function rssKb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+)/.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process in seconds (its own threads; children not included). */
export function cpuSeconds(pid: number): number | null {
  const split = cpuSplitSeconds(pid);
  return split === null ? null : split.user + split.system;
}

/** CPU seconds of a process, user space and kernel (system) apart. */
export function cpuSplitSeconds(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return { user: Number(fields[11]) / clkTck(), system: Number(fields[12]) / clkTck() };
  } catch {
    return null;
  }
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number | null {
  try {
    return execFileSync("ls", [`/proc/${pid}/fd`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean).length;
  } catch {
    return null;
  }
}

export interface MachineCpu {
  busy: number;
  total: number;
}

/** Aggregate CPU jiffies of the machine (all cores). */
export function machineCpu(): MachineCpu {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal
  return { busy: total - idle, total };
}

/** Busy share of the whole machine between two samples, as % of all cores. */
export function machineBusyPct(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * 100 : 0;
}

/** CPU seconds per process (pid → [command, seconds]) for every process visible in /proc. */
export function allProcessCpu(): Map<number, [string, number]> {
  const result = new Map<number, [string, number]>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return result;
  }
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      let comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm === "java") {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8");
        comm = cmdline.includes("kafka.Kafka")
          ? "java (kafka broker)"
          : cmdline.includes("quarkus") || cmdline.includes("apicurio")
            ? "java (schema registry)"
            : "java";
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      result.set(Number(p), [comm, (Number(fields[11]) + Number(fields[12])) / clkTck()]);
    } catch {
      // gone
    }
  }
  return result;
}

/**
 * Where CPU went between two allProcessCpu samples, as % of one core: the labelled pids by their
 * label, every other process summed by command name (e.g. all postgres backends together).
 */
export function topProcesses(
  a: Map<number, [string, number]>,
  b: Map<number, [string, number]>,
  wallSeconds: number,
  labels: Map<number, string>,
  n = 8,
): Array<{ name: string; processes: number; cpuPctOfCore: number }> {
  const byName = new Map<string, { processes: number; seconds: number }>();
  for (const [pid, [comm, seconds]] of b) {
    const used = seconds - (a.get(pid)?.[1] ?? 0);
    if (used <= 0) continue;
    const name = labels.get(pid) ?? comm;
    const entry = byName.get(name) ?? { processes: 0, seconds: 0 };
    entry.processes++;
    entry.seconds += used;
    byName.set(name, entry);
  }
  return [...byName.entries()]
    .map(([name, e]) => ({
      name,
      processes: e.processes,
      cpuPctOfCore: Math.round((e.seconds / wallSeconds) * 1000) / 10,
    }))
    .sort((x, y) => y.cpuPctOfCore - x.cpuPctOfCore)
    .slice(0, n);
}

/** Peak resident set size in KiB (VmHWM), or null when the process is gone. */
export function peakRssKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
