import assert from "node:assert/strict";
import { test } from "node:test";
import { Repeater } from "@repeaterjs/repeater";
import { FanOut, type FrameSocket } from "../../src/live/fanout.js";
import { createLogger, setLogLevel } from "../../src/log.js";

setLogLevel("silent");
const logger = createLogger();
/** Waits for what the fan-out did (frames written, members ended), turn by turn, never a fixed time. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setImmediate(r));
  }
}

/** An in-memory socket (the fan-out's only dependency on `ws`): records frames; `backlog` simulates unflushed bytes. */
class RecordingSocket implements FrameSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: string[] = [];
  send(data: Buffer, options: { binary: boolean }): void {
    assert.equal(options.binary, false, "text frames");
    this.frames.push(data.toString());
  }
}

/** A source the test pushes values into (a group's first member brings it). */
function controlledSource<T>() {
  let push: ((value: T) => Promise<unknown>) | null = null;
  let stop: ((err?: unknown) => void) | null = null;
  let returned = false;
  const source = new Repeater<T>(async (p, s) => {
    push = p;
    stop = s;
    await s;
    returned = true;
  });
  return {
    source,
    /** The fan-out has started reading it (its first `next()`). */
    get reading() {
      return push !== null;
    },
    push: (value: T) => push!(value),
    stop: (err?: unknown) => stop!(err),
    get returned() {
      return returned;
    },
  };
}

/** The source a later member brings: the group already has one, so it must stay unread. */
function spare<T>(): AsyncIterator<T> & { read: boolean; returned: boolean } {
  return {
    read: false,
    returned: false,
    async next() {
      this.read = true;
      return { value: undefined as T, done: true };
    },
    async return() {
      this.returned = true;
      return { value: undefined as T, done: true };
    },
  };
}

const head = (id: string) => Buffer.from(`<${id}>`);
const member = (socket: FrameSocket, id: string | null, ended: unknown[] = []) => ({
  socket,
  head: id === null ? null : head(id),
  end: (err?: unknown) => void ended.push(err ?? "complete"),
});

test("members of one group share one serialisation per value, each frame with its own head", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<number>();
  let serialised = 0;
  const serialize = (n: number) => {
    serialised++;
    return Buffer.from(`{"n":${n}}`);
  };
  const sockets = Array.from({ length: 100 }, () => new RecordingSocket());
  const spares = sockets.map(() => spare<number>());
  sockets.forEach((s, i) =>
    fanout.join("g", i === 0 ? src.source : spares[i]!, serialize, member(s, `id${i}`)),
  );
  await until(() => src.reading);
  await src.push(1);
  await until(() => fanout.stats().framesWritten === 100);
  await src.push(2);
  await until(() => fanout.stats().framesWritten === 200);
  assert.equal(serialised, 2, "serialised once per value for 100 members");
  assert.ok(
    spares.slice(1).every((x) => x.returned && !x.read),
    "later sources returned unread",
  );
  assert.equal(fanout.stats().groups, 1);
  sockets.forEach((s, i) => assert.deepEqual(s.frames, [`<id${i}>{"n":1}`, `<id${i}>{"n":2}`]));
  fanout.close();
});

test("a late member gets the newest payload at once; a second source for the same key is not read", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<number>();
  const serialize = (n: number) => Buffer.from(String(n));
  const first = new RecordingSocket();
  fanout.join("g", src.source, serialize, member(first, "a"));
  await until(() => src.reading);
  await src.push(41);
  await until(() => first.frames.length === 1);
  const second = spare<number>();
  const late = new RecordingSocket();
  fanout.join("g", second, serialize, member(late, "late"));
  assert.deepEqual(late.frames, ["<late>41"]);
  assert.equal(second.read, false);
  fanout.close();
});

test("raw members (no head) all receive the same serialised text", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<string>();
  const a = new RecordingSocket();
  const b = new RecordingSocket();
  fanout.join("raw", src.source, (v) => Buffer.from(v), member(a, null));
  fanout.join("raw", spare<string>(), (v) => Buffer.from(v), member(b, null));
  await until(() => src.reading);
  await src.push("hello");
  await until(() => a.frames.length === 1 && b.frames.length === 1);
  assert.deepEqual(a.frames, ["hello"]);
  assert.deepEqual(b.frames, ["hello"]);
  fanout.close();
});

