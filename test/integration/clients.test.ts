/**
 * The generated TypeScript client (clients/typescript, @pms/rttm-client) as a frontend gets it: built
 * and packed with `npm pack`, the tarball unpacked into a consumer's node_modules, then
 *  - type level: a consumer file compiles, a misusing one fails with exactly the expected errors;
 *  - runtime: the packed build against the real service (real HTTP, real WebSocket, fed through real
 *    Kafka): typed queries, live subscriptions, reconnect after a restart on the same port, and the
 *    server's trusted-documents mode over HTTP and WebSocket.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient as createWsClient } from "graphql-ws";
import { firstValueFrom, from, filter } from "rxjs";
import WebSocket from "ws";
import type * as RttmClientModule from "../../clients/typescript/src/index.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { useAppFixture } from "../support/fixture.js";
import { waitFor } from "../support/infra.js";
import * as m from "../support/messages.js";

type Client = typeof RttmClientModule;

const repo = fileURLToPath(new URL("../../", import.meta.url));
const packageDir = join(repo, "clients/typescript");
const consumerDir = join(packageDir, "test/consumer");
const installed = join(consumerDir, "node_modules/@pms/rttm-client");
const tsc = join(repo, "node_modules/typescript/bin/tsc");

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The outer `npm test` leaves npm_* variables behind; the inner npm must read its own package.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function npm(args: string[], cwd: string) {
  const cli = process.env.npm_execpath;
  return cli && /\.[cm]?js$/.test(cli)
    ? run(process.execPath, [cli, ...args], cwd)
    : run("npm", args, cwd);
}

let packing: Promise<Client> | undefined;
/** `npm pack` (its prepack builds with tsc), then the tarball unpacked where a consumer's install puts it. */
function packedClient(): Promise<Client> {
  packing ??= (async () => {
    const destination = await mkdtemp(join(tmpdir(), "rttm-client-pack-"));
    try {
      const packed = await npm(["pack", "--pack-destination", destination], packageDir);
      assert.equal(packed.code, 0, `npm pack failed:\n${packed.stdout}\n${packed.stderr}`);
      const [tarball] = (await readdir(destination)).filter((f) => f.endsWith(".tgz"));
      assert.ok(tarball, "npm pack wrote a tarball");
      await rm(installed, { recursive: true, force: true });
      await mkdir(installed, { recursive: true });
      const untar = await run(
        "tar",
        ["-xzf", join(destination, tarball), "--strip-components=1", "-C", installed],
        repo,
      );
      assert.equal(untar.code, 0, untar.stderr);
    } finally {
      await rm(destination, { recursive: true, force: true });
    }
    return (await import(pathToFileURL(join(installed, "dist/index.js")).href)) as Client;
  })();
  return packing;
}

describe("@pms/rttm-client package", () => {
  test("packs the built JavaScript, declarations, manifest and README", async () => {
    await packedClient();
    const files = await readdir(join(installed, "dist"));
    for (const file of [
      "index.js",
      "index.d.ts",
      "client.js",
      "errors.d.ts",
      "persisted-documents.json",
    ])
      assert.ok(files.includes(file), file);
    assert.ok((await readdir(installed)).includes("README.md"));
    const manifest = await readFile(join(installed, "package.json"), "utf8");
    assert.equal(JSON.parse(manifest).name, "@pms/rttm-client");
  });

  test("a consumer using the client correctly compiles", async () => {
    await packedClient();
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], consumerDir);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  test("misusing a field or a variable fails to compile, with exactly the expected errors", async () => {
    await packedClient();
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.misuse.json"], consumerDir);
    assert.notEqual(result.code, 0, "misuse.ts must not compile");
    const source = await readFile(join(consumerDir, "misuse.ts"), "utf8");
    const expected = source.split("\n").flatMap((line, i) => {
      const tag = /\/\/ expect (TS\d+)$/.exec(line);
      return tag ? [`${i + 1} ${tag[1]}`] : [];
    });
    const actual = [...result.stdout.matchAll(/^misuse\.ts\((\d+),\d+\): error (TS\d+):/gm)].map(
      ([, line, code]) => `${line} ${code}`,
    );
    assert.ok(expected.length >= 6);
    assert.deepEqual(actual, expected, result.stdout);
    assert.match(result.stdout, /Property 'peakTPS' does not exist .* Did you mean 'peakTps'\?/);
  });

  test("reconnect delays grow exponentially, are capped, and are jittered to 50-100 %", async () => {
    const { retryDelayMs } = await packedClient();
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => retryDelayMs(n, 500, 30_000, () => 1)),
      [500, 1000, 2000, 4000],
    );
    assert.deepEqual(
      [0, 1, 2].map((n) => retryDelayMs(n, 500, 30_000, () => 0)),
      [250, 500, 1000],
    );
    assert.equal(
      retryDelayMs(50, 500, 30_000, () => 1),
      30_000,
    );
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(4)));
    assert.ok(
      spread.size > 10 && [...spread].every((d) => d >= 4000 && d <= 8000),
      [...spread].join(","),
    );
  });
});

