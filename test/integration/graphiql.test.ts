import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { useAppFixture } from "../support/fixture.js";

const loopback = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;

describe("GraphiQL without internet: a real headless Chromium that can reach nothing but loopback", () => {
  const fixture = useAppFixture();
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Every request that is not to loopback goes to a proxy that does not exist.
      args: [
        "--no-sandbox",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost",
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });

  for (const path of ["/graphql", "/api/rttm/graphql"]) {
    test(`GraphiQL at ${path} renders its editor from RTTM's own assets and runs a query`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const requested: string[] = [];
      const blocked: string[] = [];
      context.on("request", (request) => requested.push(request.url()));
      // Belt and braces: anything not to loopback is aborted (and listed) here too.
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (loopback.test(url) || url.startsWith("data:") || url.startsWith("blob:"))
          return route.continue();
        blocked.push(url);
        return route.abort();
      });
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (err) => consoleErrors.push(err.message));

      const response = await page.goto(`http://127.0.0.1:${fixture.app.port}${path}`);
      assert.equal(response?.status(), 200);
      assert.match(response!.headers()["content-security-policy"] ?? "", /script-src 'self'/);
      const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
      await editor.waitFor({ state: "visible", timeout: 60_000 });

      await editor.click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.press("Delete");
      await page.keyboard.insertText("query Rules { alertRules { name } }");
      await page.locator(".graphiql-execute-button").click();
      const result = page.locator(".graphiql-response");
      await result.getByText('"alertRules"').waitFor({ timeout: 30_000 });
      const text = await result.innerText();
      assert.match(text, /"name":\s+"LATENCY_P95"/);

      assert.deepEqual(blocked, [], "requests to other origins");
      const external = requested.filter(
        (url) => !loopback.test(url) && !url.startsWith("data:") && !url.startsWith("blob:"),
      );
      assert.deepEqual(external, []);
      assert.ok(requested.some((url) => url.endsWith("/api/rttm/graphiql/graphiql.js")));
      assert.ok(
        requested.some((url) => url.endsWith(".worker.js")),
        `the editor's workers come from RTTM: ${requested.join(", ")}`,
      );
      assert.ok(
        requested.some((url) => new URL(url).pathname === path && url !== response!.url()) ||
          requested.filter((url) => new URL(url).pathname === path).length > 1,
        "the query went to the page's own path",
      );
      assert.deepEqual(
        consoleErrors.filter((e) => !/favicon/.test(e)),
        [],
      );
      await context.close();
    });
  }

  test("assets: gzip when asked, 404 for unknown names, page only for browsers", async () => {
    const base = `http://127.0.0.1:${fixture.app.port}`;
    const js = await fetch(`${base}/api/rttm/graphiql/graphiql.js`, {
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await js.text()).includes("renderYogaGraphiQL"));
    assert.equal((await fetch(`${base}/api/rttm/graphiql/nope.js`)).status, 404);
    const json = await fetch(`${base}/api/rttm/graphql?query=%7B__typename%7D`, {
      headers: { accept: "application/json" },
    });
    assert.deepEqual(await json.json(), { data: { __typename: "Query" } });
  });
});
