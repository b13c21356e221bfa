/**
 * The change bus's Redis (REDIS_*): one node by URL, or a Sentinel-managed master (the old
 * service's variables and the platform's ConfigMap names), or none (in-process pub/sub).
 */
import type { EnvReader } from "./parse.js";
import { literal, Variable } from "./variable.js";

export type RedisConfig =
  | { kind: "none" }
  | { kind: "url"; url: string; commandTimeoutMs: number }
  | {
      kind: "sentinel";
      masterName: string;
      sentinels: Array<{ host: string; port: number }>;
      password: string | undefined;
      sentinelPassword: string | undefined;
      commandTimeoutMs: number;
    };

/**
 * REDIS_SENTINEL_NODES, else REDIS_SENTINEL_HOST:REDIS_SENTINEL_PORT: the platform's global ConfigMap
 * sets only the latter two (redis-sentinel:26379).
 */
function sentinelNodes(read: EnvReader): Array<{ host: string; port: number }> {
  const nodes = read.hostPorts("REDIS_SENTINEL_NODES", "", true);
  const host = read.optionalString("REDIS_SENTINEL_HOST");
  const port = read.int("REDIS_SENTINEL_PORT", { fallback: 26379, min: 1, max: 65535 });
  if (nodes.length > 0 || read.optionalString("REDIS_SENTINEL_NODES") !== undefined || !host)
    return nodes;
  if (!/^[A-Za-z0-9.-]+$/.test(host)) {
    read.problems.push(
      `REDIS_SENTINEL_HOST=${JSON.stringify(host)} is not allowed: expected a host name or address (no port; that is REDIS_SENTINEL_PORT)`,
    );
    return [];
  }
  return [{ host, port }];
}

export const redisSettings = new Variable<RedisConfig>(
  [
    {
      names: ["REDIS_URL"],
      shown: "unset",
      doc: "a single Redis node for the change bus (`redis://` or `rediss://`)",
    },
    {
      names: ["REDIS_SENTINEL_NODES"],
      shown: "unset",
      doc: "`host:port,…` of Sentinels (old service's variable; the old default named in-cluster hosts, so RTTM uses in-process pub/sub when neither is set)",
    },
    {
      names: ["REDIS_SENTINEL_HOST", "REDIS_SENTINEL_PORT"],
      shown: "unset / `26379`",
      doc: "one Sentinel, read when `REDIS_SENTINEL_NODES` is unset (the platform's global ConfigMap sets these: `redis-sentinel` / `26379`)",
    },
    { names: ["REDIS_SENTINEL_MASTER"], shown: literal("mymaster"), doc: "Sentinel master name" },
    {
      names: ["REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD"],
      shown: "unset",
      doc: "passwords of the data nodes / the Sentinels",
    },
    {
      names: ["REDIS_TIMEOUT"],
      shown: literal("2s"),
      doc: "Redis command timeout (`500ms`, `2s`, …)",
    },
  ],
  (read) => {
    const commandTimeoutMs = read.durationMs("REDIS_TIMEOUT", 2000);
    const url = read.url("REDIS_URL", ["redis:", "rediss:"]);
    const sentinels = sentinelNodes(read);
    if (url && sentinels.length > 0)
      read.problems.push(
        "REDIS_URL and REDIS_SENTINEL_NODES (or REDIS_SENTINEL_HOST) are both set: use one",
      );
    if (url) return { kind: "url", url, commandTimeoutMs };
    if (sentinels.length === 0) return { kind: "none" };
    return {
      kind: "sentinel",
      masterName: read.string("REDIS_SENTINEL_MASTER", "mymaster"),
      sentinels,
      password: read.optionalString("REDIS_PASSWORD"),
      sentinelPassword: read.optionalString("REDIS_SENTINEL_PASSWORD"),
      commandTimeoutMs,
    };
  },
);
