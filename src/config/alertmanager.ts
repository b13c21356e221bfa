/**
 * Delivery of RTTM's alerts to Prometheus Alertmanager (RTTM_ALERTMANAGER_*, RTTM_DASHBOARD_URL):
 * off unless RTTM_ALERTMANAGER_URLS names at least one Alertmanager.
 */
import type { EnvReader } from "./parse.js";
import {
  docRows,
  durationMs,
  oneOf,
  optionalString,
  readAll,
  variable,
  Variable,
} from "./variable.js";

export interface AlertmanagerSettings {
  /** Base URLs (scheme, host, port, optional path prefix); every alert goes to each of them. */
  urls: string[];
  /** Open alerts are sent again this often; firing alerts carry endsAt = now + 4 × this. */
  resendMs: number;
  /** Added to every alert's labels (e.g. cluster, env). */
  staticLabels: Record<string, string>;
  /** runbook_url annotation; `{rule}` is replaced by the rule's name. Omitted when unset. */
  runbookUrl: string | undefined;
  /** generatorURL: this URL with `alert=<id>` in its query. Omitted when unset. */
  dashboardUrl: string | undefined;
  /** Acknowledging an alert silences its label set in Alertmanager until it resolves. */
  silenceOnAck: boolean;
  /** Each silence is created (and renewed) for this long; renewed once less than half is left. */
  silenceDurationMs: number;
  /** A request to an Alertmanager that takes longer fails (and is retried). */
  timeoutMs: number;
}

export type AlertmanagerConfig = { mode: "off" } | ({ mode: "on" } & AlertmanagerSettings);

/** Labels RTTM sets itself; static labels may not replace them. */
export const reservedLabels = [
  "alertname",
  "severity",
  "service",
  "stage",
  "topic",
  "partition",
  "consumer_group",
] as const;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const declarations = {
  urls: variable(
    "RTTM_ALERTMANAGER_URLS",
    "unset (off)",
    "Alertmanagers that receive RTTM's alerts (v2 API), comma-separated, e.g. `http://alertmanager-0:9093,http://alertmanager-1:9093`: each gets every alert (an HA pair); unset: no delivery",
    urlsOf,
  ),
  resendMs: durationMs(
    "RTTM_ALERTMANAGER_RESEND",
    60_000,
    "1m",
    "open alerts are sent again this often, with `endsAt` 4 intervals ahead (Alertmanager resolves them by itself if RTTM stops sending); resolved alerts are sent for 4 intervals",
  ),
  staticLabels: variable(
    "RTTM_ALERTMANAGER_LABELS",
    "none",
    "labels added to every alert, e.g. `cluster=prod-eu,env=prod` (names as in Prometheus; not one RTTM sets itself)",
    staticLabelsOf,
  ),
  runbookUrl: optionalString(
    "RTTM_ALERTMANAGER_RUNBOOK_URL",
    "unset",
    "the `runbook_url` annotation; `{rule}` is replaced by the rule's name, e.g. `https://wiki.example/rttm#{rule}`",
  ),
  dashboardUrl: variable(
    "RTTM_DASHBOARD_URL",
    "unset",
    "the dashboard an alert links to (`generatorURL`, with `alert=<id>` added to the query)",
    (read) => read.url("RTTM_DASHBOARD_URL", ["http:", "https:"]),
  ),
  silenceOnAck: oneOf(
    "RTTM_ALERTMANAGER_SILENCE_ON_ACK",
    "false",
    ["true", "false"] as const,
    "`true`: acknowledging an alert creates a silence for its label set, expired when the alert resolves or escalates",
  ),
  silenceDurationMs: durationMs(
    "RTTM_ALERTMANAGER_SILENCE_DURATION",
    24 * 3_600_000,
    "24h",
    "a silence on acknowledgement is created for this long and renewed while the alert stays acknowledged, once less than half is left (so it lasts until the alert resolves, and ends by itself at most this long after RTTM stops); at least 3 resend intervals",
  ),
  timeoutMs: durationMs(
    "RTTM_ALERTMANAGER_TIMEOUT",
    5_000,
    "5s",
    "a request to an Alertmanager that takes longer fails and is retried",
  ),
};

export const alertmanagerConfig = new Variable<AlertmanagerConfig>(
  docRows(declarations),
  (read) => {
    const { silenceOnAck, ...settings } = readAll(declarations, read);
    if (settings.resendMs < 1000)
      read.problems.push(
        `RTTM_ALERTMANAGER_RESEND=${settings.resendMs}ms is not allowed: expected at least 1s`,
      );
    if (settings.silenceDurationMs < 3 * settings.resendMs)
      read.problems.push(
        `RTTM_ALERTMANAGER_SILENCE_DURATION=${settings.silenceDurationMs}ms is not allowed: expected at least 3 resend intervals (RTTM_ALERTMANAGER_RESEND=${settings.resendMs}ms), since a silence is renewed in a delivery round once less than half of it is left`,
      );
    if (settings.timeoutMs < 1)
      read.problems.push(
        `RTTM_ALERTMANAGER_TIMEOUT=0 is not allowed: expected a positive duration`,
      );
    if (settings.urls.length === 0) return { mode: "off" };
    return { mode: "on", ...settings, silenceOnAck: silenceOnAck === "true" };
  },
);

function urlsOf(read: EnvReader): string[] {
  const values = read.list("RTTM_ALERTMANAGER_URLS", []);
  const bad = values.filter((v) => {
    try {
      return !["http:", "https:"].includes(new URL(v).protocol);
    } catch {
      return true;
    }
  });
  if (bad.length > 0) {
    read.problems.push(
      `RTTM_ALERTMANAGER_URLS=${JSON.stringify(values.join(","))} is not allowed: expected comma-separated http(s) URLs, not ${bad.join(", ")}`,
    );
    return [];
  }
  return [...new Set(values.map((v) => v.replace(/\/+$/, "")))];
}

function staticLabelsOf(read: EnvReader): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of read.list("RTTM_ALERTMANAGER_LABELS", [])) {
    const eq = entry.indexOf("=");
    const name = eq > 0 ? entry.slice(0, eq).trim() : "";
    const value = eq > 0 ? entry.slice(eq + 1).trim() : "";
    const problem = !labelName.test(name)
      ? "a label name ([a-zA-Z_][a-zA-Z0-9_]*) before `=`"
      : name.startsWith("__")
        ? "a name not starting with __ (reserved by Prometheus)"
        : (reservedLabels as readonly string[]).includes(name)
          ? `a name other than ${reservedLabels.join(", ")} (set by RTTM)`
          : value === ""
            ? "a value after `=`"
            : name in labels
              ? "each name once"
              : null;
    if (problem) {
      read.problems.push(
        `RTTM_ALERTMANAGER_LABELS entry ${JSON.stringify(entry)} is not allowed: expected name=value with ${problem}`,
      );
      continue;
    }
    labels[name] = value;
  }
  return labels;
}
