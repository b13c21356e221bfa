import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import type { Identity } from "../http/identity/verifier.js";
import type { IngestService } from "../ingest/service.js";
import type { LiveHub } from "../live/hub.js";
import type { ChangeBus } from "../live/bus.js";
import type { SnapshotSources } from "../live/views.js";

/** What every resolver can reach. `now()` is the one clock of a request. */
export interface GraphQLContext {
  db: Pool;
  hub: LiveHub;
  sources: SnapshotSources;
  bus: ChangeBus;
  config: Config;
  ingest: IngestService;
  replica: string;
  /** The caller's verified token (RTTM_AUTH_MODE=jwt); absent when identity is off. */
  identity?: Identity;
  now(): Date;
}
