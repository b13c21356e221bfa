/**
 * Raw sockets (no graphql-ws) on hub snapshots, for the legacy dashboard sockets: one
 * serialisation per value for every socket that follows the same snapshot with the same
 * serializer, written through the fan-out.
 */
import type { FanOut, FrameSocket } from "./fanout.js";
import type { SnapshotSource } from "./snapshot.js";

/**
 * Turns a snapshot value into the text a raw socket receives: one frame, or several sent in
 * order. `name` identifies the serializer: sockets share one serialisation per value only when
 * they follow the same snapshot with the same name.
 */
export interface SocketSerializer<T> {
  name: string;
  serialize(value: T): string | readonly string[];
}

/**
 * Subscribes `socket` to the snapshot of `source` (its values from `subscribe`): each new value is
 * serialised once by `serializer` for every socket in the same group, and that text is written to
 * each as a text frame. A slow socket gets the newest value once it has flushed, never a backlog.
 * `onEnd` is called if the subscription ends from the hub's side (hub closing, or `serialize`
 * throwing: with the error). Returns the function that unsubscribes the socket.
 */
export function subscribeSocket<T>(
  fanout: FanOut,
  subscribe: (source: SnapshotSource<T>) => AsyncIterator<T>,
  socket: FrameSocket,
  source: SnapshotSource<T>,
  serializer: SocketSerializer<T>,
  onEnd: (err?: unknown) => void,
): () => void {
  return fanout.join(
    `raw\0${source.key}\0${serializer.name}`,
    subscribe(source),
    (value) => {
      const text = serializer.serialize(value);
      return typeof text === "string" ? Buffer.from(text) : text.map((t) => Buffer.from(t));
    },
    { socket, head: null, end: onEnd },
  );
}
