/** The live layer's public face: the change buses, the hub and its fan-out, change notices and the snapshot views. */
export type { ChangeBus, BusStats } from "./bus.js";
export { FanOut, type FanOutStats } from "./fanout.js";
export { LiveHub, type SnapshotSource, type SocketSerializer, type HubStats } from "./hub.js";
export { inProcessBus } from "./inProcessBus.js";
export { changeNotice, noticeForBatch, resyncOrigin } from "./notice.js";
export { redisBus } from "./redisBus.js";
export { SharedSubscription, subscriptionGroupKey } from "./sharedSubscription.js";
export {
  overviewView,
  snapshotSources,
  telemetryView,
  type IngestionHealth,
  type SnapshotSources,
} from "./views.js";
