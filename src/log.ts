/** Structured JSON logs on stderr, one object per line. LOG_LEVEL picks the threshold. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

function parseLevel(value: string | undefined): LogLevel {
  return value && value in rank ? (value as LogLevel) : "info";
}

let threshold = rank[parseLevel(process.env.LOG_LEVEL)];

export function setLogLevel(level: LogLevel): void {
  threshold = rank[level];
}

function serialiseError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return err;
}

function write(level: LogLevel, base: LogFields, msg: string, fields?: LogFields): void {
  if (rank[level] < threshold) return;
  const entry: LogFields = { time: new Date().toISOString(), level, msg, ...base, ...fields };
  if ("err" in entry) entry.err = serialiseError(entry.err);
  process.stderr.write(
    JSON.stringify(entry, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n",
  );
}

export function createLogger(base: LogFields = {}): Logger {
  return {
    debug: (msg, fields) => write("debug", base, msg, fields),
    info: (msg, fields) => write("info", base, msg, fields),
    warn: (msg, fields) => write("warn", base, msg, fields),
    error: (msg, fields) => write("error", base, msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const log = createLogger({ service: "rttm" });
