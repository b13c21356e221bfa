import type { Pool } from "pg";
import type { Config } from "../config/index.js";
import type { IngestService } from "../ingest/index.js";
import type { ChangeBus } from "../live/index.js";

export type Status = "UP" | "DOWN";

export interface Component {
  status: Status;
  details?: Record<string, unknown>;
}

export interface HealthReport {
  status: Status;
  components: Record<string, Component>;
}

const pingTimeoutMs = 1500;
const pingCacheMs = 1000;

/**
 * Spring-compatible health for the gateway's probes. Liveness: the process serves requests.
 * Readiness: the configured critical dependencies (PostgreSQL, the Kafka group, a queue that is
 * not saturated for long). Redis only carries live updates between replicas: when it is down the
 * service is degraded (reported, not DOWN).
 */
export class Health {
  private lastPing: { at: number; component: Component } | null = null;

  constructor(
    private readonly db: Pool,
    private readonly ingest: IngestService,
    private readonly bus: ChangeBus,
    private readonly config: Config,
  ) {}

  liveness(): HealthReport {
    return {
      status: "UP",
      components: {
        process: { status: "UP", details: { uptimeSeconds: Math.round(process.uptime()) } },
      },
    };
  }

  async readiness(): Promise<HealthReport> {
    const components: Record<string, Component> = {
      database: await this.database(),
      kafka: this.kafka(),
      queue: this.queue(),
    };
    const critical = this.config.http.readinessChecks;
    const status: Status = critical.every((name) => components[name]!.status === "UP")
      ? "UP"
      : "DOWN";
    return { status, components };
  }

  async health(): Promise<HealthReport> {
    const readiness = await this.readiness();
    const redis: Component =
      this.config.redis.kind === "none"
        ? { status: "UP", details: { mode: "in-process pub/sub (single replica)" } }
        : {
            status: this.bus.healthy ? "UP" : "DOWN",
            details: {
              mode: this.config.redis.kind,
              effect: this.bus.healthy
                ? "none"
                : "degraded: live updates from other replicas paused",
            },
          };
    return {
      status: readiness.status,
      components: { ...this.liveness().components, ...readiness.components, redis },
    };
  }

  private async database(): Promise<Component> {
    const writeFailingSince = this.ingest.writer.status.failingSince;
    if (this.lastPing && Date.now() - this.lastPing.at < pingCacheMs)
      return this.withWrites(this.lastPing.component, writeFailingSince);
    let component: Component;
    const started = performance.now();
    try {
      await Promise.race([
        this.db.query("SELECT 1"),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer within ${pingTimeoutMs} ms`)),
            pingTimeoutMs,
          ).unref(),
        ),
      ]);
      component = { status: "UP", details: { pingMs: Math.round(performance.now() - started) } };
    } catch (err) {
      component = { status: "DOWN", details: { error: (err as Error).message } };
    }
    this.lastPing = { at: Date.now(), component };
    return this.withWrites(component, writeFailingSince);
  }

  private withWrites(component: Component, failingSince: Date | null): Component {
    if (!failingSince) return component;
    return {
      status: "DOWN",
      details: {
        ...component.details,
        writesFailingSince: failingSince.toISOString(),
        lastError: this.ingest.writer.status.lastError,
      },
    };
  }

  private kafka(): Component {
    const status = this.ingest.consumerStatus;
    return {
      status: status.joined ? "UP" : "DOWN",
      details: { groupId: this.config.kafka.groupId, assigned: status.assigned },
    };
  }

  /** DOWN when it stays saturated, or when a shard's writer is not running (nothing drains it). */
  private queue(): Component {
    const { pausedSince } = this.ingest.consumerStatus;
    const saturatedFor = pausedSince ? Date.now() - pausedSince.getTime() : 0;
    const { writers, writersRunning } = this.ingest.writer.status;
    return {
      status:
        saturatedFor >= this.config.http.queueSaturatedMs || writersRunning < writers
          ? "DOWN"
          : "UP",
      details: {
        depth: this.ingest.queue.size,
        capacity: this.ingest.queue.capacity,
        pausedSince: pausedSince?.toISOString() ?? null,
        writers: { running: writersRunning, of: writers },
      },
    };
  }
}
