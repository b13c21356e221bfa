-- CreateTable
CREATE TABLE "rttm_alert_deliveries" (
    "alert_id" BIGINT NOT NULL,
    "last_sent_at" TIMESTAMPTZ(3),
    "last_error" VARCHAR(1024),
    "last_error_at" TIMESTAMPTZ(3),
    "silence_id" VARCHAR(64),
    "silence_url" VARCHAR(1024),
    "silence_expired_at" TIMESTAMPTZ(3),

    CONSTRAINT "rttm_alert_deliveries_pkey" PRIMARY KEY ("alert_id")
);

-- CreateIndex
CREATE INDEX "idx_alerts_resolved_at" ON "rttm_alerts"("resolved_at");

-- AddForeignKey
ALTER TABLE "rttm_alert_deliveries" ADD CONSTRAINT "rttm_alert_deliveries_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "rttm_alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
