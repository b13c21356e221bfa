import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  getOperationAST,
  GraphQLError,
  type execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type subscribe,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { RttmYoga } from "../graphql/index.js";
import { SharedSubscription, subscriptionGroupKey, type LiveHub } from "../live/index.js";
import { withLogContext, type Logger } from "../log.js";
import { correlationHeader, correlationIdOf } from "./correlation.js";
import { documentSizeError } from "./documentSize.js";
import type { TrustedDocuments } from "./trustedDocuments.js";
import { upgradeGate, type SocketCounter } from "./upgradeGate.js";
import type { SocketConnectContext } from "./identity/socket.js";

type OperationResult = ReturnType<typeof execute> | ReturnType<typeof subscribe>;
interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<ExecutionResult> =>
  typeof x === "object" && x !== null && Symbol.asyncIterator in x;

/** graphql-ws is served on every path under /ws/rttm/ (old paths included) and on /graphql (GraphiQL). */
export function isWebSocketPath(pathname: string): boolean {
  return pathname === "/graphql" || /^\/ws\/rttm\/[A-Za-z0-9_-]+$/.test(pathname);
}

export interface WebSocketServerOptions {
  /** The Yoga server whose envelop (plugins, context) every operation runs through. */
  yoga: RttmYoga;
  schema: GraphQLSchema;
  /** Open sockets and refused upgrades, shared with the legacy raw sockets (one cap for both). */
  counter: SocketCounter;
  logger: Logger;
  /** Largest message a client may send (RTTM_WS_MAX_MESSAGE_BYTES). @default 65536 */
  maxMessageBytes?: number;
  /** How long a socket may stay open without connection_init (RTTM_WS_INIT_TIMEOUT_MS). @default 5000 */
  initTimeoutMs?: number;
  /** Largest GraphQL document, as over HTTP (RTTM_GRAPHQL_MAX_DOCUMENT_BYTES). @default 16384 */
  maxDocumentBytes?: number;
  /** Origins whose browsers may connect (RTTM_ALLOWED_ORIGINS); empty admits every origin. @default [] */
  allowedOrigins?: readonly string[];
  /** Open sockets (GraphQL and legacy) beyond which upgrades get 503 (RTTM_WS_MAX_CONNECTIONS). @default 20000 */
  maxConnections?: number;
  /** Trusted documents: operations are looked up by hash as over HTTP. @default undefined (any document) */
  trusted?: TrustedDocuments;
  /** Identity (src/http/identity/socket.ts): false refuses the connection_init (socket already closed). @default undefined (everyone) */
  authenticate?: (ctx: SocketConnectContext) => Promise<boolean>;
  /**
   * Subscriptions following one hub snapshot with the same operation and variables share one
   * execution and serialisation (src/live/fanout.ts). false restores the path before the fan-out,
   * where graphql-ws executes every push for every subscriber: only `npm run bench:live` composes
   * the service that way, to measure both side by side.
   * @default true
   */
  sharedFanOut?: boolean;
}

/**
 * The WebSocket side of the API: graphql-ws over `ws`, executed through Yoga's envelop so the
 * same plugins (depth and cost limits, masking, timing) apply as over HTTP.
 */
export function createWebSocketServer({
  yoga,
  schema,
  counter,
  logger: log,
  maxMessageBytes = 65_536,
  initTimeoutMs = 5000,
  maxDocumentBytes = 16_384,
  allowedOrigins = [],
  maxConnections = 20_000,
  trusted,
  authenticate,
  sharedFanOut = true,
}: WebSocketServerOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const gate = upgradeGate({
    counter,
    logger: log,
    label: "websocket",
    allowedOrigins,
    maxConnections,
  });
  // X-Correlation-Id of each socket: from its handshake (or made), echoed on the 101, logged.
  const correlationIds = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers, request) => {
    headers.push(`X-Correlation-Id: ${correlationIds.get(request)}`);
  });
  const disposable = useServer(
    {
      schema,
      connectionInitWaitTimeout: initTimeoutMs,
      onConnect: (ctx) =>
        withLogContext({ correlationId: correlationIds.get(ctx.extra.request) }, () =>
          authenticate ? authenticate(ctx) : true,
        ),
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        // Trusted documents: the same persisted-operation lookup as over HTTP (hash → manifest text).
        let params = payload;
        try {
          if (trusted) params = await trusted.resolve(payload, ctx.extra.request);
        } catch (err) {
          return [err as GraphQLError];
        }
        const tooLarge = documentSizeError(params.query, maxDocumentBytes);
        if (tooLarge) return [tooLarge];
        const {
          schema: envelopedSchema,
          execute,
          subscribe,
          contextFactory,
          parse,
          validate,
        } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          identity: (ctx.extra as SocketConnectContext["extra"]).identity,
          params,
        });
        let document;
        try {
          document = parse(params.query);
        } catch (err) {
          return [err as GraphQLError];
        }
        const args = {
          schema: envelopedSchema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, params.operationName);
        const hub = (args.contextValue as { hub?: LiveHub } | undefined)?.hub;
        if (operation?.operation !== "subscription" || !hub || !sharedFanOut) return args;
        // Subscribed once here to learn which snapshot it follows; graphql-ws gets either a
        // membership of the group sharing that snapshot, operation and variables, or (not a hub
        // snapshot, or an error) this very result.
        const { result, keys } = await hub.snapshotsSubscribedBy(() => subscribe(args));
        if (!isAsyncIterable(result) || keys.length !== 1)
          return { ...args, rootValue: { execute, subscribe: () => result } };
        const key = subscriptionGroupKey(
          keys[0]!,
          params.query,
          params.operationName,
          params.variables,
        );
        const membership = new SharedSubscription(hub.fanout, key, result, ctx.extra.socket, id);
        // Only what graphql-ws reads: the member holds no context, variables or execution state.
        return {
          schema: envelopedSchema,
          document,
          operationName: params.operationName,
          contextValue: undefined,
          rootValue: { execute, subscribe: () => membership },
        };
      },
    },
    wss,
  );
  wss.on("connection", (socket) => counter.track(socket));

  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const correlationId = correlationIdOf(request.headers[correlationHeader]);
      correlationIds.set(request, correlationId);
      const logger = log.child({ correlationId });
      const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
      if (!isWebSocketPath(pathname)) return gate.reject(socket, 404, "Not Found");
      if (!gate.admit(request, socket, { path: pathname, logger })) return;
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
    },
    /** Closes every socket with 1012 (service restart): clients reconnect to another replica. */
    async close(): Promise<void> {
      for (const client of wss.clients) client.close(1012, "service restart");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
