// node:crypto's Hash, Hmac, Cipheriv and Decipheriv are Transform streams, Sign and Verify Writable
// ones, but only once something uses them as one: the first stream method or state access makes the
// class a stream (evaluating node:stream) and sets the instance up, as Node's LazyTransform does.
// update(), digest(), final() and sign() alone never load node:stream.

const LISTENING = [
  "on",
  "once",
  "off",
  "addListener",
  "removeListener",
  "removeAllListeners",
  "prependListener",
  "prependOnceListener",
  "emit",
  "listeners",
  "listenerCount",
  "destroy",
  "cork",
  "uncork",
];
/** The methods that make a Writable, and a Transform's readable side besides. */
type Kind = "Writable" | "Transform";

const METHODS: Record<Kind, (string | symbol)[]> = {
  Writable: ["write", "end", "setDefaultEncoding", ...LISTENING],
  Transform: [
    "write",
    "end",
    "setDefaultEncoding",
    "pipe",
    "unpipe",
    "read",
    "setEncoding",
    "pause",
    "resume",
    "isPaused",
    "unshift",
    Symbol.asyncIterator,
    ...LISTENING,
  ],
};
/** Stream state a caller (Readable.pipe, stream.finished) may read before calling a method. */
const GETTERS: Record<Kind, string[]> = { Writable: ["writable", "writableEnded", "writableFinished", "writableNeedDrain"], Transform: [] };
const STATES: Record<Kind, string[]> = { Writable: ["_writableState"], Transform: ["_readableState", "_writableState"] };

/** A stream class of node:stream: called on an instance to set it up, as Node's own subclasses do. */
export interface StreamClass {
  call(instance: object, options: object | undefined): void;
  prototype: Record<string | symbol, (...args: unknown[]) => unknown>;
}
/** Sets an instance up as a stream of `Stream`'s class; node:stream's constructor without options unless a class says otherwise. */
export type StreamSetUp = (instance: object, Stream: StreamClass) => void;
const withoutOptions: StreamSetUp = (instance, Stream) => Stream.call(instance, {});

/** Makes instances of `Class` streams of node:stream's `kind` ("Writable" or "Transform") on first use as one. */
export function streamOnUse(Class: { prototype: object }, kind: Kind, setUp: StreamSetUp = withoutOptions): void {
  let Stream: StreamClass | undefined;
  const streams = new WeakSet<object>();
  const asStream = (instance: object) => {
    if (streams.has(instance)) return;
    streams.add(instance);
    if (Stream === undefined) {
      Stream = (require("readable-stream") as Record<Kind, StreamClass>)[kind];
      Object.setPrototypeOf(Class.prototype, Stream.prototype);
    }
    setUp(instance, Stream);
  };
  for (const name of METHODS[kind]) {
    (Class.prototype as Record<string | symbol, unknown>)[name] = function (this: object, ...args: unknown[]) {
      asStream(this);
      return ((Stream as StreamClass).prototype[name] as (...args: unknown[]) => unknown).apply(this, args);
    };
  }
  for (const name of GETTERS[kind]) {
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      get(this: object) {
        asStream(this);
        return Reflect.get((Stream as StreamClass).prototype, name, this);
      },
    });
  }
  for (const key of STATES[kind]) {
    Object.defineProperty(Class.prototype, key, {
      configurable: true,
      get(this: object) {
        asStream(this);
        return Object.getOwnPropertyDescriptor(this, key)?.value;
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}
