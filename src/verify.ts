/**
 * `npm run verify -- [--from ISO] [--to ISO] [--json] [--repair]` (in the image:
 * `node dist/src/verify.js …`): recomputes every derived table from the stored trade events and
 * compares. Prints, per table, the keys checked, those that differ and the largest difference;
 * progress goes to stderr. Exit 0: all agree; 3: something drifted (with --repair: and was
 * rewritten; run again to confirm); 1: error (bad arguments, database unreachable, another
 * repair running).
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/index.js";
import { createPool } from "./store/index.js";
import {
  formatReports,
  withVerifyLock,
  alignRange,
  defaultRanges,
  sameRange,
  verifyDerived,
  type TableReport,
  type VerifyProgress,
} from "./store/verify/index.js";

const usage = "usage: npm run verify -- [--from ISO] [--to ISO] [--json] [--repair]";

function parseTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(`--${name} ${value}: not an ISO 8601 time`);
  return time;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      json: { type: "boolean", default: false },
      repair: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const config = loadConfig();
  const now = new Date();
  const from = parseTime("from", values.from);
  const to = parseTime("to", values.to);
  const ranges =
    from || to
      ? sameRange(
          alignRange(
            from ?? new Date(now.getTime() - config.retention.eventsHours * 3_600_000),
            to ?? now,
          ),
        )
      : defaultRanges(config.retention, now);
  for (const range of Object.values(ranges))
    if (range.from >= range.to)
      throw new UsageError(`--from must be before --to (${range.from.toISOString()} … )`);

  const pool = createPool(config.databaseUrl, 2);
  try {
    let lastProgress = 0;
    const onProgress = (p: VerifyProgress) => {
      const done = p.chunksDone === p.chunksTotal;
      if (!done && Date.now() - lastProgress < 1000) return;
      lastProgress = Date.now();
      process.stderr.write(
        `verify: ${p.table} ${p.chunksDone}/${p.chunksTotal} hours (at ${p.chunk.toISOString()})\n`,
      );
    };
    const run = () => verifyDerived(pool, { ranges, repair: values.repair, onProgress });
    let reports: TableReport[] | null;
    if (values.repair) {
      reports = await withVerifyLock(pool, run);
      if (!reports) throw new UsageError("another repair or scheduled verify holds the lock");
    } else reports = await run();
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ checkedAt: now.toISOString(), tables: reports }, null, 2)}\n`
        : `${formatReports(reports, values.repair)}\n`,
    );
    return reports.some((r) => r.differing > 0) ? 3 : 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const badArguments =
      err instanceof UsageError ||
      String((err as { code?: string }).code).startsWith("ERR_PARSE_ARGS");
    const message =
      err instanceof ConfigError || badArguments
        ? (err as Error).message
        : `verify failed: ${(err as Error).message}`;
    process.stderr.write(`${message}\n${badArguments ? `${usage}\n` : ""}`);
    process.exit(1);
  },
);
