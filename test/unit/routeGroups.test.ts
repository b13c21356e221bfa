import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import type { RttmYoga } from "../../src/graphql/context.js";
import { requestListener, type RouteGroup } from "../../src/http/route-groups.js";
import { createLogger, setLogLevel } from "../../src/log.js";

setLogLevel("silent");

/** A real HTTP server answering with requestListener; `yoga` is a fake standing in for Yoga's handler. */
async function serve(
  groups: RouteGroup[],
  yoga: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
) {
  const listener = requestListener(groups, yoga as unknown as RttmYoga, createLogger());
  let rejected: unknown;
  const server = createServer((req, res) => {
    listener(req, res).catch((err: unknown) => {
      rejected = err;
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rejected: () => rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("a failing Yoga handler (fake) is answered with a 500, not left as a rejected promise", async () => {
  const app = await serve([], async () => {
    throw new Error("yoga failed");
  });
  try {
    const response = await fetch(`${app.url}/graphql`);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { error: "Internal Server Error" });
    assert.equal(app.rejected(), undefined);
  } finally {
    await app.close();
  }
});

test("a failing route group is answered with a 500 and Yoga (fake) is not called", async () => {
  let yogaCalls = 0;
  const failing: RouteGroup = {
    handleRequest: async () => {
      throw new Error("group failed");
    },
  };
  const app = await serve([failing], async (_req, res) => {
    yogaCalls++;
    res.end();
  });
  try {
    const response = await fetch(`${app.url}/api/alerts`);
    assert.equal(response.status, 500);
    assert.equal(yogaCalls, 0);
  } finally {
    await app.close();
  }
});
