-- CreateTable
CREATE TABLE "rttm_alerts" (
    "id" BIGSERIAL NOT NULL,
    "metric_name" VARCHAR(128) NOT NULL,
    "scope" VARCHAR(640) NOT NULL,
    "service_name" VARCHAR(640),
    "current_value" DOUBLE PRECISION NOT NULL,
    "peak_value" DOUBLE PRECISION NOT NULL,
    "threshold_value" DOUBLE PRECISION NOT NULL,
    "severity" VARCHAR(64) NOT NULL,
    "status" VARCHAR(64) NOT NULL,
    "triggered_time" TIMESTAMPTZ(3) NOT NULL,
    "last_observed_at" TIMESTAMPTZ(3) NOT NULL,
    "clear_streak" INTEGER NOT NULL DEFAULT 0,
    "escalated_at" TIMESTAMPTZ(3),
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" VARCHAR(256),
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" VARCHAR(256),
    "resolution" VARCHAR(32),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_alert_events" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" BIGINT NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "status" VARCHAR(64) NOT NULL,
    "severity" VARCHAR(64) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "threshold_value" DOUBLE PRECISION NOT NULL,
    "actor" VARCHAR(256) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rttm_alert_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_alerts_triggered_time" ON "rttm_alerts"("triggered_time");

-- CreateIndex
CREATE INDEX "idx_alerts_status_triggered" ON "rttm_alerts"("status", "triggered_time");

-- CreateIndex
CREATE INDEX "idx_alert_events_alert" ON "rttm_alert_events"("alert_id", "id");

-- AddForeignKey
ALTER TABLE "rttm_alert_events" ADD CONSTRAINT "rttm_alert_events_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "rttm_alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- hand-written: below this line, what schema.prisma cannot express (Prisma 6 has no partial indexes).
-- At most one open alert (ACTIVE or ACKED) per (rule, scope), whatever races between writers.
CREATE UNIQUE INDEX "uq_alerts_open_rule_scope" ON "rttm_alerts"("metric_name", "scope") WHERE "status" <> 'RESOLVED';
