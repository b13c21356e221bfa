-- Results of the periodic self-check (RTTM_VERIFY_INTERVAL): one row per verified hour.
-- CreateTable
CREATE TABLE "rttm_verify_runs" (
    "id" BIGSERIAL NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "range_from" TIMESTAMPTZ(3) NOT NULL,
    "range_to" TIMESTAMPTZ(3) NOT NULL,
    "drifted_buckets" INTEGER NOT NULL,
    "tables" JSONB NOT NULL,

    CONSTRAINT "rttm_verify_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_verify_runs_checked" ON "rttm_verify_runs"("checked_at");