test("a payload of several frames reaches each member in order", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<number>();
  const socket = new RecordingSocket();
  fanout.join(
    "parts",
    src.source,
    (n) => [Buffer.from(`a${n}`), Buffer.from(`b${n}`)],
    member(socket, null),
  );
  await until(() => src.reading);
  await src.push(1);
  await until(() => fanout.stats().framesWritten === 2);
  const late = new RecordingSocket();
  fanout.join("parts", spare<number>(), () => [], member(late, null));
  assert.deepEqual(socket.frames, ["a1", "b1"]);
  assert.deepEqual(late.frames, ["a1", "b1"], "a late member gets every frame of the newest value");
  fanout.close();
});

test("an error in one group ends its members with the error and leaves another group alone", async () => {
  const fanout = new FanOut(logger);
  const bad = controlledSource<number>();
  const good = controlledSource<number>();
  const badEnded: unknown[] = [];
  const goodEnded: unknown[] = [];
  const goodSocket = new RecordingSocket();
  fanout.join(
    "bad",
    bad.source,
    (n) => Buffer.from(String(n)),
    member(new RecordingSocket(), "1", badEnded),
  );
  fanout.join(
    "bad",
    spare<number>(),
    (n) => Buffer.from(String(n)),
    member(new RecordingSocket(), "2", badEnded),
  );
  fanout.join(
    "good",
    good.source,
    (n) => Buffer.from(String(n)),
    member(goodSocket, "3", goodEnded),
  );
  await until(() => bad.reading && good.reading);
  bad.stop(new Error("source failed"));
  await until(() => badEnded.length === 2);
  assert.equal(badEnded.length, 2);
  assert.ok(badEnded.every((e) => e instanceof Error && e.message === "source failed"));
  assert.equal(fanout.stats().groupErrors, 1);
  await good.push(7);
  await until(() => goodSocket.frames.length === 1);
  assert.deepEqual(goodEnded, []);
  assert.deepEqual(goodSocket.frames, ["<3>7"]);
  assert.equal(fanout.stats().groups, 1);
  fanout.close();
  assert.deepEqual(goodEnded, ["complete"], "closing ends the rest without an error");
});

test("a serializer that throws ends its group with that error", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<number>();
  const ended: unknown[] = [];
  fanout.join(
    "g",
    src.source,
    () => {
      throw new Error("cannot serialise");
    },
    member(new RecordingSocket(), "x", ended),
  );
  await until(() => src.reading);
  await src.push(1);
  await until(() => ended.length === 1 && src.returned);
  assert.equal((ended[0] as Error).message, "cannot serialise");
  assert.equal(src.returned, true, "the source is ended too");
});

test("the last member leaving drops the group and ends its source", async () => {
  const fanout = new FanOut(logger);
  const src = controlledSource<number>();
  const leaveA = fanout.join(
    "g",
    src.source,
    (n) => Buffer.from(String(n)),
    member(new RecordingSocket(), "a"),
  );
  const leaveB = fanout.join(
    "g",
    spare<number>(),
    (n) => Buffer.from(String(n)),
    member(new RecordingSocket(), "b"),
  );
  await until(() => src.reading);
  leaveA();
  assert.equal(fanout.has("g"), true);
  assert.equal(fanout.stats().members, 1);
  leaveB();
  assert.equal(fanout.has("g"), false);
  assert.equal(fanout.stats().groups, 0);
  await until(() => src.returned);
});

