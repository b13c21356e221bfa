/** An empty allowlist admits every origin (the old service's `*`); requests without Origin are not from browsers. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || origin === undefined) return true;
  return allowed.includes(origin);
}
