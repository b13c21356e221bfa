import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { authEnv, TestAuthServer } from "../support/authServer.js";
import { useAppFixture } from "../support/fixture.js";
import { waitFor } from "../support/infra.js";
import { produceDashboardSeed, seedAlertEnv } from "../support/dashboardSeed.js";
import { serveDashboardPage } from "../support/dashboardPage.js";
import { graphql } from "../support/service.js";

describe("the old dashboard in a real headless Chromium, page on another origin, identity on", () => {
  let browser: Browser;
  let auth: TestAuthServer;
  let token: string;
  let page: Awaited<ReturnType<typeof serveDashboardPage>>;

  before(async () => {
    auth = await TestAuthServer.start();
    // The platform's USER token, signed by the stand-in auth service and verified by RTTM.
    token = await auth.token();
    page = await serveDashboardPage(() => `http://127.0.0.1:${fixture.app.port}`, token);
  });
  const fixture = useAppFixture({
    env: () => ({ ...authEnv(auth), RTTM_ALLOWED_ORIGINS: page.origin, ...seedAlertEnv }),
  });
  before(async () => {
    const seed = await produceDashboardSeed(fixture.producer, fixture.encoder, fixture.topics);
    await waitFor("seed stored", async () => {
      const { data } = await graphql(
        fixture.app.port,
        "{ pipeline { stages { count } } dlqOverview { total } openAlerts { alerts { id } } }",
        undefined,
        { authorization: `Bearer ${token}` },
      );
      return (
        data?.pipeline.stages[0].count === 4 &&
        data.dlqOverview.total === 2 &&
        data.openAlerts.alerts.length === 2 &&
        seed
      );
    });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox"],
    });
  });

  after(async () => {
    await browser?.close();
    await page?.close();
    await auth?.stop();
  });

  test("four REST calls with a Bearer header (preflighted) and five sockets show real numbers", async () => {
    const tab = await browser.newPage();
    const consoleErrors: string[] = [];
    tab.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    await tab.goto(page.origin);
    const dashboard = await tab
      .waitForFunction(
        () => {
          const d = (window as any).__dashboard;
          const telemetryTypes = new Set(d?.sockets.telemetry.frames.map((f: any) => f.type));
          return (
            d &&
            Object.keys(d.rest).length === 4 &&
            Object.values(d.sockets).every((s: any) => s.frames.length > 0) &&
            telemetryTypes.size === 3 &&
            d
          );
        },
        undefined,
        { timeout: 20_000 },
      )
      .then((handle) => handle.jsonValue());
    assert.deepEqual(dashboard.errors, []);
    assert.deepEqual(consoleErrors, []);
    for (const [path, answer] of Object.entries<any>(dashboard.rest))
      assert.equal(answer.status, 200, path);
    const { rest, sockets } = dashboard;
    const cards = (list: any[]) => Object.fromEntries(list.map((c) => [c.title, c.value]));
    const expectedCards = {
      "Current TPS": 0,
      "Peak TPS": 2,
      "Avg Latency": 800,
      "DLQ Count": 2,
      "Invalid Trades": 1,
    };
    assert.deepEqual(cards(rest.metrics.body), expectedCards);
    assert.deepEqual(cards(sockets.metrics.frames[0]), expectedCards);
    const pipeline = (list: any[]) =>
      list.map((s) => `${s.name} ${s.count} ${s.latencyMs} ${s.successRate}`);
    const expectedPipeline = [
      "RECEIVED 4 0 100",
      "VALIDATED 3 200 75",
      "ENRICHED 2 150 66.67",
      "COMMITTED 2 450 100",
    ];
    assert.deepEqual(pipeline(rest.pipeline.body), expectedPipeline);
    assert.deepEqual(pipeline(sockets.pipeline.frames[0]), expectedPipeline);
    assert.deepEqual(rest.dlq.body, { total: 2, byStage: { VALIDATED: 1, ENRICHED: 1 } });
    assert.deepEqual(sockets.dlq.frames[0], rest.dlq.body);
    assert.deepEqual(rest["telemetry-snapshot"].body.kafkaLag, [
      { partition: "P0", lag: 300 },
      { partition: "P1", lag: 50 },
    ]);
    const telemetry = Object.fromEntries(
      sockets.telemetry.frames.map((f: any) => [f.type, f.data]),
    );
    assert.deepEqual(telemetry.KAFKA_LAG, rest["telemetry-snapshot"].body.kafkaLag);
    assert.deepEqual(telemetry.LATENCY_METRICS, rest["telemetry-snapshot"].body.latencyMetrics);
    assert.equal(telemetry.LATENCY_METRICS[0].value, 450);
    assert.deepEqual(telemetry.TPS_TREND, rest["telemetry-snapshot"].body.tpsTrend);
    assert.deepEqual(
      sockets.alerts.frames[0].map((a: any) => `${a.severity} ${a.message}`).sort(),
      ["HIGH DLQ_COUNT : 2.00 vs 2.00", "MEDIUM ERROR_RATE : 1.00 vs 1.00"],
      "the CRITICAL alert in the page's red style",
    );
    for (const [path, s] of Object.entries<any>(sockets)) {
      assert.equal(s.protocol, "", `${path}: no subprotocol`);
      assert.equal(s.closed, null, `${path} stays open`);
    }
    // The browser preflighted each cross-origin call because of the Authorization header.
    const metrics = await (await fetch(`http://127.0.0.1:${fixture.app.port}/metrics`)).text();
    for (const path of ["metrics", "pipeline", "dlq", "telemetry-snapshot"])
      assert.match(
        metrics,
        new RegExp(`rttm_legacy_requests_total\\{route="/api/rttm/${path}",status="204"\\} 1`),
        path,
      );
    await tab.close();
  });
});
