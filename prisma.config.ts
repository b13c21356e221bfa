import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrlFromEnv } from "./src/config/databaseUrl.js";

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
