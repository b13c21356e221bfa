-- AlterTable: when the alert's silence ends unless RTTM renews it (it does while the alert stays acknowledged).
ALTER TABLE "rttm_alert_deliveries" ADD COLUMN "silence_ends_at" TIMESTAMPTZ(3);
