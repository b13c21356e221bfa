/** The image check's Dockerfile parser (scripts/lib/image/dockerfile.ts). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  DockerfileError,
  envDeclarations,
  expand,
  parseDockerfile,
} from "../../scripts/lib/image/dockerfile.js";

test("joins continuation lines, dropping comment and empty lines inside them", () => {
  const { stages } = parseDockerfile(
    ["FROM node:24-slim", "RUN echo a \\", "  # a comment", "", "  && echo b"].join("\n"),
  );
  assert.equal(stages[0]!.instructions[0]!.text, "echo a   && echo b");
});

test("honours the escape parser directive", () => {
  const { stages } = parseDockerfile(
    ["# escape=`", "FROM node:24-slim", "RUN echo a `", "  && echo b"].join("\n"),
  );
  assert.equal(stages[0]!.instructions[0]!.text, "echo a   && echo b");
});

test("exec form keeps each JSON string whole; flags are split off", () => {
  const { stages } = parseDockerfile(
    'FROM node:24-slim AS one\nCOPY --from=one --chown=1000:1000 ["a b", "c/"]\nCMD ["node", "x y.js"]',
  );
  const [copy, cmd] = stages[0]!.instructions;
  assert.deepEqual(copy!.flags, { from: "one", chown: "1000:1000" });
  assert.deepEqual(copy!.json, ["a b", "c/"]);
  assert.deepEqual(cmd!.json, ["node", "x y.js"]);
});

test("global ARGs expand in FROM; stages are named or numbered", () => {
  const { stages, globalArgs } = parseDockerfile(
    "ARG BASE=node:24-slim\nFROM ${BASE} AS build\nFROM ${BASE:-other}\nFROM $BASE",
  );
  assert.deepEqual(globalArgs, { BASE: "node:24-slim" });
  assert.deepEqual(
    stages.map((s) => [s.name, s.image]),
    [
      ["build", "node:24-slim"],
      ["1", "node:24-slim"],
      ["2", "node:24-slim"],
    ],
  );
});

test("ENV: quoted values, the legacy form, and values from before the instruction", () => {
  const { stages } = parseDockerfile('FROM x\nENV A="x y" B=$A\nENV C some words');
  const [first, second] = stages[0]!.instructions;
  assert.deepEqual(envDeclarations(first!, { A: "old" }), [
    ["A", "x y"],
    ["B", "old"],
  ]);
  assert.deepEqual(envDeclarations(second!, {}), [["C", "some words"]]);
});

test("expand: ${X:-default}, ${X:+alternative}, single quotes and escapes", () => {
  const vars = { SET: "v", EMPTY: "" };
  assert.equal(expand("${UNSET:-d}/${EMPTY:-e}/${SET:-f}", vars, 1), "d/e/v");
  assert.equal(expand("${SET:+alt}|${UNSET:+alt}", vars, 1), "alt|");
  assert.equal(expand("'$SET'\\$SET\"$SET\"", vars, 1), "$SET$SETv");
});

test("what it cannot reproduce fails with the line: heredocs, instructions before FROM", () => {
  assert.throws(
    () => parseDockerfile("FROM x\nRUN <<EOF\necho\nEOF"),
    (err: unknown) => err instanceof DockerfileError && /line 2: heredocs/.test(err.message),
  );
  assert.throws(
    () => parseDockerfile("WORKDIR /app\nFROM x"),
    /line 1: WORKDIR before the first FROM/,
  );
  assert.throws(() => parseDockerfile("# just a comment"), /no FROM/);
});

test("the project's Dockerfile: build, migrate and runtime stages on node:24-slim", () => {
  const { stages } = parseDockerfile(readFileSync("Dockerfile", "utf8"));
  assert.deepEqual(
    stages.map((s) => [s.name, s.image]),
    [
      ["build", "node:24-slim"],
      ["migrate", "node:24-slim"],
      ["runtime", "node:24-slim"],
    ],
  );
});
