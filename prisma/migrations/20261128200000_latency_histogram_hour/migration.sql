-- Hourly latency histograms: long windows read whole hours here instead of 60 minute rows each.
-- CreateTable
CREATE TABLE "rttm_latency_histogram_hour" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "stage" VARCHAR(32) NOT NULL,
    "bin" INTEGER NOT NULL,
    "sample_count" BIGINT NOT NULL,
    "latency_sum_ms" BIGINT NOT NULL,

    CONSTRAINT "rttm_latency_histogram_hour_pkey" PRIMARY KEY ("bucket","stage","bin")
);

-- CreateIndex
CREATE INDEX "idx_latency_hist_hour_stage" ON "rttm_latency_histogram_hour"("stage", "bucket");

-- Existing minute histograms, rolled up.
INSERT INTO "rttm_latency_histogram_hour" ("bucket", "stage", "bin", "sample_count", "latency_sum_ms")
SELECT date_trunc('hour', "bucket"), "stage", "bin", sum("sample_count"), sum("latency_sum_ms")
FROM "rttm_latency_histogram_minute" GROUP BY 1, 2, 3;
