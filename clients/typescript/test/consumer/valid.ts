// A frontend's use of the packed client: must compile (strict, DOM, no Node types, libraries checked).
import { firstValueFrom, from, map } from "rxjs";
import {
  createRttmClient,
  LiveOverviewDocument,
  LiveTradeDocument,
  OverviewDocument,
  DlqEventsDocument,
  RttmGraphQLError,
  RttmNetworkError,
  TradeDocument,
  type LiveTradeSubscription,
  type OverviewQuery,
  type ResultOf,
  type Stage,
  type VariablesOf,
} from "@pms/rttm-client";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const client = createRttmClient({
  url: "https://rttm.example.com/graphql",
  headers: async () => ({ authorization: "Bearer token" }),
  connectionParams: () => ({ authorization: "Bearer token" }),
  trustedDocuments: true,
  retry: { initialDelayMs: 250, maxDelayMs: 10_000 },
  onStatus: (status) =>
    console.log(status satisfies "idle" | "connecting" | "connected" | "reconnecting" | "closed"),
});

/** In a browser behind the platform's gateway: /api/rttm/graphql on the page's origin, the user's token. */
export const gatewayClient = () =>
  createRttmClient({ getToken: () => localStorage.getItem("accessToken") ?? "" });
export const asyncTokenClient = () =>
  createRttmClient({
    url: "http://rttm:8087/api/rttm/graphql",
    getToken: async () => "token",
  });

export async function overview(): Promise<number> {
  const data = await client.query(OverviewDocument, { windowSeconds: 3600 });
  const titles: string[] = data.overview.cards.map((card) => card.title);
  const latency: number | null = data.overview.avgEndToEndLatencyMs;
  console.log(titles, latency);
  return data.overview.peakTps;
}

// A DLQ event's stage is null when its producer sent none (stored and counted all the same).
export async function page(after?: string): Promise<(Stage | null)[]> {
  const data = await client.query(DlqEventsDocument, { first: 50, after, stage: "VALIDATED" });
  return data.dlqEvents.edges.map((edge) => edge.node.stage);
}

export async function timeline(tradeId: string): Promise<void> {
  try {
    const { trade } = await client.query(TradeDocument, { tradeId });
    console.log(trade.stages.filter((s) => s.reached).map((s) => s.stage));
  } catch (err) {
    if (err instanceof RttmGraphQLError && err.hasCode("BAD_USER_INPUT"))
      console.log(err.errors[0]?.message);
    else if (err instanceof RttmNetworkError) console.log(err.status, err.closeCode);
    else throw err;
  }
  for await (const update of client.subscribe(LiveTradeDocument, { tradeId })) {
    const update_: LiveTradeSubscription = update;
    if (update_.trade.stages.every((s) => s.reached)) break;
  }
}

export function angularStyle() {
  // rxjs: from() takes the subscription (Symbol.observable / async iterable).
  const tps$ = from(client.subscribe(LiveOverviewDocument)).pipe(map((v) => v.overview.currentTps));
  return firstValueFrom(tps$);
}

export function observer(): () => void {
  const subscription = client
    .subscribe(LiveOverviewDocument, { peakTpsWindowSeconds: 60 })
    .subscribe({
      next: (value) => console.log(value.overview.cards.length),
      error: (error) => console.error(error.operationName, error.message),
    });
  return () => subscription.unsubscribe();
}

assertType<Equal<ResultOf<typeof OverviewDocument>, OverviewQuery>>();
assertType<Equal<VariablesOf<typeof TradeDocument>["tradeId"], string>>();
