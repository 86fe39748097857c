/**
 * A one-way channel between the main thread and an executor worker over a SharedArrayBuffer ring
 * (one writer, one reader), woken with Atomics. A postMessage costs a structured clone, a lock and
 * an event dispatch on each side; a ring frame is two memcpys, and the reader is notified only while
 * it waits (measured with 50 requests in flight: 1.7 µs of CPU per request against 2.9 µs for a batched
 * postMessage and 6.6 µs for one postMessage each).
 *
 * A frame holds a short JSON `meta` and an optional bulk part (a string or bytes: the event, the
 * payload, a stream chunk) written without escaping. A frame larger than a quarter of the ring goes
 * through a MessagePort instead, with a marker frame in its place, so frames stay in order; the
 * reader takes it with receiveMessageOnPort, never through a listener.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";

/** Int32 slots before the data: where the writer and reader are, and the wake-up word. */
const HEAD = 0;
const TAIL = 1;
const SIGNAL = 2;
const WAITING = 3;
const HEADER_BYTES = 16;
/** A frame's own header: its padded length, its meta's and bulk part's byte lengths, the bulk's kind. */
const FRAME_HEADER_BYTES = 16;
/** In place of a frame's length: the rest of the ring is unused, the next frame is at offset 0. */
const WRAP = -1;

enum Bulk {
  None = 0,
  Text = 1,
  Bytes = 2,
  /** The frame is on the overflow port. */
  Port = 3,
}

export type BulkPart = string | Uint8Array | undefined;

/** 1 MiB each way per executor: a warm invocation's frames are ~0.3 KB, big payloads go by port. */
export const DEFAULT_RING_BYTES = 1024 * 1024;

export function newRing(bytes = DEFAULT_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

const align = (n: number) => (n + 3) & ~3;

class RingView {
  readonly header: Int32Array;
  readonly words: Int32Array;
  readonly bytes: Buffer;
  readonly capacity: number;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.words = new Int32Array(buffer, HEADER_BYTES);
    this.bytes = Buffer.from(buffer, HEADER_BYTES);
    this.capacity = this.bytes.length;
  }
}

export class RingWriter {
  readonly #ring: RingView;
  readonly #port: MessagePort;
  /** Frames that found the ring full, in order; nothing else is written before them. */
  #backlog: Array<[string, BulkPart]> = [];
  #retry: NodeJS.Timeout | undefined;

  constructor(buffer: SharedArrayBuffer, overflow: MessagePort) {
    this.#ring = new RingView(buffer);
    this.#port = overflow;
  }

  write(meta: string, bulk?: BulkPart): void {
    if (this.#backlog.length > 0 || !this.#put(meta, bulk)) {
      this.#backlog.push([meta, bulk]);
      this.#retry ??= setTimeout(this.#drainBacklog, 1);
    }
    this.#signal();
  }

