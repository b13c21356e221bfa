import type { IncomingMessage, ServerResponse } from "node:http";
import type { YogaServerInstance } from "graphql-yoga";
import type { Pool } from "pg";
import type { Alerts } from "../alerts/index.js";
import type { Identity } from "../domain/identity.js";
import type { LiveHub, ChangeBus, SnapshotSources } from "../live/index.js";

/**
 * What the application hands every operation (built in src/app.ts): only what resolvers use.
 * `now()` is the one clock of a request.
 */
export interface AppContext {
  /** The read pool (dashboard queries, alert commands). */
  db: Pool;
  /** Live snapshots: subscriptions and one-off reads of hub views. */
  hub: LiveHub;
  /** The hub views' snapshot sources (src/live/views.ts). */
  sources: SnapshotSources;
  /** Change notices: alert commands announce their changes. */
  bus: ChangeBus;
  /** This replica's name, the actor of changes made without an identity. */
  replica: string;
  /** This replica's alerts (src/alerts). */
  alerts: Alerts;
  /** The caller's verified token (RTTM_AUTH_MODE=jwt); absent when identity is off. */
  identity?: Identity;
  now(): Date;
}

/** Where the operation came from: Yoga sets `request` over HTTP; graphql-ws passes the upgrade's `req`. */
export interface TransportContext {
  request?: Request;
  req?: IncomingMessage;
}

/** What every resolver can reach. */
export type GraphQLContext = AppContext & TransportContext;

/** The request header `name` of the operation's HTTP request or WebSocket upgrade, if present. */
export function requestHeader(ctx: TransportContext, name: string): string | null {
  const fromRequest = ctx.request?.headers.get(name);
  if (fromRequest) return fromRequest;
  const raw = ctx.req?.headers[name.toLowerCase()];
  return (Array.isArray(raw) ? raw[0] : raw) ?? null;
}

/** What Node's HTTP server hands Yoga with each request. */
export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/** The service's Yoga instance: Node requests in, the application's context out. */
export type RttmYoga = YogaServerInstance<ServerContext, AppContext>;
