/**
 * Silence on acknowledgement (RTTM_ALERTMANAGER_SILENCE_ON_ACK): an acknowledged alert's label set
 * is silenced in Alertmanager, so nobody is notified again about what someone already handles; the
 * silence is expired as soon as the alert is no longer acknowledged (resolved, or escalated: the
 * acknowledgement was of a warning). Pure decisions here; the dispatcher makes the calls.
 */
import type { AlertRecord } from "../../domain/alerts.js";
import type { AlertDeliveryRecord } from "../../store/read/index.js";
import type { Matcher, PostableSilence } from "./client.js";

/** Silences are created for this long; an alert acknowledged for longer notifies again. */
export const silenceDurationMs = 24 * 3_600_000;

export type SilenceAction =
  | { action: "create"; alert: AlertRecord }
  | { action: "expire"; alert: AlertRecord; silenceId: string; url: string };

/** What to do about the silences of these alerts now. */
export function silenceActions(
  alerts: readonly AlertRecord[],
  deliveries: ReadonlyMap<string, AlertDeliveryRecord>,
): SilenceAction[] {
  const actions: SilenceAction[] = [];
  for (const alert of alerts) {
    const delivery = deliveries.get(alert.id);
    const live = delivery?.silenceId && delivery.silenceUrl && !delivery.silenceExpiredAt;
    if (alert.status === "ACKED" && !live) actions.push({ action: "create", alert });
    else if (alert.status !== "ACKED" && live)
      actions.push({
        action: "expire",
        alert,
        silenceId: delivery.silenceId!,
        url: delivery.silenceUrl!,
      });
  }
  return actions;
}

/** A silence matching exactly `labels`, from `now` for silenceDurationMs. */
export function silenceFor(
  alert: AlertRecord,
  labels: Readonly<Record<string, string>>,
  now: Date,
): PostableSilence {
  const matchers: Matcher[] = Object.entries(labels).map(([name, value]) => ({
    name,
    value,
    isRegex: false,
    isEqual: true,
  }));
  return {
    matchers,
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + silenceDurationMs).toISOString(),
    createdBy: alert.acknowledgedBy ?? "rttm",
    comment: `RTTM alert ${alert.id} (${alert.rule} ${alert.scope}) acknowledged by ${alert.acknowledgedBy ?? "?"} at ${alert.acknowledgedAt?.toISOString() ?? "?"}; expired by RTTM when it resolves`,
  };
}
