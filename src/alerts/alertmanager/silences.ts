/**
 * Silence on acknowledgement (RTTM_ALERTMANAGER_SILENCE_ON_ACK): an acknowledged alert's label set
 * is silenced in Alertmanager, so nobody is notified again about what someone already handles; the
 * silence is expired as soon as the alert is no longer acknowledged (resolved, or escalated: the
 * acknowledgement was of a warning).
 *
 * Alertmanager has no open-ended silence, so each one is created for
 * RTTM_ALERTMANAGER_SILENCE_DURATION and renewed while the alert stays acknowledged, once less
 * than half of it is left: it lasts until the alert resolves, and if RTTM stops for good its
 * silences end by themselves (as its alerts do). The acknowledgement in RTTM is what holds the
 * silence: one expired in Alertmanager by hand is created again in the next round.
 * Pure decisions here; the dispatcher makes the calls.
 */
import type { AlertRecord } from "../../domain/alerts.js";
import type { AlertDeliveryRecord } from "../../store/read/index.js";
import type { Matcher, PostableSilence } from "./client.js";

export type SilenceAction =
  | { action: "create"; alert: AlertRecord }
  | { action: "renew"; alert: AlertRecord; silenceId: string; url: string; endsAt: Date | null }
  | { action: "expire"; alert: AlertRecord; silenceId: string; url: string };

/** What to do about the silences of these alerts at `now`. */
export function silenceActions(
  alerts: readonly AlertRecord[],
  deliveries: ReadonlyMap<string, AlertDeliveryRecord>,
  now: Date,
  durationMs: number,
): SilenceAction[] {
  const actions: SilenceAction[] = [];
  for (const alert of alerts) {
    const delivery = deliveries.get(alert.id);
    const live =
      delivery?.silenceId && delivery.silenceUrl && !delivery.silenceExpiredAt
        ? { silenceId: delivery.silenceId, url: delivery.silenceUrl }
        : null;
    const acked = alert.status === "ACKED";
    if (acked && !live) actions.push({ action: "create", alert });
    else if (!acked && live) actions.push({ action: "expire", alert, ...live });
    else if (acked && live) {
      // A silence recorded before its end was (silence_ends_at null) is renewed at once.
      const leftMs = (delivery?.silenceEndsAt?.getTime() ?? 0) - now.getTime();
      if (leftMs < durationMs / 2)
        actions.push({ action: "renew", alert, ...live, endsAt: delivery?.silenceEndsAt ?? null });
    }
  }
  return actions;
}

/**
 * A silence matching exactly `labels`, from `now` for `durationMs`. With `replaces`, Alertmanager
 * expires that silence and starts this one in the same step (no gap); it gives the new one an id
 * of its own unless it could extend the old one in place.
 */
export function silenceFor(
  alert: AlertRecord,
  labels: Readonly<Record<string, string>>,
  now: Date,
  durationMs: number,
  replaces?: string,
): PostableSilence {
  const matchers: Matcher[] = Object.entries(labels).map(([name, value]) => ({
    name,
    value,
    isRegex: false,
    isEqual: true,
  }));
  return {
    ...(replaces === undefined ? {} : { id: replaces }),
    matchers,
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + durationMs).toISOString(),
    createdBy: alert.acknowledgedBy ?? "rttm",
    comment: `RTTM alert ${alert.id} (${alert.rule} ${alert.scope}) acknowledged by ${alert.acknowledgedBy ?? "?"} at ${alert.acknowledgedAt?.toISOString() ?? "?"}; renewed while acknowledged, expired by RTTM when it resolves`,
  };
}
