/**
 * Route groups served beside Yoga at the Node level (the legacy REST API and its raw sockets work
 * on Node's request and socket objects). Each group says whether it took the request; whatever no
 * group takes goes to Yoga (HTTP) or graphql-ws (upgrades).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";
import type { RttmYoga } from "../graphql/index.js";

export interface RouteGroup {
  /** Answers the request and resolves true, or resolves false to pass it on. */
  handleRequest?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Takes the upgrade and returns true, or returns false to pass it on. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/**
 * Node's request listener: the first group that takes a request answers it, else Yoga. Its promise
 * never rejects: a failure in a group or in Yoga is logged and answered with a 500 here.
 */
export function requestListener(groups: readonly RouteGroup[], yoga: RttmYoga, logger: Logger) {
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const group of groups) if (await group.handleRequest?.(req, res)) return;
    await yoga(req, res);
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await answer(req, res);
    } catch (err) {
      logger.error("http request failed", { url: req.url, err });
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
      return void res.end(JSON.stringify({ error: "Internal Server Error" }));
    }
  };
}

/** Node's upgrade listener: the first group that takes an upgrade keeps it. */
export function upgradeListener(groups: readonly RouteGroup[]) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    for (const group of groups) if (group.handleUpgrade?.(req, socket, head)) return;
  };
}
