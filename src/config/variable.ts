/**
 * A setting declared once: the environment variables it reads, the default and meaning the README
 * shows, and how it is read. `Config`'s type and the README's configuration table both follow
 * from the declarations in settings.ts.
 */
import type { EnvReader, NumberBounds } from "./parse.js";

/** One row of the README's configuration table. */
export interface DocRow {
  /** Variables of the row; two or more are shown as `A` / `B`. */
  names: readonly string[];
  /** The default as the README shows it. */
  shown: string;
  /** What it means. */
  doc: string;
}

export class Variable<T> {
  private readonly values = new WeakMap<EnvReader, { value: T }>();

  constructor(
    readonly rows: readonly DocRow[],
    private readonly parse: (read: EnvReader) => T,
  ) {}

  /** The value from `read`'s environment; read once per reader, so settings may depend on each other. */
  read(read: EnvReader): T {
    let cached = this.values.get(read);
    if (!cached) {
      cached = { value: this.parse(read) };
      this.values.set(read, cached);
    }
    return cached.value;
  }
}

/** A tree of declarations: the shape of Config. */
export interface Declarations {
  [key: string]: Variable<unknown> | Declarations;
}

/** The values a tree of declarations reads into. */
export type ValuesOf<D> = {
  [K in keyof D]: D[K] extends Variable<infer T> ? T : ValuesOf<D[K]>;
};

export function readAll<D extends Declarations>(declarations: D, read: EnvReader): ValuesOf<D> {
  return Object.fromEntries(
    Object.entries(declarations).map(([key, entry]) => [
      key,
      entry instanceof Variable ? entry.read(read) : readAll(entry, read),
    ]),
  ) as ValuesOf<D>;
}

/** Every README row of a tree, in declaration order. */
export function docRows(declarations: Declarations): DocRow[] {
  return Object.values(declarations).flatMap((entry) =>
    entry instanceof Variable ? entry.rows : docRows(entry),
  );
}

/** A default shown as code. */
export const literal = (value: string | number | readonly string[]) =>
  `\`${Array.isArray(value) ? value.join(",") : String(value)}\``;

/** One variable read by `parse`; `shown` is the default as the README shows it (markdown). */
export function variable<T>(
  name: string,
  shown: string,
  doc: string,
  parse: (read: EnvReader) => T,
): Variable<T> {
  return new Variable([{ names: [name], shown, doc }], parse);
}

/** A numeric setting: its bounds and default, and what it means (the README's column). */
export interface NumberSetting extends NumberBounds {
  doc: string;
}

/** A whole number from `min` to `max`. */
export const int = (name: string, { doc, ...bounds }: NumberSetting) =>
  variable(name, literal(bounds.fallback), doc, (read) => read.int(name, bounds));

/** A number from `min` to `max`. */
export const number = (name: string, { doc, ...bounds }: NumberSetting) =>
  variable(name, literal(bounds.fallback), doc, (read) => read.number(name, bounds));

export const string = (name: string, fallback: string, doc: string) =>
  variable(name, literal(fallback), doc, (read) => read.string(name, fallback));

/** Unset unless given; `shown` says what unset means. */
export const optionalString = (name: string, shown: string, doc: string) =>
  variable(name, shown, doc, (read) => read.optionalString(name));

/** One of `allowed`. */
export const oneOf = <T extends string>(
  name: string,
  fallback: T,
  allowed: readonly T[],
  doc: string,
) => variable(name, literal(fallback), doc, (read) => read.oneOf(name, fallback, allowed));

/** A duration such as "2s" or "500ms", or a bare number of milliseconds. */
export const durationMs = (name: string, fallbackMs: number, shown: string, doc: string) =>
  variable(name, literal(shown), doc, (read) => read.durationMs(name, fallbackMs));
