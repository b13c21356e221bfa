-- Error and DLQ events without a stage (pms-rttm-client's builders allow leaving it unset) are
-- stored with the stage unknown (NULL) and counted as errors, instead of being quarantined (issue 18).

-- AlterTable
ALTER TABLE "rttm_error_events" ALTER COLUMN "event_stage" DROP NOT NULL;

-- AlterTable
ALTER TABLE "rttm_dlq_events" ALTER COLUMN "event_stage" DROP NOT NULL;
