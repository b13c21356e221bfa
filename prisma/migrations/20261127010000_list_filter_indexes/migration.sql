-- Indexes for the filtered, paged lists of the API (error events by stage or type, quarantine by topic).
CREATE INDEX "idx_error_stage_time" ON "rttm_error_events"("event_stage", "event_time");
CREATE INDEX "idx_error_type_time" ON "rttm_error_events"("error_type", "event_time");
CREATE INDEX "idx_quarantine_topic_created" ON "rttm_quarantine"("kafka_topic", "created_at");
