-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "rttm_trade_events" (
    "id" BIGSERIAL NOT NULL,
    "trade_id" UUID NOT NULL,
    "service_name" VARCHAR(128) NOT NULL,
    "event_type" VARCHAR(128) NOT NULL,
    "event_stage" VARCHAR(128) NOT NULL,
    "event_status" VARCHAR(64) NOT NULL,
    "source_queue" VARCHAR(256) NOT NULL,
    "target_queue" VARCHAR(256) NOT NULL,
    "topic_name" VARCHAR(256) NOT NULL,
    "consumer_group" VARCHAR(128) NOT NULL,
    "partition_id" INTEGER NOT NULL,
    "offset_value" BIGINT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "message" TEXT NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_trade_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_error_events" (
    "id" BIGSERIAL NOT NULL,
    "trade_id" UUID,
    "service_name" VARCHAR(128) NOT NULL,
    "error_type" VARCHAR(128) NOT NULL,
    "error_message" TEXT NOT NULL,
    "event_stage" VARCHAR(128) NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_error_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_dlq_events" (
    "id" BIGSERIAL NOT NULL,
    "trade_id" UUID,
    "service_name" VARCHAR(128) NOT NULL,
    "topic_name" VARCHAR(256) NOT NULL,
    "original_topic" VARCHAR(256) NOT NULL,
    "reason" TEXT NOT NULL,
    "event_stage" VARCHAR(128) NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_dlq_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_invalid_trades" (
    "id" BIGSERIAL NOT NULL,
    "trade_id" VARCHAR(128) NOT NULL,
    "portfolio_id" VARCHAR(128) NOT NULL,
    "symbol" VARCHAR(64) NOT NULL,
    "side" VARCHAR(32) NOT NULL,
    "price_per_stock" DOUBLE PRECISION NOT NULL,
    "quantity" BIGINT NOT NULL,
    "trade_timestamp" TIMESTAMPTZ(6),
    "validation_errors" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_invalid_trades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_queue_metrics" (
    "id" BIGSERIAL NOT NULL,
    "service_name" VARCHAR(128) NOT NULL,
    "topic_name" VARCHAR(256) NOT NULL,
    "partition_id" INTEGER NOT NULL,
    "produced_offset" BIGINT NOT NULL,
    "consumed_offset" BIGINT NOT NULL,
    "consumer_group" VARCHAR(128) NOT NULL,
    "snapshot_time" TIMESTAMPTZ(3) NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_queue_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rttm_queue_metric_latest" (
    "topic_name" VARCHAR(256) NOT NULL,
    "partition_id" INTEGER NOT NULL,
    "consumer_group" VARCHAR(128) NOT NULL,
    "service_name" VARCHAR(128) NOT NULL,
    "produced_offset" BIGINT NOT NULL,
    "consumed_offset" BIGINT NOT NULL,
    "snapshot_time" TIMESTAMPTZ(3) NOT NULL,
    "stored_lag" BIGINT NOT NULL,
    "stored_snapshot_time" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_queue_metric_latest_pkey" PRIMARY KEY ("topic_name","partition_id","consumer_group")
);

-- CreateTable
CREATE TABLE "rttm_stage_latency" (
    "trade_id" UUID NOT NULL,
    "service_name" VARCHAR(128) NOT NULL,
    "stage_name" VARCHAR(32) NOT NULL,
    "latency_ms" BIGINT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_stage_latency_pkey" PRIMARY KEY ("trade_id","stage_name")
);

-- CreateTable
CREATE TABLE "rttm_trade_progress" (
    "trade_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3),
    "received_service" VARCHAR(128),
    "validated_at" TIMESTAMPTZ(3),
    "validated_service" VARCHAR(128),
    "enriched_at" TIMESTAMPTZ(3),
    "enriched_service" VARCHAR(128),
    "committed_at" TIMESTAMPTZ(3),
    "committed_service" VARCHAR(128),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_trade_progress_pkey" PRIMARY KEY ("trade_id")
);

-- CreateTable
CREATE TABLE "rttm_stage_count_second" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "stage" VARCHAR(32) NOT NULL,
    "event_count" BIGINT NOT NULL,

    CONSTRAINT "rttm_stage_count_second_pkey" PRIMARY KEY ("bucket","stage")
);

-- CreateTable
CREATE TABLE "rttm_stage_count_minute" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "stage" VARCHAR(32) NOT NULL,
    "event_count" BIGINT NOT NULL,

    CONSTRAINT "rttm_stage_count_minute_pkey" PRIMARY KEY ("bucket","stage")
);

