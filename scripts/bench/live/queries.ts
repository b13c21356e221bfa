/**
 * Part B of bench:live, dashboard query latency on a database seeded with trade events (seed.ts):
 * p50/p99 of sequential HTTP requests per query; EXPLAIN (ANALYZE, BUFFERS) of the SQL of any
 * query whose p99 misses the target.
 */
import pg from "pg";
import * as read from "../../../src/store/read/index.js";
import { rssKb } from "../lib/proc.js";
import {
  createTopics,
  deleteTopics,
  graphqlRequest,
  progress,
  startService,
  type BenchTopics,
  type RunningService,
} from "../lib/service.js";
import { round, summarize, type Summary } from "../lib/stats.js";
import type { SeedInfo } from "../seed.js";

export const queryTargetMs = 50;

interface QueryCase {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  /** The read model(s) the resolver runs, to capture their SQL for EXPLAIN. */
  sql: (db: pg.Pool, now: Date) => Promise<unknown>;
}

export interface QueryResult {
  name: string;
  latencyMs: Summary;
  targetP99Ms: number;
  targetMet: boolean;
  responseBytes: number;
}

export interface ExplainResult {
  query: string;
  statements: Array<{
    sql: string;
    params: unknown[];
    planningMs: number;
    executionMs: number;
    jitMs: number | null;
    /**
     * Plan nodes with the most time of their own (excluding children), largest first. selfMs is
     * summed over the node's loops, so for a parallel plan it adds up the workers' time and can
     * exceed the statement's wall-clock execution time.
     */
    topNodes: Array<{
      node: string;
      selfMs: number;
      rows: number;
      loops: number;
      sharedHit: number;
      sharedRead: number;
    }>;
    plan: string;
  }>;
}

const pageFields = "pageInfo { hasNextPage endCursor }";

