// node:crypto's Hash and Hmac are Transform streams, Sign and Verify Writable ones, but only once
// something uses them as one: the first stream method or state access makes the class a stream
// (evaluating node:stream) and sets the instance up, as Node's LazyTransform does. update(),
// digest() and sign() alone never load node:stream.

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
const METHODS = {
  Writable: ["write", "end", "setDefaultEncoding", ...LISTENING],
  Transform: [
    "write",
    "end",
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
const GETTERS = { Writable: ["writable", "writableEnded", "writableFinished", "writableNeedDrain"], Transform: [] };
const STATES = { Writable: ["_writableState"], Transform: ["_readableState", "_writableState"] };

/** Makes instances of `Class` streams of node:stream's `kind` ("Writable" or "Transform") on first use as one. */
export function streamOnUse(Class, kind) {
  let Stream;
  const streams = new WeakSet();
  const asStream = (instance) => {
    if (streams.has(instance)) return;
    streams.add(instance);
    if (Stream === undefined) {
      Stream = require("readable-stream")[kind];
      Object.setPrototypeOf(Class.prototype, Stream.prototype);
    }
    Stream.call(instance, {});
  };
  for (const name of METHODS[kind]) {
    Class.prototype[name] = function (...args) {
      asStream(this);
      return Stream.prototype[name].apply(this, args);
    };
  }
  for (const name of GETTERS[kind]) {
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      get() {
        asStream(this);
        return Reflect.get(Stream.prototype, name, this);
      },
    });
  }
  for (const key of STATES[kind]) {
    Object.defineProperty(Class.prototype, key, {
      configurable: true,
      get() {
        asStream(this);
        return Object.getOwnPropertyDescriptor(this, key)?.value;
      },
      set(value) {
        Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}
