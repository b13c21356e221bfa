/**
 * The README's configuration tables, printed from the settings' declarations: the service's
 * (src/config/settings.ts) and the simulator's SIM_* (src/simulator/config.ts). With no argument
 * it rewrites the tables in README.md; with --check it fails when one is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { logLevel, settings } from "../src/config/settings.js";
import { docRows, type DocRow } from "../src/config/variable.js";
import { simulatorSettings } from "../src/simulator/config.js";

const readmePath = new URL("../README.md", import.meta.url);

const tables = [
  {
    start: "<!-- config-table: printed by `npm run docs:config` from src/config/settings.ts -->",
    end: "<!-- /config-table -->",
    rows: [...docRows(settings), ...logLevel.rows],
  },
  {
    start:
      "<!-- simulator-table: printed by `npm run docs:config` from src/simulator/config.ts -->",
    end: "<!-- /simulator-table -->",
    // The Kafka, topic and registry settings it shares with the service are in the table above.
    rows: docRows(simulatorSettings).filter((row) =>
      row.names.every((name) => name.startsWith("SIM_")),
    ),
  },
];

function row({ names, shown, doc }: DocRow): string {
  return `| ${names.map((name) => `\`${name}\``).join(" / ")} | ${shown} | ${doc} |`;
}

const readme = readFileSync(readmePath, "utf8");
let updated = readme;
for (const { start, end, rows } of tables) {
  const from = updated.indexOf(start);
  const to = updated.indexOf(end);
  if (from < 0 || to < from) {
    console.error(
      `README.md: the markers ${start} … ${end} around a configuration table are missing`,
    );
    process.exit(1);
  }
  const table = ["| variable | default | meaning |", "|---|---|---|", ...rows.map(row)].join("\n");
  updated = `${updated.slice(0, from + start.length)}\n${table}\n${updated.slice(to)}`;
}

if (process.argv.includes("--check")) {
  if (updated !== readme) {
    console.error(
      "README.md: a configuration table is not what the declarations say (src/config/settings.ts, src/simulator/config.ts); run `npm run docs:config` and commit the result",
    );
    process.exit(1);
  }
  console.error("README.md: the configuration tables match the declarations");
} else {
  writeFileSync(readmePath, updated);
}
