import type { TableReport } from "./run.js";

/** The reports as a text table, one line per derived table. */
export function formatReports(reports: readonly TableReport[], repair: boolean): string {
  const header = [
    "table",
    "from",
    "to",
    "checked",
    "differing",
    "largest difference",
    ...(repair ? ["repaired"] : []),
  ];
  const rows = reports.map((r) => [
    r.table,
    r.from,
    r.to,
    String(r.checked),
    String(r.differing),
    r.differing > 0 ? `${r.largestDifference} ${r.unit}` : "0",
    ...(repair ? [String(r.repaired)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
