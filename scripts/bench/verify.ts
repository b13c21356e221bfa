/**
 * `npm run bench:verify -- [--events 1000000]`: `npm run verify` over a database holding that
 * many stored trade events (a day of history seeded by scripts/bench/seed.ts, reused when it
 * exists), run as its own process: wall time, peak RSS (VmHWM, sampled every 100 ms) and what it
 * reported. Progress on stderr; writes bench-results/verify-latest.json and a dated copy.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { peakRssKb } from "./lib/proc.js";
import { progress } from "./lib/service.js";
import { existingSeed, seedDatabase } from "./seed.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    out: { type: "string", default: "bench-results" },
  },
});
const events = Number(args.events);
let seed = await existingSeed(events);
if (typeof seed === "string") {
  progress(`${seed}: seeding ${events} events`);
  seed = await seedDatabase({ events });
}
const from = new Date(seed.seededAt - 86_400_000);
const to = new Date(seed.seededAt);
progress(
  `verify over ${seed.events} events in ${seed.name}, ${from.toISOString()} … ${to.toISOString()}`,
);

const loadBefore = loadavg();
const started = performance.now();
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "src/verify.ts",
    "--from",
    from.toISOString(),
    "--to",
    to.toISOString(),
    "--json",
  ],
  {
    env: { ...process.env, DATABASE_URL: seed.url, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let peakKb = 0;
const sampler = setInterval(() => {
  peakKb = Math.max(peakKb, peakRssKb(child.pid!) ?? 0);
}, 100);
let stdout = "";
child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
const exitCode = await new Promise<number>((resolve) =>
  child.on("exit", (code) => resolve(code ?? 1)),
);
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
if (exitCode === 1) throw new Error(`verify failed (exit 1)`);
const report = JSON.parse(stdout) as {
  tables: Array<{ table: string; checked: number; differing: number; largestDifference: number }>;
};

const result = {
  at: new Date().toISOString(),
  command: `npm run bench:verify -- --events ${events}`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadBefore, loadAfter: loadavg() },
  events: seed.events,
  range: { from: from.toISOString(), to: to.toISOString() },
  exitCode,
  seconds: Math.round(seconds * 10) / 10,
  eventsPerSecond: Math.round(seed.events / seconds),
  peakRssMiB: Math.round((peakKb / 1024) * 10) / 10,
  tables: report.tables,
};
await mkdir(args.out, { recursive: true });
const text = JSON.stringify(result, null, 2);
await writeFile(`${args.out}/verify-latest.json`, text);
await writeFile(`${args.out}/verify-${result.at.replace(/[:.]/g, "-")}.json`, text);
console.log(
  `verify over ${seed.events} events: ${result.seconds} s (${result.eventsPerSecond} events/s), peak RSS ${result.peakRssMiB} MiB, exit ${exitCode}`,
);
for (const t of report.tables)
  console.log(`  ${t.table.padEnd(30)} checked ${t.checked}, differing ${t.differing}`);
console.log(
  `load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${result.machine.loadAfter.map((l) => l.toFixed(2)).join(" ")}; ${args.out}/verify-latest.json`,
);