-- CreateTable
CREATE TABLE "rttm_latency_histogram_minute" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "stage" VARCHAR(32) NOT NULL,
    "bin" INTEGER NOT NULL,
    "sample_count" BIGINT NOT NULL,
    "latency_sum_ms" BIGINT NOT NULL,

    CONSTRAINT "rttm_latency_histogram_minute_pkey" PRIMARY KEY ("bucket","stage","bin")
);

-- CreateTable
CREATE TABLE "rttm_quarantine" (
    "id" BIGSERIAL NOT NULL,
    "kafka_topic" VARCHAR(249) NOT NULL,
    "kafka_partition" INTEGER NOT NULL,
    "kafka_offset" BIGINT NOT NULL,
    "kafka_timestamp" TIMESTAMPTZ(3),
    "message_key" BYTEA,
    "raw_value" BYTEA,
    "error_kind" VARCHAR(64) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rttm_quarantine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_trade_events_trade" ON "rttm_trade_events"("trade_id");

-- CreateIndex
CREATE INDEX "idx_trade_events_stage_time" ON "rttm_trade_events"("event_stage", "event_time");

-- CreateIndex
CREATE INDEX "idx_trade_events_time" ON "rttm_trade_events"("event_time");

-- CreateIndex
CREATE UNIQUE INDEX "uq_trade_events_kafka" ON "rttm_trade_events"("kafka_topic", "kafka_partition", "kafka_offset");

-- CreateIndex
CREATE INDEX "idx_error_time" ON "rttm_error_events"("event_time");

-- CreateIndex
CREATE INDEX "idx_error_service_time" ON "rttm_error_events"("service_name", "event_time");

-- CreateIndex
CREATE INDEX "idx_error_trade" ON "rttm_error_events"("trade_id");

-- CreateIndex
CREATE UNIQUE INDEX "uq_error_events_kafka" ON "rttm_error_events"("kafka_topic", "kafka_partition", "kafka_offset");

-- CreateIndex
CREATE INDEX "idx_dlq_time" ON "rttm_dlq_events"("event_time");

-- CreateIndex
CREATE INDEX "idx_dlq_stage_time" ON "rttm_dlq_events"("event_stage", "event_time");

-- CreateIndex
CREATE INDEX "idx_dlq_service_time" ON "rttm_dlq_events"("service_name", "event_time");

-- CreateIndex
CREATE INDEX "idx_dlq_trade" ON "rttm_dlq_events"("trade_id");

-- CreateIndex
CREATE UNIQUE INDEX "uq_dlq_events_kafka" ON "rttm_dlq_events"("kafka_topic", "kafka_partition", "kafka_offset");

-- CreateIndex
CREATE INDEX "idx_invalid_time" ON "rttm_invalid_trades"("event_time");

-- CreateIndex
CREATE INDEX "idx_invalid_trade_id" ON "rttm_invalid_trades"("trade_id");

-- CreateIndex
CREATE UNIQUE INDEX "uq_invalid_trades_kafka" ON "rttm_invalid_trades"("kafka_topic", "kafka_partition", "kafka_offset");

-- CreateIndex
CREATE INDEX "idx_queue_metrics_time" ON "rttm_queue_metrics"("snapshot_time");

-- CreateIndex
CREATE INDEX "idx_queue_metrics_key_time" ON "rttm_queue_metrics"("topic_name", "partition_id", "consumer_group", "snapshot_time");

-- CreateIndex
CREATE UNIQUE INDEX "uq_queue_metrics_kafka" ON "rttm_queue_metrics"("kafka_topic", "kafka_partition", "kafka_offset");

-- CreateIndex
CREATE INDEX "idx_latency_stage_time" ON "rttm_stage_latency"("stage_name", "event_time");

-- CreateIndex
CREATE INDEX "idx_trade_progress_updated" ON "rttm_trade_progress"("updated_at");

-- CreateIndex
CREATE INDEX "idx_stage_count_second_stage" ON "rttm_stage_count_second"("stage", "bucket");

-- CreateIndex
CREATE INDEX "idx_stage_count_minute_stage" ON "rttm_stage_count_minute"("stage", "bucket");

-- CreateIndex
CREATE INDEX "idx_latency_hist_stage" ON "rttm_latency_histogram_minute"("stage", "bucket");

-- CreateIndex
CREATE INDEX "idx_quarantine_created" ON "rttm_quarantine"("created_at");

-- CreateIndex
CREATE INDEX "idx_quarantine_kind_created" ON "rttm_quarantine"("error_kind", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "uq_quarantine_kafka" ON "rttm_quarantine"("kafka_topic", "kafka_partition", "kafka_offset");

