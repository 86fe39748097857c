// node:crypto's Sign and Verify are Writable streams, but only once something uses them as one: the
// first stream method or state access makes the class a Writable (evaluating node:stream) and sets
// the instance up, as Node's LazyTransform does for Hash. update()/sign() alone never load node:stream.

const METHODS = [
  "write",
  "end",
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
  "setDefaultEncoding",
];
/** Stream state a caller (Readable.pipe, stream.finished) may read before calling a method. */
const GETTERS = ["writable", "writableEnded", "writableFinished", "writableNeedDrain"];

/** Makes instances of `Class` (which has update(data, encoding)) Writable streams on first use as one. */
export function writableOnUse(Class) {
  let Writable;
  const streams = new WeakSet();
  const asStream = (instance) => {
    if (streams.has(instance)) return;
    streams.add(instance);
    if (Writable === undefined) {
      ({ Writable } = require("readable-stream"));
      Object.setPrototypeOf(Class.prototype, Writable.prototype);
    }
    Writable.call(instance, {});
  };
  for (const name of METHODS) {
    Class.prototype[name] = function (...args) {
      asStream(this);
      return Writable.prototype[name].apply(this, args);
    };
  }
  for (const name of GETTERS) {
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      get() {
        asStream(this);
        return Reflect.get(Writable.prototype, name, this);
      },
    });
  }
  Object.defineProperty(Class.prototype, "_writableState", {
    configurable: true,
    get() {
      asStream(this);
      return Object.getOwnPropertyDescriptor(this, "_writableState")?.value;
    },
    set(value) {
      Object.defineProperty(this, "_writableState", { value, writable: true, configurable: true, enumerable: true });
    },
  });
  Class.prototype._write = function (chunk, encoding, callback) {
    this.update(chunk, encoding === "buffer" ? undefined : encoding);
    callback();
  };
}
