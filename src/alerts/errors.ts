/**
 * The errors of the alert commands (acknowledge, resolve): RttmErrors with their API error code and
 * the alert they concern; error masking (src/http/error-masking.ts) shows them to the client.
 */
import type { AlertRecord } from "../domain/alerts.js";
import { RttmError } from "../domain/errors.js";

export class AlertNotFoundError extends RttmError<"ALERT_NOT_FOUND"> {
  override name = "AlertNotFoundError";
  constructor(alertId: string) {
    super("ALERT_NOT_FOUND", `Alert ${alertId} does not exist`, { alertId });
  }
}

export class AlertAlreadyResolvedError extends RttmError<"ALERT_ALREADY_RESOLVED"> {
  override name = "AlertAlreadyResolvedError";
  constructor(alert: AlertRecord) {
    const resolvedAt = alert.resolvedAt?.toISOString() ?? null;
    super(
      "ALERT_ALREADY_RESOLVED",
      `Alert ${alert.id} is already resolved (${alert.resolution ?? "RESOLVED"} by ${alert.resolvedBy ?? "unknown"} at ${resolvedAt ?? "?"})`,
      {
        alertId: alert.id,
        details: { resolution: alert.resolution, resolvedBy: alert.resolvedBy, resolvedAt },
      },
    );
  }
}
