import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import pg from "pg";
import {
  databaseUrl,
  pgAdminUrl as admin,
  templateDatabase as template,
  uniqueName,
} from "../support/infra.js";

function schemaDump(url: string): string {
  const dump = execFileSync(
    "pg_dump",
    ["--schema-only", "--no-owner", "--no-privileges", "--exclude-table=_prisma_migrations", url],
    { encoding: "utf8" },
  );
  // Statement order differs between the two paths; compare the set of statements.
  return dump
    .split(";\n")
    .map((s) =>
      s
        .split("\n")
        .filter((l) => !l.startsWith("--") && l.trim() !== "" && !l.startsWith("\\"))
        .join("\n")
        .trim(),
    )
    .filter(Boolean)
    .sort()
    .join(";\n");
}

/** What migrations add by hand below a "-- hand-written:" line (e.g. partial indexes, which schema.prisma cannot express). */
function handWrittenSql(): string {
  return readdirSync("prisma/migrations", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => readFileSync(`prisma/migrations/${d.name}/migration.sql`, "utf8"))
    .map((sql) =>
      sql.includes("\n-- hand-written:") ? sql.slice(sql.indexOf("\n-- hand-written:")) : "",
    )
    .join("\n");
}

test("prisma/migrations builds exactly the schema that prisma/schema.prisma describes (plus hand-written parts)", async () => {
  const name = uniqueName("rttm_test_schema");
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
    const fromModel = execFileSync(
      "npx",
      [
        "prisma",
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--script",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: databaseUrl(name) },
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const target = new pg.Client({ connectionString: databaseUrl(name) });
    await target.connect();
    await target.query(fromModel);
    await target.query(handWrittenSql());
    await target.end();
    assert.equal(
      schemaDump(databaseUrl(template)),
      schemaDump(databaseUrl(name)),
      "a migration is missing or differs from schema.prisma: add one under prisma/migrations",
    );
  } finally {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
});
