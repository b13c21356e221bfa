/**
 * A docker-compose.yml service as the image check runs it: which Dockerfile stage it builds, its
 * command, and its environment moved from the compose network to the machine's test services.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface ComposeService {
  name: string;
  /** The Dockerfile stage (`build.target`). */
  target: string;
  command: string[] | undefined;
  entrypoint: string[] | undefined;
  /** Interpolated with the compose defaults (`${VAR:-default}`), before any local mapping. */
  environment: Record<string, string>;
  /** `healthcheck.test` as argv (CMD form) or ["sh", "-c", ...] (CMD-SHELL form). */
  healthcheck: string[] | undefined;
  /** `stop_grace_period` in seconds (compose's default: 10). */
  stopGraceSeconds: number;
}

interface RawService {
  build?: string | { target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}

export function readComposeServices(file: string): Map<string, ComposeService> {
  const doc = parse(readFileSync(file, "utf8"), { merge: true, maxAliasCount: -1 }) as {
    services?: Record<string, RawService>;
  };
  const services = new Map<string, ComposeService>();
  for (const [name, raw] of Object.entries(doc.services ?? {})) {
    if (raw.build === undefined) continue;
    const target = typeof raw.build === "object" ? raw.build.target : undefined;
    if (!target) throw new Error(`${file}: service ${name} builds without build.target`);
    services.set(name, {
      name,
      target,
      command: argv(raw.command),
      entrypoint: argv(raw.entrypoint),
      environment: environment(raw.environment),
      healthcheck: healthcheck(raw.healthcheck?.test),
      stopGraceSeconds: duration(raw.stop_grace_period ?? "10s"),
    });
  }
  return services;
}

function argv(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(interpolate) : ["sh", "-c", interpolate(value)];
}

function environment(value: RawService["environment"]): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const eq = item.indexOf("=");
      if (eq > 0) env[item.slice(0, eq)] = interpolate(item.slice(eq + 1));
    }
  } else {
    for (const [key, v] of Object.entries(value ?? {}))
      if (v !== null && v !== undefined) env[key] = interpolate(String(v));
  }
  return env;
}

function healthcheck(test: string | string[] | undefined): string[] | undefined {
  if (test === undefined) return undefined;
  if (typeof test === "string") return ["sh", "-c", test];
  const [kind, ...rest] = test;
  if (kind === "CMD") return rest;
  if (kind === "CMD-SHELL") return ["sh", "-c", rest.join(" ")];
  return undefined;
}

function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`compose duration ${text}: expected e.g. 35s`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as const)[m[2] as "ms" | "s" | "m"];
}

/** Compose interpolation with no .env and no shell variables: `${X:-d}` → d, `$$` → `$`. */
export function interpolate(text: string): string {
  return text
    .replace(
      /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g,
      (_, fallback: string | undefined) => fallback ?? "",
    )
    .replace(/\$\$/g, "$");
}

/**
 * The compose network's host names, which the check replaces by the machine's services: an
 * address variable (…_HOST, …_NODES, …_SERVERS, …_URL) still naming one after the mapping is a
 * variable the check does not know how to move.
 */
export function namesComposeHost(key: string, value: string, hosts: string[]): string | undefined {
  if (!/(HOST|HOSTS|NODES|SERVERS|URL|ADDRESS)$/.test(key)) return undefined;
  return hosts.find((host) => new RegExp(`(^|[/@,])${host}(:|$|/|,)`).test(value));
}

export function composeHosts(file: string): string[] {
  const doc = parse(readFileSync(file, "utf8"), { merge: true, maxAliasCount: -1 }) as {
    services?: Record<string, { hostname?: string }>;
  };
  const hosts = new Set<string>();
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    hosts.add(name);
    if (service?.hostname) hosts.add(service.hostname);
  }
  return [...hosts];
}
