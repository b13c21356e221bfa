/** Writes the GraphQL SDL built by the Pothos schema (src/graphql) to schema/schema.graphql. */
import { writeFile } from "node:fs/promises";
import { printSchema } from "graphql";
import { schema } from "../src/graphql/schema/index.js";

const target = new URL("../schema/schema.graphql", import.meta.url);
const header =
  "# Generated from src/graphql by `npm run generate` (scripts/emit-schema.ts). Do not edit.\n\n";
await writeFile(target, header + printSchema(schema) + "\n");
process.stderr.write(`wrote ${target.pathname}\n`);
