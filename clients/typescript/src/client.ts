/**
 * A small framework-neutral runtime for the generated RTTM documents: queries and mutations over HTTP
 * (fetch), subscriptions over graphql-ws, typed end to end by the documents themselves.
 */
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { createClient, type Client as WsClient, type SubscribePayload } from "graphql-ws/client";
import {
  fromSocketError,
  graphQLErrorsOf,
  RttmError,
  RttmGraphQLError,
  RttmNetworkError,
} from "./errors.js";

/** A generated document (e.g. `OverviewDocument`): its text, its hash, its result and variable types. */
export interface RttmDocument<
  TResult = unknown,
  TVariables = unknown,
> extends DocumentTypeDecoration<TResult, TVariables> {
  toString(): string;
  /** `{ hash: "sha256:…" }`, embedded by codegen (the trusted-documents manifest's key). */
  readonly __meta__?: Record<string, unknown> | undefined;
}

export type ResultOf<D> = D extends DocumentTypeDecoration<infer R, any> ? R : never;
export type VariablesOf<D> = D extends DocumentTypeDecoration<any, infer V> ? V : never;

export interface RequestOptions {
  /** Aborts the HTTP request. */
  signal?: AbortSignal;
  /** Extra headers for this request (merged over the client's). */
  headers?: Record<string, string>;
  /** Overrides the client's timeoutMs. */
  timeoutMs?: number;
}

/** Variables are optional when the operation has no required variable. */
export type OperationArgs<TVariables, TOptions> = {} extends TVariables
  ? [variables?: TVariables, options?: TOptions]
  : [variables: TVariables, options?: TOptions];

type MaybePromise<T> = T | Promise<T>;

/** The subset of `fetch` the client uses (the global fetch of browsers and Node ≥ 18 fits). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

export type RttmConnectionStatus = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export interface RttmClientOptions {
  /**
   * GraphQL over HTTP endpoint; default `/api/rttm/graphql`, the path the platform's gateway routes
   * to RTTM (relative URLs resolve against the page; outside a browser pass an absolute URL, e.g.
   * `http://rttm:8087/api/rttm/graphql`).
   */
  url?: string;
  /** graphql-ws endpoint; default: `url`'s origin with ws(s): and the path `/ws/rttm/graphql`. */
  wsUrl?: string;
  /**
   * The caller's token (RTTM with RTTM_AUTH_MODE=jwt): called before every HTTP request, sent as
   * `Authorization: Bearer <token>`, and on every WebSocket (re)connect, sent in connection_init as
   * `{ authorization: "Bearer <token>" }`. When the server closes the socket with 4401 (token expired
   * or refused), subscriptions reconnect and getToken is asked again, so return a fresh token.
   */
  getToken?: () => string | Promise<string>;
  /** HTTP headers of every query and mutation (e.g. Authorization); a function is called per request. */
  headers?: Record<string, string> | (() => MaybePromise<Record<string, string>>);
  /** The WebSocket's connection_init payload (e.g. a token); a function is called on every (re)connect. */
  connectionParams?:
    Record<string, unknown> | (() => MaybePromise<Record<string, unknown> | undefined>);
  /**
   * Trusted documents: send each operation's hash instead of its text (`extensions.persistedQuery`), as a
   * server with RTTM_TRUSTED_DOCUMENTS requires. Default false (send the text).
   */
  trustedDocuments?: boolean;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Default: the global WebSocket (browsers, Node ≥ 22); on older Node pass `ws`. */
  webSocketImpl?: unknown;
  /** HTTP request timeout; default 30 000 ms. */
  timeoutMs?: number;
  /** Ping the server this often while the socket is idle; default 10 000 ms, 0 turns pings off. */
  keepAliveMs?: number;
  /** A ping not answered within this is a dead connection: the socket is dropped and reopened. Default 5 000 ms. */
  pongTimeoutMs?: number;
  /** Reconnect policy of the WebSocket. */
  retry?: {
    /** Consecutive failed attempts before subscriptions fail with RttmNetworkError; default Infinity. */
    attempts?: number;
    /** First delay; each further attempt doubles it up to maxDelayMs, jittered to 50–100 %. Defaults 500 / 30 000 ms. */
    initialDelayMs?: number;
    maxDelayMs?: number;
  };
  /** Open the socket only while a subscription is active (default true); false keeps it open from the start. */
  lazy?: boolean;
  /** With lazy, keep the idle socket this long after the last subscription ends; default 1 000 ms. */
  lazyCloseTimeoutMs?: number;
  /** The server must acknowledge connection_init within this; default 10 000 ms. */
  connectionAckTimeoutMs?: number;
  /** Called on each change of the WebSocket's status. */
  onStatus?: (status: RttmConnectionStatus) => void;
}

