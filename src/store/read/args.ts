import { stages, type Stage } from "../../domain/stages.js";
import { defaultWindowSeconds } from "../../domain/window.js";
import { InvalidInputError } from "./errors.js";

/** The longest window any read model accepts: one year and a day (minute rollups are kept 90 days by default). */
export const maxWindowSeconds = 366 * 86_400;

/** A valid instant, or InvalidInputError naming the argument. */
export function instant(name: string, value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new InvalidInputError(name, `${name} must be a valid date-time`);
  return value;
}

export function optionalInstant(name: string, value: Date | null | undefined): Date | null {
  return value === undefined || value === null ? null : instant(name, value);
}

/** A window length in whole seconds, 1 to maxWindowSeconds; `fallback` when absent. */
export function windowSeconds(
  name: string,
  value: number | null | undefined,
  fallback: number,
): number {
  const seconds = value ?? fallback;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxWindowSeconds) {
    throw new InvalidInputError(
      name,
      `${name} must be a whole number of seconds from 1 to ${maxWindowSeconds}, got ${String(seconds)}`,
    );
  }
  return seconds;
}

export function stageArg(name: string, value: string): Stage {
  if (!(stages as readonly string[]).includes(value))
    throw new InvalidInputError(
      name,
      `${name} must be one of ${stages.join(", ")}, got ${JSON.stringify(value)}`,
    );
  return value as Stage;
}

export function optionalStage(name: string, value: string | null | undefined): Stage | null {
  return value === undefined || value === null ? null : stageArg(name, value);
}

/** A text filter: at most `maxLength` characters (the column's width). */
export function optionalText(
  name: string,
  value: string | null | undefined,
  maxLength: number,
): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > maxLength) {
    throw new InvalidInputError(
      name,
      `${name} must be a string of at most ${maxLength} characters`,
    );
  }
  return value;
}

/** A text filter's check for a column `maxLength` characters wide. */
export const textFilter =
  (maxLength: number) =>
  (name: string, value: string | null | undefined): string | null =>
    optionalText(name, value, maxLength);

/** The arguments every windowed read model takes: its clock, and a window (default 24 h). */
export interface WindowArgs {
  now: Date;
  windowSeconds?: number | null;
}

/** `now` and the window of a windowed read model, both checked. */
export function trailingWindowArgs(args: WindowArgs): { now: Date; window: number } {
  return {
    now: instant("now", args.now),
    window: windowSeconds("windowSeconds", args.windowSeconds, defaultWindowSeconds),
  };
}