test("a slow member (socket not flushed) gets the newest value only, once it has flushed", async () => {
  const fanout = new FanOut(logger, { retryMs: 5 });
  const src = controlledSource<number>();
  const slow = new RecordingSocket();
  const fast = new RecordingSocket();
  const serialize = (n: number) => Buffer.from(String(n));
  fanout.join("g", src.source, serialize, member(slow, "s"));
  fanout.join("g", spare<number>(), serialize, member(fast, "f"));
  await until(() => src.reading);
  await src.push(1);
  await until(() => slow.frames.length === 1 && fast.frames.length === 1);
  slow.bufferedAmount = 10_000; // its previous frame is still in the socket's buffer
  for (let n = 2; n <= 6; n++) {
    await src.push(n);
    // The fast member's frame says the round for this value has passed the slow one.
    await until(() => fast.frames.length === n);
  }
  assert.deepEqual(slow.frames, ["<s>1"], "nothing queued while it has not flushed");
  slow.bufferedAmount = 0;
  await until(() => slow.frames.length === 2); // at the next retry (retryMs)
  assert.deepEqual(slow.frames, ["<s>1", "<s>6"], "then the newest value, nothing older");
  assert.deepEqual(fast.frames, ["<f>1", "<f>2", "<f>3", "<f>4", "<f>5", "<f>6"]);
  assert.equal(fanout.stats().coalesced, 4, "values 2–5 were replaced for the slow member");
  fanout.close();
});

test("writes to many sockets are spread over event-loop turns in bounded slices", async () => {
  const fanout = new FanOut(logger, { sliceMs: 2 });
  const src = controlledSource<number>();
  const serialize = (n: number) => Buffer.from(String(n));
  // Each send costs ~40 µs, so 2,000 members are ~80 ms of writing. Counted per slice (not by
  // wall-clock gaps, which a loaded machine's scheduling distorts): a 2 ms slice, with the clock
  // read every 32 writes, holds at most ~64 of them; unsliced, one turn would hold all 2,000.
  const perSlice = new Map<number, number>();
  const busy: FrameSocket = {
    readyState: 1,
    bufferedAmount: 0,
    send() {
      perSlice.set(fanout.stats().slices, (perSlice.get(fanout.stats().slices) ?? 0) + 1);
      const until = performance.now() + 0.04;
      while (performance.now() < until);
    },
  };
  for (let i = 0; i < 2000; i++)
    fanout.join("g", i === 0 ? src.source : spare<number>(), serialize, member(busy, String(i)));
  await until(() => src.reading);
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  await src.push(1);
  await until(() => fanout.stats().framesWritten === 2000);
  clearInterval(timer);
  assert.ok(fanout.stats().slices >= 10, `${fanout.stats().slices} slices`);
  const most = Math.max(...perSlice.values());
  assert.ok(most <= 100, `at most ${most} writes in one event-loop turn`);
  assert.ok(turns > 0, "timers ran between slices");
  fanout.close();
});

test("values arriving faster than a round reach every member in turn (no member starves)", async () => {
  const fanout = new FanOut(logger, { sliceMs: 2 });
  const src = controlledSource<number>();
  const members = 1000;
  const values = 20;
  const received = new Map<number, number>();
  const newest = new Map<number, number>();
  // A new value arrives every quarter of a round (each 250 writes), paced by the writes
  // themselves rather than by the clock: rounds are always overtaken, however fast or loaded the
  // machine. ~20 µs per send spreads a round over several slices, as real sockets would.
  let written = 0;
  let pushed = 1;
  const memberSocket = (i: number): FrameSocket => ({
    readyState: 1,
    bufferedAmount: 0,
    send(data) {
      received.set(i, (received.get(i) ?? 0) + 1);
      newest.set(i, Number(data.toString().split(">")[1]));
      if (++written % (members / 4) === 0 && pushed < values) void src.push(++pushed);
      const until = performance.now() + 0.02;
      while (performance.now() < until);
    },
  });
  for (let i = 0; i < members; i++)
    fanout.join(
      "g",
      i === 0 ? src.source : spare<number>(),
      (n) => Buffer.from(String(n)),
      member(memberSocket(i), String(i)),
    );
  await until(() => src.reading);
  await src.push(1);
  await until(
    () =>
      pushed === values &&
      Array.from({ length: members }, (_, i) => newest.get(i)).every((n) => n === values),
    30_000,
  );
  // 20 values, a quarter of a round apart: about 5 rounds, each reaching every member once.
  const counts = Array.from({ length: members }, (_, i) => received.get(i) ?? 0);
  const fewest = Math.min(...counts);
  assert.ok(fewest >= 4, `every member got a value each round; the least served got ${fewest}`);
  assert.ok(Math.max(...counts) - fewest <= 1, "rounds reach members evenly");
  fanout.close();
});