export interface RttmObserver<T> {
  next(value: T): void;
  error(error: RttmError): void;
  complete(): void;
}

export interface RttmUnsubscribable {
  unsubscribe(): void;
  readonly closed: boolean;
}

/**
 * A live view: an async iterable (`for await`), and an observable (`subscribe(observer)`,
 * `Symbol.observable`, so rxjs `from()` and Angular take it as is). Cold: each iteration or observer
 * opens its own GraphQL subscription; after a reconnect it is resubscribed and receives the current
 * value again, then each change.
 */
export interface RttmSubscription<T> extends AsyncIterable<T> {
  subscribe(observer?: Partial<RttmObserver<T>> | ((value: T) => void)): RttmUnsubscribable;
  "@@observable"(): RttmSubscription<T>;
}

export interface RttmClient {
  /** Runs a query over HTTP: resolves with `data`, rejects with RttmGraphQLError or RttmNetworkError. */
  query<TResult, TVariables>(
    document: RttmDocument<TResult, TVariables>,
    ...args: OperationArgs<TVariables, RequestOptions>
  ): Promise<TResult>;
  /** Runs a mutation over HTTP, as query does. */
  mutate<TResult, TVariables>(
    document: RttmDocument<TResult, TVariables>,
    ...args: OperationArgs<TVariables, RequestOptions>
  ): Promise<TResult>;
  /** A subscription over graphql-ws (nothing is sent until it is iterated or observed). */
  subscribe<TResult, TVariables>(
    document: RttmDocument<TResult, TVariables>,
    ...args: OperationArgs<TVariables, never>
  ): RttmSubscription<TResult>;
  /** The WebSocket's status. */
  readonly status: RttmConnectionStatus;
  /** Listens to status changes; returns the function that stops listening. */
  onStatus(listener: (status: RttmConnectionStatus) => void): () => void;
  /** Closes the WebSocket; active subscriptions complete. */
  dispose(): Promise<void>;
}

type OperationType = "query" | "mutation" | "subscription";

interface Operation {
  text: string;
  type: OperationType;
  name: string | undefined;
  /** Bare hex sha256 of the manifest's text, when codegen embedded one. */
  hash: string | undefined;
}

const operations = new Map<string, Operation>();

