import assert from "node:assert/strict";
import { test } from "node:test";
import { changeTables } from "../../src/domain/changes.js";
import {
  boundNotice,
  changeNotice,
  maxTradeIdsPerNotice,
  NoticeBuilder,
  noticeForBatch,
  parseNotice,
  resyncNotice,
  resyncOrigin,
} from "../../src/live/notice.js";

const ids = (n: number, prefix = "t") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test("a notice lists each table and trade once", () => {
  const notice = changeNotice("a", ["tradeEvents", "dlqEvents", "tradeEvents"], ["x", "y", "x"]);
  assert.deepEqual(notice.tables, ["tradeEvents", "dlqEvents"]);
  assert.deepEqual(notice.tradeIds, ["x", "y"]);
  assert.equal(notice.tradeIdsTruncated, undefined);
  assert.equal(notice.origin, "a");
});

test("exactly the bound of trade ids is not truncated; one more distinct id is", () => {
  const atBound = changeNotice("a", ["tradeEvents"], ids(maxTradeIdsPerNotice));
  assert.equal(atBound.tradeIds.length, maxTradeIdsPerNotice);
  assert.equal(atBound.tradeIdsTruncated, undefined);
  const repeated = changeNotice("a", ["tradeEvents"], [...ids(maxTradeIdsPerNotice), "t-0"]);
  assert.equal(repeated.tradeIdsTruncated, undefined, "a repeated id is not one more trade");
  const over = changeNotice("a", ["tradeEvents"], ids(maxTradeIdsPerNotice + 1));
  assert.equal(over.tradeIds.length, maxTradeIdsPerNotice);
  assert.equal(over.tradeIdsTruncated, true);
  assert.deepEqual(over.tradeIds.slice(0, 2), ["t-0", "t-1"], "the first ids are kept");
});

test("boundNotice keeps origin, time and an incoming truncation flag", () => {
  const bounded = boundNotice({
    origin: "o",
    at: 42,
    tables: ["alerts", "alerts"],
    tradeIds: ["a"],
    tradeIdsTruncated: true,
  });
  assert.deepEqual(bounded, {
    origin: "o",
    at: 42,
    tables: ["alerts"],
    tradeIds: ["a"],
    tradeIdsTruncated: true,
  });
});

test("the builder merges notices within the bound and starts empty after take", () => {
  const builder = new NoticeBuilder();
  assert.equal(builder.empty, true);
  builder.notice(changeNotice("a", ["tradeEvents"], ids(3000, "a")));
  builder.notice(changeNotice("b", ["dlqEvents"], ids(3000, "b")));
  assert.equal(builder.empty, false);
  const merged = builder.take("b", 7);
  assert.deepEqual(merged.tables, ["tradeEvents", "dlqEvents"]);
  assert.equal(merged.tradeIds.length, maxTradeIdsPerNotice);
  assert.equal(merged.tradeIdsTruncated, true);
  assert.equal(merged.at, 7);
  assert.equal(builder.empty, true);
  assert.deepEqual(builder.take("c", 8), { origin: "c", at: 8, tables: [], tradeIds: [] });
});

test("a batch's notice names its tables and the trades of rows that have one", () => {
  const notice = noticeForBatch(
    [
      { table: "tradeEvents", row: { tradeId: "t1" } },
      { table: "queueMetrics", row: { topic: "x" } },
      { table: "invalidTrades", row: { tradeId: "" } },
      { table: "tradeEvents", row: { tradeId: "t1" } },
    ],
    "r",
  );
  assert.deepEqual(notice.tables, ["tradeEvents", "queueMetrics", "invalidTrades"]);
  assert.deepEqual(notice.tradeIds, ["t1"]);
});

test("the resync notice marks every table and every trade changed", () => {
  const notice = resyncNotice();
  assert.equal(notice.origin, resyncOrigin);
  assert.deepEqual(notice.tables, [...changeTables]);
  assert.equal(notice.tradeIdsTruncated, true);
});

test("parseNotice accepts a notice (bounded) and rejects anything else", () => {
  const many = ids(maxTradeIdsPerNotice + 10);
  const parsed = parseNotice(JSON.stringify({ origin: "x", at: 1, tables: ["a"], tradeIds: many }));
  assert.equal(parsed?.tradeIds.length, maxTradeIdsPerNotice);
  assert.equal(parsed?.tradeIdsTruncated, true);
  for (const bad of [
    "not json",
    "[]",
    "null",
    '{"origin":"","at":1,"tables":[],"tradeIds":[]}',
    '{"origin":"x","at":"1","tables":[],"tradeIds":[]}',
    '{"origin":"x","at":1,"tables":"tradeEvents","tradeIds":[]}',
    '{"origin":"x","at":1,"tables":[],"tradeIds":[1]}',
    '{"origin":"x","at":1,"tables":[],"tradeIds":[],"tradeIdsTruncated":"yes"}',
  ])
    assert.equal(parseNotice(bad), null, bad);
});
