import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrlFromEnv } from "./src/config/databaseUrl.js";

// The CLI reads env("DATABASE_URL") from schema.prisma; derive it from DB_* when it is not set.
process.env.DATABASE_URL ||= databaseUrlFromEnv(process.env);

// Prisma's CLI (generate, migrate) runs offline on its WebAssembly engine through the pg adapter.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new PrismaPg({ connectionString: databaseUrlFromEnv(process.env) });
  },
});