  /**
   * Wakes the reader at once, so it works while this thread goes on (deferring the wake-up to a
   * setImmediate measured no better). Only a waiting reader is notified, and only its first
   * notification does anything: V8 drops the waiter when it wakes it.
   */
  readonly #signal = (): void => {
    const { header } = this.#ring;
    Atomics.add(header, SIGNAL, 1);
    if (Atomics.load(header, WAITING) === 1) Atomics.notify(header, SIGNAL);
  };

  readonly #drainBacklog = (): void => {
    this.#retry = undefined;
    while (this.#backlog.length > 0) {
      const [meta, bulk] = this.#backlog[0] as [string, BulkPart];
      if (!this.#put(meta, bulk)) break;
      this.#backlog.shift();
    }
    this.#signal();
    if (this.#backlog.length > 0) this.#retry = setTimeout(this.#drainBacklog, 1);
  };

  /** Writes one frame, or its overflow marker; false when the ring has no room now. */
  #put(meta: string, bulk: BulkPart): boolean {
    const { header, words, bytes, capacity } = this.#ring;
    const metaBytes = Buffer.byteLength(meta);
    const bulkBytes = bulk === undefined ? 0 : typeof bulk === "string" ? Buffer.byteLength(bulk) : bulk.byteLength;
    let kind = bulk === undefined ? Bulk.None : typeof bulk === "string" ? Bulk.Text : Bulk.Bytes;
    let length = align(FRAME_HEADER_BYTES + metaBytes + bulkBytes);
    if (length > capacity / 4) {
      kind = Bulk.Port;
      length = FRAME_HEADER_BYTES;
    }
    let head = Atomics.load(header, HEAD);
    const tail = Atomics.load(header, TAIL);
    // One aligned word always stays free, so head === tail means empty.
    const free = (tail - head + capacity - 4) % capacity;
    const wraps = head + length > capacity;
    if ((wraps ? capacity - head + length : length) > free) return false;
    if (kind === Bulk.Port) this.#port.postMessage([meta, bulk]);
    if (wraps) {
      words[head / 4] = WRAP;
      head = 0;
    }
    words[head / 4] = length;
    words[head / 4 + 1] = metaBytes;
    words[head / 4 + 2] = bulkBytes;
    words[head / 4 + 3] = kind;
    if (kind !== Bulk.Port) {
      const at = head + FRAME_HEADER_BYTES;
      bytes.write(meta, at, metaBytes, "utf8");
      if (typeof bulk === "string") bytes.write(bulk, at + metaBytes, bulkBytes, "utf8");
      else if (bulk !== undefined) bytes.set(bulk, at + metaBytes);
    }
    Atomics.store(header, HEAD, (head + length) % capacity);
    return true;
  }

  close(): void {
    clearTimeout(this.#retry);
  }
}

export class RingReader {
  readonly #ring: RingView;
  readonly #port: MessagePort;
  #closed = false;

  constructor(
    buffer: SharedArrayBuffer,
    overflow: MessagePort,
    private readonly onFrame: (meta: string, bulk: BulkPart) => void,
  ) {
    this.#ring = new RingView(buffer);
    this.#port = overflow;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    const { header } = this.#ring;
    while (!this.#closed) {
      this.#drain();
      Atomics.store(header, WAITING, 1);
      const seen = Atomics.load(header, SIGNAL);
      if (Atomics.load(header, HEAD) !== Atomics.load(header, TAIL)) {
        // More arrived while draining: let the event loop turn first, then read on.
        Atomics.store(header, WAITING, 0);
        await new Promise(setImmediate);
        continue;
      }
      const waited = Atomics.waitAsync(header, SIGNAL, seen);
      if (waited.async) await waited.value;
      Atomics.store(header, WAITING, 0);
    }
  }

  /** Reads the frames written so far (not those written meanwhile: the event loop must turn). */
  #drain(): void {
    const { header, words, bytes, capacity } = this.#ring;
    const head = Atomics.load(header, HEAD);
    let tail = Atomics.load(header, TAIL);
    while (tail !== head && !this.#closed) {
      const length = words[tail / 4] as number;
      if (length === WRAP) {
        tail = 0;
        continue;
      }
      const metaBytes = words[tail / 4 + 1] as number;
      const bulkBytes = words[tail / 4 + 2] as number;
      const kind = words[tail / 4 + 3] as Bulk;
      let meta: string;
      let bulk: BulkPart;
      if (kind === Bulk.Port) {
        const carried = receiveMessageOnPort(this.#port);
        if (carried === undefined) throw new Error("a ring frame's overflow message is missing");
        [meta, bulk] = carried.message as [string, BulkPart];
      } else {
        const at = tail + FRAME_HEADER_BYTES;
        meta = bytes.toString("utf8", at, at + metaBytes);
        bulk = readBulk(bytes, kind, at + metaBytes, at + metaBytes + bulkBytes);
      }
      tail = (tail + length) % capacity;
      Atomics.store(header, TAIL, tail);
      this.onFrame(meta, bulk);
    }
  }

  close(): void {
    this.#closed = true;
    Atomics.notify(this.#ring.header, SIGNAL);
  }
}

function readBulk(bytes: Buffer, kind: Bulk, start: number, end: number): BulkPart {
  if (kind === Bulk.None) return undefined;
  return kind === Bulk.Text ? bytes.toString("utf8", start, end) : new Uint8Array(bytes.subarray(start, end));
}
