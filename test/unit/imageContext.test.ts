/** The image check's build context and COPY rules (scripts/lib/image/context.ts). */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import {
  contextFiles,
  copyInto,
  readDockerignore,
  segmentPattern,
} from "../../scripts/lib/image/context.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "rttm-image-test-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test(".dockerignore: an allow-list re-includes folders under an excluded parent", () => {
  const root = tree({
    ".dockerignore": "# comment\n*\n!src\n!schema/proto\n src/gen \n",
    "package.json": "{}",
    "src/a.ts": "",
    "src/gen/client.ts": "",
    "schema/proto/x.proto": "",
    "schema/schema.graphql": "",
    "node_modules/p/index.js": "",
  });
  const patterns = readDockerignore(root);
  assert.deepEqual(patterns, ["*", "!src", "!schema/proto", "src/gen"]);
  assert.deepEqual(contextFiles(root, patterns), ["schema/proto/x.proto", "src/a.ts"]);
});

test(".dockerignore: no file means everything; matching is anchored and case-sensitive", () => {
  const root = tree({ "README.md": "", "docs/README.md": "", "readme.txt": "" });
  assert.deepEqual(contextFiles(root, []), ["README.md", "docs/README.md", "readme.txt"]);
  assert.deepEqual(contextFiles(root, ["README.md"]), ["docs/README.md", "readme.txt"]);
  assert.deepEqual(contextFiles(root, ["**/README.md"]), ["readme.txt"]);
});

test("COPY: a folder copies its contents; a relative destination is taken from WORKDIR", () => {
  const context = tree({ "src/a.ts": "a", "src/sub/b.ts": "b" });
  const stage = tree({});
  assert.deepEqual(copyInto(context, ["src"], "./src", stage, "/app"), ["/app/src"]);
  assert.equal(readFileSync(join(stage, "app/src/sub/b.ts"), "utf8"), "b");
  assert.deepEqual(readdirSync(join(stage, "app/src")).sort(), ["a.ts", "sub"]);
});

test("COPY: files into a folder by name; a file destination without a slash is the file", () => {
  const context = tree({ "package.json": "p", "package-lock.json": "l", "x/databaseUrl.ts": "d" });
  const stage = tree({});
  copyInto(context, ["package.json", "package-lock.json"], "./", stage, "/app");
  copyInto(context, ["/x/databaseUrl.ts"], "./src/config/databaseUrl.ts", stage, "/app");
  assert.equal(readFileSync(join(stage, "app/package-lock.json"), "utf8"), "l");
  assert.equal(readFileSync(join(stage, "app/src/config/databaseUrl.ts"), "utf8"), "d");
});

test("COPY: wildcards per path segment, as Go's filepath.Match", () => {
  const context = tree({ "package.json": "", "package-lock.json": "", "packages/x": "" });
  const stage = tree({});
  assert.deepEqual(copyInto(context, ["package*.json"], "/app/", stage, "/"), [
    "/app/package-lock.json",
    "/app/package.json",
  ]);
  assert.ok(segmentPattern("rttm_[a-z]*.proto").test("rttm_trade.proto"));
  assert.ok(!segmentPattern("*.proto").test("a/b.proto"));
});

test("COPY: a missing source or several sources into a non-folder fail; .. is clamped", () => {
  const context = tree({ "a.txt": "", "b.txt": "" });
  const stage = tree({});
  assert.throws(
    () => copyInto(context, ["schema/proto"], "./dist/schema/proto", stage, "/app"),
    /COPY schema\/proto: not found \(absent, or excluded by \.dockerignore\)/,
  );
  assert.throws(
    () => copyInto(context, ["nothing*"], "./", stage, "/app"),
    /no source files match/,
  );
  assert.throws(
    () => copyInto(context, ["a.txt", "b.txt"], "./dest", stage, "/app"),
    /the destination must be a directory ending with "\/"/,
  );
  // ".." stops at the context's root, as in BuildKit: it never reaches the host's files.
  assert.throws(() => copyInto(context, ["../etc/passwd"], "./", stage, "/app"), /not found/);
  assert.deepEqual(copyInto(context, ["../../a.txt"], "./", stage, "/app"), ["/app/a.txt"]);
});