function describe(document: RttmDocument<any, any>): Operation {
  const text = document.toString();
  let operation = operations.get(text);
  if (!operation) {
    const head = /^(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/.exec(
      text.trimStart(),
    );
    const meta = document.__meta__;
    const hash =
      meta && typeof meta.hash === "string" ? meta.hash.replace(/^sha256:/, "") : undefined;
    operation = {
      text,
      type: (head?.[1] as OperationType | undefined) ?? "query",
      name: head?.[2],
      hash,
    };
    operations.set(text, operation);
  }
  return operation;
}

/** Delay before reconnect attempt `retries` (0-based): exponential, capped, jittered to 50–100 %. */
export function retryDelayMs(
  retries: number,
  initialDelayMs = 500,
  maxDelayMs = 30_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(retries, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** AbortSignal.any where it exists (it is recent in browsers). */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any([a, b]);
  const controller = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener("abort", () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

function defaultWsUrl(url: URL): string {
  const ws = new URL("/ws/rttm/graphql", url);
  ws.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return ws.toString();
}

/** The path the platform's gateway routes to RTTM (`/api/rttm/**`). */
export const defaultGraphqlPath = "/api/rttm/graphql";

/** Consecutive 4401 closes (no connection acknowledged between them) before subscriptions fail. */
const maxUnauthorizedReconnects = 3;

function isUnauthorizedClose(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 4401;
}

export function createRttmClient(options: RttmClientOptions = {}): RttmClient {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const url = options.url ?? defaultGraphqlPath;
  if (!base && !URL.canParse(url))
    throw new RttmError(
      `url ${JSON.stringify(url)} is not absolute and there is no page to resolve it against: pass e.g. http://rttm:8087${defaultGraphqlPath}`,
      undefined,
    );
  const httpUrl = new URL(url, base);
  const wsUrl = options.wsUrl
    ? new URL(options.wsUrl, base).toString().replace(/^http/, "ws")
    : defaultWsUrl(httpUrl);
  const trusted = options.trustedDocuments ?? false;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 5_000;
  const listeners = new Set<(status: RttmConnectionStatus) => void>();
  if (options.onStatus) listeners.add(options.onStatus);
  let status: RttmConnectionStatus = "idle";
  let active = 0;
  let disposed = false;
  let socketClient: WsClient | undefined;
  // Consecutive 4401 closes; every subscription of the socket sees the same close, counted once.
  let unauthorizedCloses = 0;
  let lastUnauthorizedClose: unknown;
  const bearer = async () => `Bearer ${await options.getToken!()}`;

  const setStatus = (next: RttmConnectionStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of [...listeners]) listener(next);
  };

  function requireHash(operation: Operation): string {
    if (!operation.hash) {
      throw new RttmError(
        `${operation.name ?? "operation"} has no hash: trustedDocuments needs documents generated with persistedDocuments`,
        operation.name,
      );
    }
    return operation.hash;
  }

  function persistedQuery(operation: Operation) {
    return { persistedQuery: { version: 1, sha256Hash: requireHash(operation) } };
  }

  async function overHttp<TResult>(
    expected: OperationType,
    document: RttmDocument<TResult, any>,
    variables: unknown,
    request: RequestOptions = {},
  ): Promise<TResult> {
    const operation = describe(document);
    if (operation.type !== expected) {
      throw new RttmError(
        `${operation.name ?? "operation"} is a ${operation.type}: use ${operation.type === "subscription" ? "subscribe" : operation.type === "mutation" ? "mutate" : "query"}()`,
        operation.name,
      );
    }
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (!fetchImpl)
      throw new RttmError("no fetch implementation: pass options.fetch", operation.name);
    const body = trusted
      ? {
          operationName: operation.name,
          variables: variables ?? undefined,
          extensions: persistedQuery(operation),
        }
      : { query: operation.text, operationName: operation.name, variables: variables ?? undefined };
    const headers = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(typeof options.headers === "function" ? await options.headers() : options.headers),
      ...(options.getToken ? { authorization: await bearer() } : {}),
      ...request.headers,
    };
    const limit = request.timeoutMs ?? timeoutMs;
    const timeout = AbortSignal.timeout(limit);
    const signal = request.signal ? anySignal(request.signal, timeout) : timeout;
    let response: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      response = await fetchImpl(httpUrl.toString(), {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (err) {
      const why = timeout.aborted
        ? `timed out after ${limit} ms`
        : request.signal?.aborted
          ? "aborted"
          : `failed: ${err instanceof Error ? err.message : String(err)}`;
      throw new RttmNetworkError(`${operation.name ?? "request"} to ${httpUrl} ${why}`, {
        operationName: operation.name,
        cause: err,
      });
    }
    let result: { data?: TResult | null; errors?: unknown } | undefined;
    try {
      result = JSON.parse(text) as typeof result;
    } catch {
      result = undefined;
    }
    if (!result || typeof result !== "object") {
      throw new RttmNetworkError(
        `${operation.name ?? "request"}: HTTP ${response.status} ${response.statusText} without a GraphQL response`,
        { operationName: operation.name, status: response.status },
      );
    }
    const errors = graphQLErrorsOf(result.errors);
    if (errors)
      throw new RttmGraphQLError<TResult>(errors, {
        operationName: operation.name,
        data: result.data,
        status: response.status,
      });
    if (!response.ok || result.data == null) {
      throw new RttmNetworkError(
        `${operation.name ?? "request"}: HTTP ${response.status} ${response.statusText} without data`,
        { operationName: operation.name, status: response.status },
      );
    }
    return result.data;
  }

  function socket(): WsClient {
    if (socketClient) return socketClient;
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const retry = options.retry ?? {};
    const client = createClient({
      url: wsUrl,
      webSocketImpl: options.webSocketImpl,
      connectionParams: options.getToken
        ? async () => ({
            ...(typeof options.connectionParams === "function"
              ? await options.connectionParams()
              : options.connectionParams),
            authorization: await bearer(),
          })
        : (options.connectionParams as
            | Record<string, unknown>
            | (() => Promise<Record<string, unknown> | undefined>)
            | undefined),
      lazy: options.lazy ?? true,
      lazyCloseTimeout: options.lazyCloseTimeoutMs ?? 1_000,
      keepAlive: options.keepAliveMs ?? 10_000,
      connectionAckWaitTimeout: options.connectionAckTimeoutMs ?? 10_000,
      retryAttempts: retry.attempts ?? Infinity,
      retryWait: (retries) =>
        new Promise((resolve) =>
          setTimeout(resolve, retryDelayMs(retries, retry.initialDelayMs, retry.maxDelayMs)),
        ),
      // Connection refused arrives as an error event, not a close: retry that too (fatal close codes are never retried).
      shouldRetry: () => !disposed,
      onNonLazyError: () => undefined,
      on: {
        connecting: (isRetry) => setStatus(isRetry ? "reconnecting" : "connecting"),
        connected: () => {
          unauthorizedCloses = 0;
          setStatus("connected");
        },
        closed: () => {
          clearTimeout(pongTimer);
          setStatus(
            disposed ? "closed" : active > 0 || options.lazy === false ? "reconnecting" : "idle",
          );
        },
        ping: (received) => {
          if (received || pongTimeoutMs <= 0) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => client.terminate(), pongTimeoutMs);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    socketClient = client;
    return client;
  }

  function start<TResult>(
    operation: Operation,
    variables: unknown,
    observer: RttmObserver<TResult>,
  ): () => void {
    let finished = false;
    let dispose: () => void = () => undefined;
    const finish = () => {
      if (finished) return false;
      finished = true;
      active--;
      if (active === 0 && status !== "connected" && status !== "closed") setStatus("idle");
      return true;
    };
    active++;
    try {
      if (operation.type !== "subscription")
        throw new RttmError(
          `${operation.name ?? "operation"} is a ${operation.type}: use ${operation.type === "mutation" ? "mutate" : "query"}()`,
          operation.name,
        );
      if (disposed) throw new RttmError("the client is disposed", operation.name);
      const payload: SubscribePayload = trusted
        ? {
            query: "",
            operationName: operation.name ?? null,
            variables: (variables as Record<string, unknown> | undefined) ?? null,
            extensions: persistedQuery(operation),
          }
        : {
            query: operation.text,
            operationName: operation.name ?? null,
            variables: (variables as Record<string, unknown> | undefined) ?? null,
          };
      const open = () =>
        (dispose = socket().subscribe<TResult>(payload, {
          next: (result) => {
            if (finished) return;
            const errors = graphQLErrorsOf(result.errors);
            if (errors) {
              dispose();
              if (finish())
                observer.error(
                  new RttmGraphQLError<TResult>(errors, {
                    operationName: operation.name,
                    data: result.data as TResult | null | undefined,
                  }),
                );
              return;
            }
            if (result.data != null) observer.next(result.data as TResult);
          },
          error: (err) => {
            // 4401: the token expired or was refused. With getToken, reconnect and ask for a fresh one.
            if (
              isUnauthorizedClose(err) &&
              options.getToken &&
              !disposed &&
              !finished &&
              (err === lastUnauthorizedClose || unauthorizedCloses < maxUnauthorizedReconnects)
            ) {
              if (err !== lastUnauthorizedClose) {
                lastUnauthorizedClose = err;
                unauthorizedCloses++;
              }
              const delay = retryDelayMs(
                unauthorizedCloses - 1,
                options.retry?.initialDelayMs,
                options.retry?.maxDelayMs,
              );
              setStatus("reconnecting");
              setTimeout(() => {
                if (!finished && !disposed) open();
              }, delay);
              return;
            }
            if (finish()) observer.error(fromSocketError(err, operation.name));
          },
          complete: () => {
            if (finish()) observer.complete();
          },
        }));
      open();
    } catch (err) {
      if (finish())
        observer.error(
          err instanceof RttmError
            ? err
            : new RttmNetworkError(String(err instanceof Error ? err.message : err), {
                operationName: operation.name,
                cause: err,
              }),
        );
    }
    return () => {
      if (finish()) dispose();
    };
  }

  function subscription<TResult>(
    operation: Operation,
    variables: unknown,
  ): RttmSubscription<TResult> {
    const observable: RttmSubscription<TResult> = {
      subscribe(observer) {
        const o: Partial<RttmObserver<TResult>> =
          typeof observer === "function" ? { next: observer } : (observer ?? {});
        let closed = false;
        const stop = start<TResult>(operation, variables, {
          next: (value) => o.next?.(value),
          error: (error) => {
            closed = true;
            o.error?.(error);
          },
          complete: () => {
            closed = true;
            o.complete?.();
          },
        });
        return {
          unsubscribe() {
            closed = true;
            stop();
          },
          get closed() {
            return closed;
          },
        };
      },
      "@@observable": () => observable,
      [Symbol.asyncIterator](): AsyncIterator<TResult> {
        const queue: TResult[] = [];
        let failure: { error: RttmError } | undefined;
        let ended = false;
        let wake: (() => void) | undefined;
        const stop = start<TResult>(operation, variables, {
          next: (value) => {
            queue.push(value);
            wake?.();
          },
          error: (error) => {
            failure = { error };
            ended = true;
            wake?.();
          },
          complete: () => {
            ended = true;
            wake?.();
          },
        });
        const iterator: AsyncIterator<TResult> & AsyncIterable<TResult> = {
          async next(): Promise<IteratorResult<TResult>> {
            for (;;) {
              if (queue.length > 0) return { value: queue.shift()!, done: false };
              if (failure) {
                const { error } = failure;
                failure = undefined;
                throw error;
              }
              if (ended) return { value: undefined, done: true };
              await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
            }
          },
          async return(): Promise<IteratorResult<TResult>> {
            ended = true;
            queue.length = 0;
            stop();
            return { value: undefined, done: true };
          },
          [Symbol.asyncIterator]: () => iterator,
        };
        return iterator;
      },
    };
    // The ES proposal's symbol, where a polyfill (or rxjs' environment) defines it.
    const symbol = (Symbol as unknown as { observable?: symbol }).observable;
    if (typeof symbol === "symbol")
      Object.defineProperty(observable, symbol, { value: () => observable });
    return observable;
  }

  return {
    query: (document, ...[variables, request]) => overHttp("query", document, variables, request),
    mutate: (document, ...[variables, request]) =>
      overHttp("mutation", document, variables, request),
    subscribe: (document, ...[variables]) => subscription(describe(document), variables),
    get status() {
      return status;
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      disposed = true;
      await socketClient?.dispose();
      setStatus("closed");
    },
  };
}
