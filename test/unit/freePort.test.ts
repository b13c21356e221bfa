/** test/support's freePort: callers take several ports before binding any, so no port twice. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort } from "../support/infra.js";

test("freePort never hands out the same port twice (the OS does pick just-closed ports again)", async () => {
  const ports: number[] = [];
  for (let i = 0; i < 1000; i++) ports.push(await freePort());
  assert.equal(new Set(ports).size, ports.length);
});
