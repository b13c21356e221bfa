import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { apiKeyRing } from "../../src/http/ingest/apiKeys.js";
import { BodyRefused, bodyForm, splitDelimited } from "../../src/http/ingest/body.js";
import { tokenBuckets } from "../../src/http/ingest/rateLimit.js";

const registry = { SCHEMA_REGISTRY_URL: "http://registry:8081" };

test("RTTM_INGEST_API_KEYS: name:key pairs; unset means off; bad entries refused without echoing the key", () => {
  assert.deepEqual(loadConfig({}).httpIngest.apiKeys, []);
  assert.deepEqual(
    loadConfig({
      ...registry,
      RTTM_INGEST_API_KEYS: " trades:aaaaaaaaaaaaaaaa , batch:bbbbbbbbbbbbbbbb",
    }).httpIngest.apiKeys,
    [
      { name: "trades", key: "aaaaaaaaaaaaaaaa" },
      { name: "batch", key: "bbbbbbbbbbbbbbbb" },
    ],
  );
  const problems = (value: string, env: Record<string, string> = registry) => {
    try {
      loadConfig({ ...env, RTTM_INGEST_API_KEYS: value });
      return "";
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
  };
  const short = problems("a:tiny-secret");
  assert.match(short, /entry 1 \(a\).*at least 12 characters/);
  assert.doesNotMatch(short, /tiny-secret/, "the key is never echoed");
  assert.match(problems("justakeywithoutname"), /expected name:key/);
  assert.match(problems("a:aaaaaaaaaaaaaaaa,a:bbbbbbbbbbbbbbbb"), /the name a is given twice/);
  assert.match(problems("a:aaaaaaaaaaaaaaaa,b:aaaaaaaaaaaaaaaa"), /same as another entry's/);
  assert.match(problems("a:aaaaaaaaaaaaaaaa", {}), /SCHEMA_REGISTRY_URL is not/);
  assert.match(
    problems("a:aaaaaaaaaaaaaaaa", { ...registry, RTTM_INGEST_RATE_BURST: "10" }),
    /RTTM_INGEST_RATE_BURST=10 .* at least RTTM_INGEST_MAX_BATCH_EVENTS/,
  );
});

test("API keys: missing or blank, unknown, or known by name", () => {
  const ring = apiKeyRing([
    { name: "old", key: "old-key-0123456789" },
    { name: "new", key: "new-key-0123456789" },
  ]);
  assert.deepEqual(ring.check(undefined), { kind: "missing" });
  assert.deepEqual(ring.check(""), { kind: "missing" });
  assert.deepEqual(ring.check("  "), { kind: "missing" });
  assert.deepEqual(ring.check("new-key-012345678"), { kind: "unknown" });
  assert.deepEqual(ring.check("new-key-0123456789x"), { kind: "unknown" });
  assert.deepEqual(ring.check("old-key-0123456789"), { kind: "known", name: "old" });
  assert.deepEqual(ring.check("new-key-0123456789"), { kind: "known", name: "new" });
});

test("content types: octet-stream is one event, x-protobuf with delimited=true a batch, anything else none", () => {
  assert.equal(bodyForm("application/octet-stream"), "single");
  assert.equal(bodyForm("Application/Octet-Stream; charset=UTF-8"), "single");
  assert.equal(bodyForm("application/x-protobuf; delimited=true"), "delimited");
  assert.equal(bodyForm("application/x-protobuf;delimited=true; messageType=x"), "delimited");
  assert.equal(bodyForm("application/x-protobuf"), undefined);
  assert.equal(bodyForm("application/json"), undefined);
  assert.equal(bodyForm(undefined), undefined);
});

test("delimited bodies: varint lengths (multi-byte included); empty, truncated, oversize and too many events refused with their index", () => {
  const big = Buffer.alloc(300, 7);
  const body = Buffer.concat([
    Buffer.from([3]),
    Buffer.from("abc"),
    Buffer.from([0xac, 0x02]), // 300
    big,
  ]);
  const events = splitDelimited(body, 1000, 10);
  assert.deepEqual(
    events.map((e) => e.length),
    [3, 300],
  );
  assert.deepEqual(events[1], big);
  const refused = (buffer: Buffer, status: number, index: number, message: RegExp) =>
    assert.throws(
      () => splitDelimited(buffer, 100, 2),
      (err: unknown) =>
        err instanceof BodyRefused &&
        err.code === (status === 413 ? "BODY_TOO_LARGE" : "BODY_INVALID") &&
        err.index === index &&
        message.test(err.message),
    );
  refused(Buffer.from([1, 65, 0]), 400, 1, /event 1 is empty/);
  refused(Buffer.from([5, 65, 65]), 400, 0, /5 bytes announced, 2 left/);
  refused(Buffer.from([1, 65, 0x80]), 400, 1, /length prefix is truncated/);
  refused(
    Buffer.concat([Buffer.from([0xac, 0x02]), big]),
    413,
    0,
    /300 bytes exceeds the limit of 100/,
  );
  refused(Buffer.from([1, 65, 1, 66, 1, 67]), 413, 2, /more than 2 events/);
});

test("rate limit: a bucket per key, all of a request's events or none, Retry-After in whole seconds", () => {
  let now = 0;
  const limiter = tokenBuckets(10, 20, () => now);
  assert.equal(limiter.take("a", 15), 0);
  assert.equal(limiter.take("a", 10), 1, "5 left: 10 need half a second → 1 s");
  assert.equal(limiter.take("b", 20), 0, "another key has its own bucket");
  now = 500;
  assert.equal(limiter.take("a", 10), 0, "refilled 5 in 500 ms");
  assert.equal(limiter.take("a", 25), 3, "more than the bucket: ceil(25 / 10)");
  now = 100_000;
  assert.equal(limiter.take("a", 20), 0, "refill stops at the bucket's size");
  assert.equal(limiter.take("a", 1), 1);
});
