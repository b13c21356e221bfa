/**
 * The README's configuration table, printed from the settings' declarations (src/config): with no
 * argument it rewrites the table in README.md; with --check it fails when the table is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { logLevel, settings } from "../src/config/settings.js";
import { docRows, type DocRow } from "../src/config/variable.js";

const readmePath = new URL("../README.md", import.meta.url);
const start = "<!-- config-table: printed by `npm run docs:config` from src/config/settings.ts -->";
const end = "<!-- /config-table -->";

function row({ names, shown, doc }: DocRow): string {
  return `| ${names.map((name) => `\`${name}\``).join(" / ")} | ${shown} | ${doc} |`;
}

const table = [
  "| variable | default | meaning |",
  "|---|---|---|",
  ...[...docRows(settings), ...logLevel.rows].map(row),
].join("\n");

const readme = readFileSync(readmePath, "utf8");
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < from) {
  console.error(
    `README.md: the markers ${start} … ${end} around the configuration table are missing`,
  );
  process.exit(1);
}
const updated = `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`;

if (process.argv.includes("--check")) {
  if (updated !== readme) {
    console.error(
      "README.md: the configuration table is not what src/config/settings.ts declares; run `npm run docs:config` and commit the result",
    );
    process.exit(1);
  }
  console.error("README.md: the configuration table matches the declarations");
} else {
  writeFileSync(readmePath, updated);
}
