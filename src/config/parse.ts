/** Typed readers for environment variables. Each failure names the variable, the value and what is allowed. */
import { RttmError } from "../domain/errors.js";

export type Env = Record<string, string | undefined>;

/** CONFIG_INVALID: `problems` names each bad variable, its value and what is allowed. */
export class ConfigError extends RttmError<"CONFIG_INVALID"> {
  override name = "ConfigError";
  declare readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("CONFIG_INVALID", `Invalid configuration:\n  - ${problems.join("\n  - ")}`, {
      problems,
    });
  }
}

/** The bounds of a number read from the environment, and what an unset variable means. */
export interface NumberBounds {
  /** The value when the variable is unset. */
  fallback: number;
  /**
   * The smallest value allowed.
   * @default 0
   */
  min?: number;
  /**
   * The largest value allowed.
   * @default Number.MAX_SAFE_INTEGER (whole numbers), Number.MAX_VALUE (numbers)
   */
  max?: number;
}

export class EnvReader {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  private fail<T>(name: string, value: string, allowed: string, fallback: T): T {
    this.problems.push(`${name}=${JSON.stringify(value)} is not allowed: expected ${allowed}`);
    return fallback;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, { fallback, min = 0, max = Number.MAX_SAFE_INTEGER }: NumberBounds): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const allowed = `a whole number from ${min} to ${max}`;
    if (!/^-?\d+$/.test(value)) return this.fail(name, value, allowed, fallback);
    const parsed = Number(value);
    if (parsed < min || parsed > max) return this.fail(name, value, allowed, fallback);
    return parsed;
  }

  number(name: string, { fallback, min = 0, max = Number.MAX_VALUE }: NumberBounds): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      return this.fail(name, value, `a number from ${min} to ${max}`, fallback);
    }
    return parsed;
  }

  /** A duration like "2s", "500ms", "1m", or a bare number of milliseconds. */
  durationMs(name: string, fallbackMs: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallbackMs;
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value);
    if (!match)
      return this.fail(name, value, 'a duration such as "2s", "500ms" or "1m"', fallbackMs);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "ms"]!;
    return Math.round(Number(match[1]) * unit);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value))
      return this.fail(name, value, `one of ${allowed.join(", ")}`, fallback);
    return value as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error("protocol");
      return value;
    } catch {
      return this.fail(name, value, `a URL with protocol ${protocols.join(" or ")}`, undefined);
    }
  }

  /** Comma-separated host:port pairs; `optional` allows none. */
  hostPorts(
    name: string,
    fallback: string,
    optional = false,
  ): Array<{ host: string; port: number }> {
    const value = this.raw(name) ?? fallback;
    if (optional && value === "") return [];
    const allowed = "comma-separated host:port pairs, e.g. kafka-1:9092,kafka-2:9092";
    const result: Array<{ host: string; port: number }> = [];
    for (const entry of value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const match = /^(.+):(\d{1,5})$/.exec(entry);
      const port = match ? Number(match[2]) : NaN;
      if (!match || port < 1 || port > 65535) {
        return this.fail(name, value, allowed, []);
      }
      result.push({ host: match[1]!, port });
    }
    return result.length > 0 ? result : this.fail(name, value, allowed, []);
  }

  /** Comma-separated values, blanks dropped. */
  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name);
    return value === undefined
      ? fallback
      : value
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean);
  }

  /** Comma-separated values, each one of `allowed`. */
  listOf<T extends string>(name: string, fallback: T[], allowed: readonly T[]): T[] {
    const values = this.list(name, fallback);
    const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
    if (bad.length > 0)
      return this.fail(
        name,
        values.join(","),
        `a comma-separated list of ${allowed.join(", ")}`,
        fallback,
      );
    return values as T[];
  }

  /** Throws one ConfigError naming every bad variable. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
