/**
 * The Alertmanager v2 API calls RTTM makes: post alerts, create and expire a silence. Each call
 * has a timeout; a failure says whether trying again can help (down, timeout, 5xx) or not (4xx:
 * Alertmanager refused what was sent).
 */
import { isRttmError, RttmError } from "../../domain/errors.js";
import type { PostableAlert } from "./labels.js";

/** ALERTMANAGER_FAILED: `dependency` is the Alertmanager; retriable when it was down, timed out or answered 5xx/429. */
export class AlertmanagerError extends RttmError<"ALERTMANAGER_FAILED"> {
  override name = "AlertmanagerError";
  constructor(url: string, message: string, retriable: boolean, upstreamStatus?: number) {
    super("ALERTMANAGER_FAILED", message, { dependency: url, retriable, upstreamStatus });
  }
}

async function call(
  baseUrl: string,
  method: "POST" | "DELETE",
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<string> {
  const url = `${baseUrl}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause ?? (err as Error);
    throw new AlertmanagerError(url, `${method} ${url} failed: ${cause.message}`, true);
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return text;
  throw new AlertmanagerError(
    url,
    `${method} ${url} answered ${response.status}: ${text.trim().slice(0, 300)}`,
    response.status >= 500 || response.status === 429,
    response.status,
  );
}

/** POST /api/v2/alerts. */
export async function postAlerts(
  baseUrl: string,
  alerts: readonly PostableAlert[],
  timeoutMs: number,
): Promise<void> {
  await call(baseUrl, "POST", "/api/v2/alerts", alerts, timeoutMs);
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

export interface PostableSilence {
  /** A silence this one replaces (renewal); absent for a new one. */
  id?: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/**
 * POST /api/v2/silences: the silence's id. With `silence.id`, Alertmanager replaces that silence
 * (404 when it does not know it, e.g. after a restart without its storage).
 */
export async function postSilence(
  baseUrl: string,
  silence: PostableSilence,
  timeoutMs: number,
): Promise<string> {
  const text = await call(baseUrl, "POST", "/api/v2/silences", silence, timeoutMs);
  const id = (JSON.parse(text) as { silenceID?: unknown }).silenceID;
  if (typeof id !== "string" || id === "")
    throw new AlertmanagerError(
      baseUrl,
      `POST ${baseUrl}/api/v2/silences: no silenceID in ${text.slice(0, 200)}`,
      false,
    );
  return id;
}

/** DELETE /api/v2/silence/{id}. A silence Alertmanager no longer knows (404) counts as expired. */
export async function expireSilence(baseUrl: string, id: string, timeoutMs: number): Promise<void> {
  try {
    await call(
      baseUrl,
      "DELETE",
      `/api/v2/silence/${encodeURIComponent(id)}`,
      undefined,
      timeoutMs,
    );
  } catch (err) {
    if (isRttmError(err, "ALERTMANAGER_FAILED") && err.upstreamStatus === 404) return;
    throw err;
  }
}
