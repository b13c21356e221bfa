import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger, redactedText, setLogLevel, type LogLevel } from "../../src/log.js";

/** A logger writing into an array of parsed lines. */
function capture(base = {}) {
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger(base, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function atLevel<T>(level: LogLevel, run: () => T): T {
  setLogLevel(level);
  try {
    return run();
  } finally {
    setLogLevel("silent");
  }
}

test("a line is one JSON object with time, level label, message, base and fields", () => {
  const { logger, lines } = capture({ service: "rttm-test" });
  atLevel("debug", () => logger.info("started", { port: 8087, offset: 12n }));
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line!.level, "info");
  assert.equal(line!.msg, "started");
  assert.equal(line!.service, "rttm-test");
  assert.equal(line!.port, 8087);
  assert.equal(line!.offset, 12);
  assert.ok(!Number.isNaN(Date.parse(line!.time)));
});

test("err keeps its cause chain and the cause's PostgreSQL code", () => {
  const { logger, lines } = capture();
  const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" });
  atLevel("info", () =>
    logger.error("batch write failed", { err: new Error("write failed", { cause: deadlock }) }),
  );
  const err = lines[0]!.err;
  assert.equal(err.message, "write failed");
  assert.match(err.stack, /write failed/);
  assert.equal(err.cause.message, "deadlock detected");
  assert.equal(err.cause.code, "40P01");
});

test("secrets are redacted in fields, one level down and in child bindings; URLs keep all but the password", () => {
  const { logger, lines } = capture({ redis: "redis://rttm:hunter2@redis:6379/0" });
  atLevel("info", () =>
    logger.child({ token: "eyJ.secret" }).info("connected", {
      password: "hunter2",
      redisConfig: { sentinelPassword: "s3cret", url: "http://user:pw@registry:8081/" },
      url: "/graphql?query=x",
    }),
  );
  const line = lines[0]!;
  assert.equal(line.redis, "redis://rttm:***@redis:6379/0");
  assert.equal(line.token, redactedText);
  assert.equal(line.password, redactedText);
  assert.equal(line.redisConfig.sentinelPassword, redactedText);
  assert.equal(line.redisConfig.url, "http://user:***@registry:8081/");
  assert.equal(line.url, "/graphql?query=x");
  assert.doesNotMatch(JSON.stringify(lines), /hunter2|s3cret|eyJ\.secret|:pw@/);
});

test("the threshold drops lower levels, and setLogLevel reaches loggers made before it", () => {
  const { logger, lines } = capture();
  const child = logger.child({ component: "c" });
  atLevel("warn", () => {
    child.debug("d");
    child.info("i");
    child.warn("w");
    child.error("e");
  });
  assert.deepEqual(
    lines.map((l) => l.msg),
    ["w", "e"],
  );
  atLevel("silent", () => child.error("never"));
  assert.equal(lines.length, 2);
});