describe("@pms/rttm-client against the running service", () => {
  let client: Client;
  const fixture = useAppFixture({ env: { RTTM_ALERT_EVAL_INTERVAL: "1000" } });
  const urls = (port: number) => ({
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/ws/rttm/graphql`,
  });

  before(async () => {
    client = await packedClient();
  });

  test("typed queries over HTTP: every generated query runs within the server's limits", async () => {
    const rttm = client.createRttmClient({ url: urls(fixture.app.port).url });
    const tradeId = m.newTradeId();
    await fixture.sendTradeEvent(tradeId, "RECEIVED");
    const { trade } = await waitFor(
      "trade stored",
      async () => {
        const data = await rttm.query(client.TradeDocument, { tradeId });
        return data.trade.stages[0]?.reached ? data : undefined;
      },
      30_000,
    );
    assert.equal(trade.tradeId, tradeId);
    assert.deepEqual(
      trade.stages.map((s) => s.stage),
      ["RECEIVED", "VALIDATED", "ENRICHED", "COMMITTED"],
    );

    const overview = await rttm.query(client.OverviewDocument, { windowSeconds: 3600 });
    assert.equal(overview.overview.windowSeconds, 3600);
    assert.deepEqual(
      overview.overview.cards.map((c) => c.title),
      ["Current TPS", "Peak TPS", "Avg Latency", "DLQ Count", "Invalid Trades", "Errors"],
    );
    const pipeline = await rttm.query(client.PipelineDocument);
    assert.equal(pipeline.pipeline.stages[0]?.count, 1);
    // The rest: each must be accepted (depth, cost, validation) and answer its root field.
    const answers = await Promise.all([
      rttm.query(client.DlqOverviewDocument, { windowSeconds: 600 }),
      rttm.query(client.DlqEventsDocument, { first: 50, stage: "VALIDATED" }),
      rttm.query(client.ErrorEventsDocument, { first: 50, errorType: "TECHNICAL" }),
      rttm.query(client.InvalidTradesDocument, {
        first: 50,
        from: new Date(Date.now() - 3_600_000).toISOString(),
      }),
      rttm.query(client.QuarantinedRecordsDocument, { first: 50 }),
      rttm.query(client.TelemetryDocument, { granularity: "MINUTE", windowSeconds: 3600 }),
      rttm.query(client.QueueLagDocument),
      rttm.query(client.IngestionHealthDocument),
      rttm.query(client.OpenAlertsDocument),
      rttm.query(client.AlertsDocument, { status: ["ACTIVE", "ACKED"], first: 20 }),
      rttm.query(client.AlertDocument, { id: "1" }),
      rttm.query(client.AlertRulesDocument),
    ]);
    assert.deepEqual(
      answers.map((a) => Object.keys(a)[0]),
      [
        "dlqOverview",
        "dlqEvents",
        "errorEvents",
        "invalidTrades",
        "quarantinedRecords",
        "telemetry",
        "queueLag",
        "ingestionHealth",
        "openAlerts",
        "alerts",
        "alert",
        "alertRules",
      ],
    );
    assert.equal(answers[6]!.queueLag.totalLag, 0);
  });

  test("clear typed errors: the server's errors and codes, and network failures", async () => {
    const rttm = client.createRttmClient({ url: urls(fixture.app.port).url });
    const refused = await rttm.query(client.TradeDocument, { tradeId: "not-a-trade" }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof client.RttmGraphQLError, String(refused));
    assert.deepEqual(refused.codes, ["BAD_USER_INPUT"]);
    assert.equal(refused.operationName, "Trade");
    assert.equal(refused.errors[0]?.message, 'tradeId "not-a-trade" is not a UUID');
    assert.match(
      refused.message,
      /^Trade failed: \[BAD_USER_INPUT\] tradeId "not-a-trade" is not a UUID$/,
    );

    const nowhere = client.createRttmClient({
      url: "http://127.0.0.1:1/graphql",
      wsUrl: "ws://127.0.0.1:1/ws/rttm/graphql",
      retry: { attempts: 1, initialDelayMs: 10 },
    });
    const down = await nowhere.query(client.QueueLagDocument).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(down instanceof client.RttmNetworkError, String(down));
    assert.match(down.message, /QueueLag to http:\/\/127\.0\.0\.1:1\/graphql failed/);
    const socketDown = await firstValueFrom(
      from(nowhere.subscribe(client.LiveQueueLagDocument)),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(socketDown instanceof client.RttmNetworkError, String(socketDown));

    const misuse = await rttm.query(client.LiveQueueLagDocument as never).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(
      misuse instanceof client.RttmError &&
        /LiveQueueLag is a subscription: use subscribe\(\)/.test(misuse.message),
    );
  });

  test("a subscription receives the current value, then a live update produced to Kafka", async () => {
    const rttm = client.createRttmClient(urls(fixture.app.port));
    const tradeId = m.newTradeId();
    const seen: Array<Array<boolean>> = [];
    for await (const update of rttm.subscribe(client.LiveTradeDocument, { tradeId })) {
      seen.push(update.trade.stages.map((s) => s.reached));
      if (seen.length === 1) {
        assert.equal(rttm.status, "connected");
        await fixture.sendTradeEvent(tradeId, "RECEIVED");
      }
      if (update.trade.stages[0]?.reached) break;
    }
    assert.deepEqual(seen[0], [false, false, false, false]);
    assert.deepEqual(seen.at(-1), [true, false, false, false]);
    await rttm.dispose();
    assert.equal(rttm.status, "closed");
  });

  test("every generated subscription delivers its first value; rxjs takes a subscription as an observable", async () => {
    const rttm = client.createRttmClient(urls(fixture.app.port));
    try {
      const first = <T>(subscription: AsyncIterable<T>) => firstValueFrom(from(subscription));
      const values = await Promise.all([
        first(rttm.subscribe(client.LiveOverviewDocument, { windowSeconds: 600 })),
        first(rttm.subscribe(client.LivePipelineDocument)),
        first(rttm.subscribe(client.LiveDlqOverviewDocument)),
        first(
          rttm.subscribe(client.LiveTelemetryDocument, {
            granularity: "SECOND",
            windowSeconds: 60,
          }),
        ),
        first(rttm.subscribe(client.LiveQueueLagDocument)),
        first(rttm.subscribe(client.LiveIngestionHealthDocument)),
        first(rttm.subscribe(client.LiveTradeDocument, { tradeId: m.newTradeId() })),
        first(rttm.subscribe(client.LiveOpenAlertsDocument)),
      ]);
      assert.deepEqual(
        values.map((v) => Object.keys(v)[0]),
        [
          "overview",
          "pipeline",
          "dlqOverview",
          "telemetry",
          "queueLag",
          "ingestionHealth",
          "trade",
          "openAlerts",
        ],
      );

      // Interop goes through Symbol.observable ("@@observable" where the symbol is not defined), not iteration.
      const subscription = rttm.subscribe(client.LivePipelineDocument);
      assert.equal(typeof subscription["@@observable"], "function");
      const stages = await firstValueFrom(
        from(subscription).pipe(filter((v) => v.pipeline.stages.length === 4)),
      );
      assert.equal(stages.pipeline.stages[0]?.stage, "RECEIVED");
    } finally {
      await rttm.dispose();
    }
  });

  test("mutations: an alert raised from Kafka data is acknowledged and resolved; the alert events arrive live", async () => {
    const rttm = client.createRttmClient(urls(fixture.app.port));
    const events: Array<{ alertId: string; kind: string; status: string; actor: string }> = [];
    const feed = rttm
      .subscribe(client.AlertEventsDocument)
      .subscribe(({ alertEvents: e }) =>
        events.push({ alertId: e.alertId, kind: e.kind, status: e.status, actor: e.actor }),
      );
    try {
      await waitFor("alert feed connected", async () => rttm.status === "connected", 10_000, 20);
      await fixture.producer.send({
        topic: fixture.topics.dlqEvents,
        messages: [
          {
            value: fixture.encoder.encode(
              "dlqEvents",
              m.RttmDlqEventSchema,
              m.dlqEvent(m.newTradeId(), Date.now()),
            ),
          },
        ],
      });
      const alertId = await waitFor(
        "DLQ_COUNT alert raised",
        async () => {
          const { openAlerts } = await rttm.query(client.OpenAlertsDocument);
          const dlq = openAlerts.alerts.find((a) => a.rule === "DLQ_COUNT");
          return dlq && dlq.status === "ACTIVE" ? dlq.id : undefined;
        },
        30_000,
        250,
      );
      const acked = await rttm.mutate(client.AcknowledgeAlertDocument, {
        id: alertId,
        by: "dashboard-test",
      });
      assert.deepEqual(
        [acked.acknowledgeAlert.status, acked.acknowledgeAlert.acknowledgedBy],
        ["ACKED", "dashboard-test"],
      );
      const resolved = await rttm.mutate(client.ResolveAlertDocument, {
        id: alertId,
        by: "dashboard-test",
      });
      assert.deepEqual(
        [resolved.resolveAlert.status, resolved.resolveAlert.resolution],
        ["RESOLVED", "MANUAL"],
      );
      const again = await rttm.mutate(client.AcknowledgeAlertDocument, { id: alertId }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(
        again instanceof client.RttmGraphQLError && again.hasCode("ALERT_ALREADY_RESOLVED"),
        String(again),
      );
      const missing = await rttm.mutate(client.ResolveAlertDocument, { id: "987654321" }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(
        missing instanceof client.RttmGraphQLError && missing.hasCode("ALERT_NOT_FOUND"),
        String(missing),
      );
      const viaQuery = await rttm.query(client.AcknowledgeAlertDocument as never).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(
        viaQuery instanceof client.RttmError &&
          /AcknowledgeAlert is a mutation: use mutate\(\)/.test(viaQuery.message),
        String(viaQuery),
      );
      const history = await rttm.query(client.AlertDocument, { id: alertId });
      assert.deepEqual(
        history.alert?.events.map((e) => e.kind),
        ["RAISED", "ACKNOWLEDGED", "RESOLVED"],
      );
      await waitFor(
        "alert events",
        async () => events.some((e) => e.alertId === alertId && e.kind === "RESOLVED"),
        15_000,
      );
      const mine = events.filter((e) => e.alertId === alertId && e.kind !== "ESCALATED");
      assert.deepEqual(mine.map((e) => `${e.kind}:${e.status}:${e.actor}`).slice(1), [
        "ACKNOWLEDGED:ACKED:dashboard-test",
        "RESOLVED:RESOLVED:dashboard-test",
      ]);
      assert.equal(`${mine[0]?.kind}:${mine[0]?.status}`, "RAISED:ACTIVE");
    } finally {
      feed.unsubscribe();
      await rttm.dispose();
    }
  });

  test("after the server restarts on the same port, the subscription resumes and receives updates", async () => {
    const port = fixture.app.port;
    const statuses: string[] = [];
    const rttm = client.createRttmClient({
      ...urls(port),
      retry: { initialDelayMs: 100, maxDelayMs: 1000 },
      onStatus: (s) => statuses.push(s),
    });
    const tradeId = m.newTradeId();
    const values: Array<{ reached: boolean[] }> = [];
    const errors: unknown[] = [];
    const subscription = rttm.subscribe(client.LiveTradeDocument, { tradeId }).subscribe({
      next: (v) => values.push({ reached: v.trade.stages.map((s) => s.reached) }),
      error: (err) => errors.push(err),
    });
    try {
      await waitFor("first value", async () => values.length > 0, 15_000);
      await fixture.sendTradeEvent(tradeId, "RECEIVED");
      await waitFor("RECEIVED", async () => values.some((v) => v.reached[0]), 15_000);

      await fixture.app.stop();
      await waitFor(
        "client notices the restart",
        async () => rttm.status === "reconnecting",
        10_000,
        20,
      );
      const beforeRestart = values.length;
      // Down for a while: connection attempts are refused and retried with backoff.
      await new Promise((r) => setTimeout(r, 1500));
      const restarted = await fixture.replaceApp({ SERVER_PORT: String(port) });
      assert.equal(restarted.port, port);

      await waitFor(
        "resubscribed: the current value again",
        async () => values.length > beforeRestart,
        20_000,
      );
      assert.deepEqual(values.at(-1)!.reached, [true, false, false, false]);
      await fixture.sendTradeEvent(tradeId, "VALIDATED");
      await waitFor(
        "live update after the restart",
        async () => values.some((v) => v.reached[1]),
        30_000,
      );
      assert.deepEqual(errors, []);
      assert.equal(subscription.closed, false);
      assert.equal(rttm.status, "connected");
      assert.deepEqual(statuses.slice(0, 2), ["connecting", "connected"]);
      assert.ok(statuses.includes("reconnecting"), statuses.join(" → "));
    } finally {
      subscription.unsubscribe();
      await rttm.dispose();
    }
  });
});

describe("trusted documents (RTTM_TRUSTED_DOCUMENTS): only the client's manifest runs, over HTTP and WebSocket", () => {
  let client: Client;
  let knownHash: string;
  const urls = () => ({
    url: `http://127.0.0.1:${fixture.app.port}/graphql`,
    wsUrl: `ws://127.0.0.1:${fixture.app.port}/ws/rttm/graphql`,
  });
  const post = async (body: unknown) => {
    const response = await fetch(urls().url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: Record<string, unknown>;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      },
    };
  };
  /** A raw graphql-ws subscription: resolves with its first value or its errors. */
  const rawSubscribe = (payload: { query: string; extensions?: Record<string, unknown> }) =>
    new Promise<{
      data?: unknown;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    }>((resolve) => {
      const ws = createWsClient({ url: urls().wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const dispose = ws.subscribe(payload, {
        next: (value) => {
          dispose();
          void ws.dispose();
          resolve({ data: value.data });
        },
        error: (errors) => {
          void ws.dispose();
          resolve({ errors: errors as Array<{ message: string; extensions?: { code?: string } }> });
        },
        complete: () => undefined,
      });
    });

  before(async () => {
    client = await packedClient();
    knownHash = client.QueueLagDocument.__meta__!.hash!.replace(/^sha256:/, "");
  });
  // After the client is packed: the manifest shipped in the package, as a deployment would take it.
  const fixture = useAppFixture({
    env: { RTTM_TRUSTED_DOCUMENTS: join(installed, "dist/persisted-documents.json") },
  });

  test("the variable: off by default, a manifest path (or allow-list:PATH), and a clear refusal of a bad one", () => {
    assert.deepEqual(loadConfig({}).http.trustedDocuments, { mode: "off" });
    assert.deepEqual(loadConfig({ RTTM_TRUSTED_DOCUMENTS: "off" }).http.trustedDocuments, {
      mode: "off",
    });
    const manifest = join(packageDir, "src/generated/persisted-documents.json");
    for (const value of [manifest, `allow-list:${manifest}`]) {
      const config = loadConfig({ RTTM_TRUSTED_DOCUMENTS: value }).http.trustedDocuments;
      assert.equal(config.mode, "allow-list");
      assert.ok(
        config.mode === "allow-list" &&
          config.documents.get(knownHash)?.startsWith("fragment QueueLagFields"),
        "keys are bare sha256 hex",
      );
    }
    assert.throws(
      () => loadConfig({ RTTM_TRUSTED_DOCUMENTS: "/nowhere/manifest.json" }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.message,
          /RTTM_TRUSTED_DOCUMENTS="\/nowhere\/manifest.json" is not allowed: expected off or the path of a trusted-documents manifest \(ENOENT/,
        );
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ RTTM_TRUSTED_DOCUMENTS: join(packageDir, "package.json") }),
      /not a JSON object of hash → document text/,
    );
  });

  test("HTTP: the client sends hashes only, and its operations run", async () => {
    const bodies: string[] = [];
    const rttm = client.createRttmClient({
      url: urls().url,
      trustedDocuments: true,
      fetch: (url, init) => {
        bodies.push(init.body);
        return fetch(url, init);
      },
    });
    const data = await rttm.query(client.OverviewDocument, { windowSeconds: 60 });
    assert.equal(data.overview.windowSeconds, 60);
    const lag = await rttm.query(client.QueueLagDocument);
    assert.equal(lag.queueLag.totalLag, 0);
    const sent = JSON.parse(bodies[0]!) as Record<string, unknown>;
    assert.equal(sent.query, undefined, "no document text on the wire");
    assert.deepEqual(sent.extensions, {
      persistedQuery: {
        version: 1,
        sha256Hash: client.OverviewDocument.__meta__!.hash!.replace(/^sha256:/, ""),
      },
    });
  });

  test("HTTP: operation text and unknown hashes are refused with clear errors", async () => {
    const textClient = client.createRttmClient({ url: urls().url });
    const refused = await textClient.query(client.OverviewDocument).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof client.RttmGraphQLError, String(refused));
    assert.deepEqual(refused.codes, ["PERSISTED_QUERY_ONLY"]);
    assert.equal(refused.status, 400);
    assert.match(refused.message, /trusted documents only \(RTTM_TRUSTED_DOCUMENTS\)/);

    const unknown = await post({
      operationName: "Sneaky",
      extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
    assert.equal(
      unknown.body.errors?.[0]?.message,
      `Operation Sneaky with hash ${"0".repeat(64)} is not a trusted document of this server (RTTM_TRUSTED_DOCUMENTS)`,
    );

    const smuggled = await post({
      query: "{ ingestionHealth { replica } }",
      extensions: { persistedQuery: { version: 1, sha256Hash: knownHash } },
    });
    assert.equal(
      smuggled.body.errors?.[0]?.extensions?.code,
      "PERSISTED_QUERY_ONLY",
      "text next to a known hash is refused too",
    );
    const nothing = await post({ variables: {} });
    assert.equal(nothing.body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_ID_REQUIRED");
    const raw = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: knownHash } },
    });
    assert.equal(
      (raw.body.data?.queueLag as { totalLag: number }).totalLag,
      0,
      "a known hash runs without the client",
    );
  });

  test("WebSocket: the client's subscriptions run by hash; text and unknown hashes are refused alike", async () => {
    const rttm = client.createRttmClient({ ...urls(), trustedDocuments: true });
    try {
      const first = await firstValueFrom(
        from(rttm.subscribe(client.LivePipelineDocument, { windowSeconds: 60 })),
      );
      assert.equal(first.pipeline.windowSeconds, 60);
    } finally {
      await rttm.dispose();
    }

    const textClient = client.createRttmClient(urls());
    const refused = await firstValueFrom(
      from(textClient.subscribe(client.LivePipelineDocument)),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    await textClient.dispose();
    assert.ok(refused instanceof client.RttmGraphQLError, String(refused));
    assert.deepEqual(refused.codes, ["PERSISTED_QUERY_ONLY"]);
    assert.equal(refused.status, undefined);

    const unknown = await rawSubscribe({
      query: "",
      extensions: { persistedQuery: { version: 1, sha256Hash: "f".repeat(64) } },
    });
    assert.equal(unknown.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
    assert.deepEqual(
      Object.keys(unknown.errors?.[0]?.extensions ?? {}),
      ["code"],
      "no HTTP details over the socket",
    );
    const text = await rawSubscribe({ query: "subscription { queueLag { totalLag } }" });
    assert.equal(text.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_ONLY");
    const smuggled = await rawSubscribe({
      query: "subscription { ingestionHealth { replica } }",
      extensions: {
        persistedQuery: {
          version: 1,
          sha256Hash: client.LiveQueueLagDocument.__meta__!.hash!.replace(/^sha256:/, ""),
        },
      },
    });
    assert.equal(smuggled.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_ONLY");
    const byHash = await rawSubscribe({
      query: "",
      extensions: {
        persistedQuery: {
          version: 1,
          sha256Hash: client.LiveQueueLagDocument.__meta__!.hash!.replace(/^sha256:/, ""),
        },
      },
    });
    assert.deepEqual((byHash.data as { queueLag: { totalLag: number } }).queueLag.totalLag, 0);
  });
});
