/** The errors of the alert commands (acknowledge, resolve): each carries its API error code. */
import type { AlertRecord } from "../domain/alerts.js";
import { errorCodes } from "../domain/errorCodes.js";

export class AlertNotFoundError extends Error {
  readonly code = errorCodes.ALERT_NOT_FOUND;
  constructor(readonly alertId: string) {
    super(`Alert ${alertId} does not exist`);
    this.name = "AlertNotFoundError";
  }
}

export class AlertAlreadyResolvedError extends Error {
  readonly code = errorCodes.ALERT_ALREADY_RESOLVED;
  constructor(readonly alert: AlertRecord) {
    super(
      `Alert ${alert.id} is already resolved (${alert.resolution ?? "RESOLVED"} by ${alert.resolvedBy ?? "unknown"} at ${alert.resolvedAt?.toISOString() ?? "?"})`,
    );
    this.name = "AlertAlreadyResolvedError";
  }
}