function queryCases(tradeIds: string[], laterDlqCursor: string): QueryCase[] {
  const pick = () => tradeIds[Math.floor(Math.random() * tradeIds.length)]!;
  return [
    {
      name: "overview",
      query:
        "query BenchOverview { overview { asOf currentTps peakTps avgEndToEndLatencyMs dlqCount invalidTradeCount errorCount windowSeconds cards { title value unit status windowSeconds } } }",
      sql: (db, now) => read.overview(db, { now }),
    },
    {
      name: "pipeline",
      query:
        "query BenchPipeline { pipeline { asOf windowSeconds stages { stage count avgLatencyMs successRate } } }",
      sql: (db, now) => read.pipeline(db, { now }),
    },
    {
      name: "dlqOverview",
      query:
        "query BenchDlqOverview { dlqOverview { asOf windowSeconds total byStage { stage count } lastEventTime } }",
      sql: (db, now) => read.dlqOverview(db, { now }),
    },
    {
      name: "dlqEvents (first page)",
      query: `query BenchDlqEvents { dlqEvents(first: 50) { edges { cursor node { id tradeId serviceName topicName originalTopic reason stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      sql: (db) => read.dlqEvents(db, { first: 50 }),
    },
    {
      name: "dlqEvents (page after 10,000 rows)",
      query: `query BenchDlqEventsLater($after: String) { dlqEvents(first: 50, after: $after) { edges { cursor node { id tradeId serviceName topicName originalTopic reason stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      variables: () => ({ after: laterDlqCursor }),
      sql: (db) => read.dlqEvents(db, { first: 50, after: laterDlqCursor }),
    },
    {
      name: "errorEvents (first page)",
      query: `query BenchErrorEvents { errorEvents(first: 50) { edges { cursor node { id tradeId serviceName errorType errorMessage stage eventTime kafkaTopic kafkaPartition kafkaOffset } } ${pageFields} } }`,
      sql: (db) => read.errorEvents(db, { first: 50 }),
    },
    {
      name: "invalidTrades (first page)",
      query: `query BenchInvalidTrades { invalidTrades(first: 50) { edges { cursor node { id tradeId portfolioId symbol side pricePerStock quantity tradeTimestamp validationErrors eventTime } } ${pageFields} } }`,
      sql: (db) => read.invalidTrades(db, { first: 50 }),
    },
    ...(["MINUTE", "HOUR"] as const).map((granularity) => ({
      name: `telemetry (${granularity}, 24 h)`,
      query: `query BenchTelemetry${granularity} { telemetry(windowSeconds: 86400, granularity: ${granularity}) { throughput { asOf windowSeconds granularity buckets { bucketStart count seconds perSecond } } latency { asOf stages { stage samples avgMs p50Ms p95Ms p99Ms } } } }`,
      sql: (db: pg.Pool, now: Date) =>
        Promise.all([
          read.throughputTrend(db, { now, granularity }),
          read.latencyStats(db, { now }),
        ]),
    })),
    {
      name: "queueLag",
      query:
        "query BenchQueueLag { queueLag { asOf totalLag partitions { topic partition consumerGroup serviceName producedOffset consumedOffset lag snapshotTime ageSeconds } byTopicGroup { topic consumerGroup partitions lag } } }",
      sql: (db, now) => read.queueLag(db, { now }),
    },
    {
      name: "trade(tradeId)",
      query:
        "query BenchTrade($id: String!) { trade(tradeId: $id) { tradeId truncated endToEndMs entries { source id time serviceName stage eventType status errorType message } stages { stage reached reachedAt serviceName latencyFromPreviousMs } } }",
      variables: () => ({ id: pick() }),
      sql: (db) => read.tradeTimeline(db, { tradeId: pick() }),
    },
  ];
}

async function timedRequest(port: number, c: QueryCase): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: c.query, variables: c.variables?.() }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || body.errors !== undefined || !body.data)
    throw new Error(`${c.name}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return { ms, bytes: text.length };
}

/** A pg.Pool look-alike that records each statement the read models send, and runs it. */
function recordingPool(
  pool: pg.Pool,
  captured: Array<{ sql: string; params: unknown[] }>,
): pg.Pool {
  return {
    query: (sql: string, params: unknown[] = []) => {
      captured.push({ sql, params });
      return pool.query(sql, params);
    },
  } as unknown as pg.Pool;
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Total Time": number;
  "Actual Rows": number;
  "Actual Loops": number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

function topNodes(root: PlanNode): ExplainResult["statements"][number]["topNodes"] {
  const nodes: ExplainResult["statements"][number]["topNodes"] = [];
  const walk = (n: PlanNode) => {
    const total = n["Actual Total Time"] * n["Actual Loops"];
    const children = (n.Plans ?? []).reduce(
      (s, c) => s + c["Actual Total Time"] * c["Actual Loops"],
      0,
    );
    const label = [
      n["Node Type"],
      n["Index Name"] ? `using ${n["Index Name"]}` : "",
      n["Relation Name"] ? `on ${n["Relation Name"]}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    nodes.push({
      node: label,
      selfMs: round(Math.max(0, total - children), 2)!,
      rows: n["Actual Rows"],
      loops: n["Actual Loops"],
      sharedHit: n["Shared Hit Blocks"] ?? 0,
      sharedRead: n["Shared Read Blocks"] ?? 0,
    });
    (n.Plans ?? []).forEach(walk);
  };
  walk(root);
  return nodes.sort((a, b) => b.selfMs - a.selfMs).slice(0, 4);
}

async function explain(pool: pg.Pool, c: QueryCase): Promise<ExplainResult> {
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  await c.sql(recordingPool(pool, captured), new Date());
  const statements: ExplainResult["statements"] = [];
  const seen = new Set<string>();
  for (const { sql, params } of captured) {
    if (seen.has(sql)) continue;
    seen.add(sql);
    for (let i = 0; i < 2; i++) await pool.query(sql, params); // warm
    const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
    const json = (
      rows[0] as {
        "QUERY PLAN": Array<{
          Plan: PlanNode;
          "Planning Time": number;
          "Execution Time": number;
          JIT?: { Timing?: { Total?: number } };
        }>;
      }
    )["QUERY PLAN"][0]!;
    const text = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    statements.push({
      sql: sql.replace(/\s+/g, " ").trim(),
      params,
      planningMs: round(json["Planning Time"], 2)!,
      executionMs: round(json["Execution Time"], 2)!,
      jitMs: json.JIT?.Timing?.Total === undefined ? null : round(json.JIT.Timing.Total, 2),
      topNodes: topNodes(json.Plan),
      plan: text.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n"),
    });
  }
  return { query: c.name, statements };
}

export interface QueryRunOptions {
  /** Measured rounds (each runs every query once, sequentially), after the warm-up rounds. */
  requests: number;
  warmupRequests: number;
}

/** p50/p99 of each dashboard query on the seeded database; EXPLAIN of those missing the target. */
export async function queryRun(
  seed: SeedInfo,
  { requests, warmupRequests }: QueryRunOptions,
): Promise<{ results: QueryResult[]; explains: ExplainResult[]; service: { rssMb: number } }> {
  const topics: BenchTopics = await createTopics("query", 1);
  let service: RunningService | undefined;
  const pool = new pg.Pool({ connectionString: seed.url, max: 2 });
  try {
    service = await startService({ DATABASE_URL: seed.url, ...topics.env });
    progress(
      `queries: service pid ${service.pid} ready on port ${service.port} against ${seed.name} (ingest idle: empty topics)`,
    );
    // About 2,000 trades picked uniformly from the seeded ones.
    const percent = Math.min(100, (200_000 / Math.max(1, seed.trades)) * 1.2);
    const { rows: sample } = await pool.query<{ trade_id: string }>(
      `SELECT trade_id::text AS trade_id FROM rttm_trade_progress TABLESAMPLE BERNOULLI (${percent}) LIMIT 2000`,
    );
    const tradeIds = sample.map((r) => r.trade_id);
    if (tradeIds.length === 0) throw new Error("no seeded trades found");
    // A cursor 10,000 rows deep into the DLQ list (20 pages of 500).
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { body } = await graphqlRequest(
        service.port,
        "query($after: String) { dlqEvents(first: 500, after: $after) { pageInfo { hasNextPage endCursor } } }",
        { after: cursor },
      );
      const info = body.data?.dlqEvents?.pageInfo as
        { hasNextPage: boolean; endCursor: string | null } | undefined;
      if (!info?.endCursor) break;
      cursor = info.endCursor;
      if (!info.hasNextPage) break;
    }
    const cases = queryCases(tradeIds, cursor ?? "");
    progress(
      `queries: ${cases.length} queries, ${warmupRequests} warm-up rounds then ${requests} measured rounds (each round runs every query once, sequentially)`,
    );
    for (let i = 0; i < warmupRequests; i++)
      for (const c of cases) await timedRequest(service.port, c);
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const bytes = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      for (const c of cases) {
        const r = await timedRequest(service.port, c);
        samples.get(c.name)!.push(r.ms);
        bytes.set(c.name, r.bytes);
      }
      if ((i + 1) % 50 === 0)
        progress(
          `queries: ${i + 1}/${requests} rounds (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
    }
    const results = cases.map((c) => {
      const latencyMs = summarize(samples.get(c.name)!);
      return {
        name: c.name,
        latencyMs,
        targetP99Ms: queryTargetMs,
        targetMet: latencyMs.p99 !== null && latencyMs.p99 <= queryTargetMs,
        responseBytes: bytes.get(c.name) ?? 0,
      };
    });
    const rssMb = round((rssKb(service.pid) ?? 0) / 1024)!;
    const explains: ExplainResult[] = [];
    for (const c of cases) {
      if (results.find((r) => r.name === c.name)!.targetMet) continue;
      progress(
        `queries: ${c.name} misses p99 ≤ ${queryTargetMs} ms; EXPLAIN (ANALYZE, BUFFERS) of its SQL`,
      );
      explains.push(await explain(pool, c));
    }
    return { results, explains, service: { rssMb } };
  } finally {
    await pool.end();
    await service?.stop();
    await deleteTopics(topics);
  }
}
