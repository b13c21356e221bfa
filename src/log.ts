/**
 * Structured JSON logs on stderr, one object per line (pino). LOG_LEVEL picks the threshold
 * (`silent` in tests). Errors under `err` keep their `cause` chain and fields such as PostgreSQL's
 * `code`; secrets are redacted by key, wherever they sit, so no call site has to remember.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";
import { EnvReader, logLevel, type LogLevel } from "./config/index.js";

export type { LogLevel };
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * The process-wide threshold. It is checked here rather than by pino's per-logger level because
 * a pino child copies its parent's level when made: setLogLevel must reach loggers made before it.
 */
let threshold = pino.levels.values[logLevel.read(new EnvReader(process.env))] ?? Infinity;

export function setLogLevel(level: LogLevel): void {
  threshold = pino.levels.values[level] ?? Infinity;
}

/** Keys whose values are secrets: replaced wholesale. */
const secretKeys = ["password", "sentinelPassword", "token", "accessToken", "authorization"];
/** Keys whose values are URLs that may carry credentials: only the password is replaced. */
const urlKeys = ["url", "redis", "registry", "databaseUrl"];
export const redactedText = "***";

/** The URL with its password replaced; text that is not an absolute URL is left as it is. */
function withoutPassword(value: unknown): unknown {
  if (typeof value !== "string" || !URL.canParse(value)) return value;
  const url = new URL(value);
  if (!url.password) return value;
  url.password = redactedText;
  return url.toString();
}

/** Fields of the request or socket being handled (e.g. its correlation id), on every line it logs. */
const logContext = new AsyncLocalStorage<LogFields>();

/** Runs `fn` so that every line logged within it (awaits included) carries `fields`. */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/** The pino options RTTM logs with, whatever the destination. */
const options: pino.LoggerOptions = {
  level: "debug",
  base: undefined,
  messageKey: "msg",
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  serializers: { err: pino.stdSerializers.errWithCause },
  mixin: () => logContext.getStore() ?? {},
  redact: {
    paths: [...secretKeys, ...urlKeys].flatMap((key) => [key, `*.${key}`]),
    censor: (value, path) =>
      urlKeys.includes(path[path.length - 1] ?? "") ? withoutPassword(value) : redactedText,
  },
};

function wrap(target: PinoLogger): Logger {
  const at =
    (level: Exclude<LogLevel, "silent">) =>
    (msg: string, fields?: LogFields): void => {
      if (pino.levels.values[level]! >= threshold) target[level](fields ?? {}, msg);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => wrap(target.child(fields)),
  };
}

// Synchronous: a line logged just before process.exit (bad configuration) is not lost.
const root = pino(options, pino.destination({ fd: 2, sync: true }));

/**
 * A logger with `base` on every line, writing to stderr, or to `destination` (tests read what
 * was logged from one).
 */
export function createLogger(base: LogFields = {}, destination?: DestinationStream): Logger {
  return wrap((destination ? pino(options, destination) : root).child(base));
}

export const log = createLogger({ service: "rttm" });
