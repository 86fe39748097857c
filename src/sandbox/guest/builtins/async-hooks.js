// node:async_hooks' AsyncLocalStorage without engine hooks: QuickJS has no promise hook, so the
// context (a map of each storage to its store) is captured where a continuation is scheduled and
// restored where it runs. The wrappers go in when the first AsyncLocalStorage is made, so a
// handler that never makes one pays nothing:
// - `then` (and so catch, finally, queueMicrotask, process.nextTick and Promise.all's internals,
//   which all call it) and the timers wrap their callback in the caller's context;
// - `await p` reads `p.constructor` at the await, synchronously, in the awaiting function's
//   context: a getter there adds a reaction to p ahead of the await's own, which restores that
//   context just before the async function resumes.
// An `await` of a value that is not a promise is not observable: its continuation sees the
// ambient context, the one async run in flight, or none while several are.

let inside = false;
let current; // Map of storage → store, never mutated once current; undefined is the empty context.
let installed = false;
let then;
/** Contexts of the runs whose promise has not settled, with how many of each. */
const inFlight = new Map();
const ambient = () => (inFlight.size === 1 ? inFlight.keys().next().value : undefined);

function runIn(context, fn, thisArg, args) {
  const previous = current;
  current = context;
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    current = previous;
  }
}

function bound(fn, context = current) {
  if (typeof fn !== "function") return fn;
  return function (...args) {
    return runIn(context, fn, this, args);
  };
}

function install() {
  if (installed) return;
  installed = true;
  const proto = Promise.prototype;
  then = proto.then;
  const resolved = Promise.resolve();
  const restore = (context) => () => {
    current = context;
    // The continuation this reaction precedes runs next; after it, the ambient context is cleared.
    inside = true;
    try {
      then.call(resolved, clear);
    } finally {
      inside = false;
    }
  };
  const clear = () => {
    current = ambient();
  };
  function wrappedThen(onFulfilled, onRejected) {
    const context = current;
    inside = true;
    try {
      return then.call(this, bound(onFulfilled, context), bound(onRejected, context));
    } finally {
      inside = false;
    }
  }
  Object.defineProperty(wrappedThen, "name", { value: "then" });
  // biome-ignore lint/suspicious/noThenProperty: this is Promise.prototype.then, wrapped.
  Object.defineProperty(proto, "then", { configurable: true, writable: true, value: wrappedThen });
  const Constructor = Promise;
  Object.defineProperty(proto, "constructor", {
    configurable: true,
    get() {
      if (!inside && this instanceof Constructor) {
        const back = restore(current);
        inside = true;
        try {
          then.call(this, back, back);
        } finally {
          inside = false;
        }
      }
      return Constructor;
    },
    set(value) {
      Object.defineProperty(this, "constructor", { value, writable: true, configurable: true, enumerable: true });
    },
  });
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) {
    const original = globalThis[name];
    const wrapped = (fn, ...rest) => original(bound(fn), ...rest);
    for (const key of Reflect.ownKeys(original)) {
      if (key !== "length" && key !== "name" && key !== "prototype") {
        Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key));
      }
    }
    globalThis[name] = wrapped;
  }
}

export class AsyncLocalStorage {
  #enabled = true;
  constructor() {
    install();
  }
  static bind(fn) {
    return bound(fn);
  }
  static snapshot() {
    const context = current;
    return (fn, ...args) => runIn(context, fn, undefined, args);
  }
  #with(store) {
    const context = new Map(current);
    context.set(this, store);
    return context;
  }
  getStore() {
    return this.#enabled ? current?.get(this) : undefined;
  }
  run(store, fn, ...args) {
    this.#enabled = true;
    const context = this.#with(store);
    const result = runIn(context, fn, undefined, args);
    if (result instanceof Promise) track(context, result);
    return result;
  }
  exit(fn, ...args) {
    if (!current?.has(this)) return Reflect.apply(fn, undefined, args);
    const context = new Map(current);
    context.delete(this);
    return runIn(context, fn, undefined, args);
  }
  enterWith(store) {
    this.#enabled = true;
    current = this.#with(store);
  }
  disable() {
    this.#enabled = false;
    if (current?.has(this)) {
      const context = new Map(current);
      context.delete(this);
      current = context;
    }
  }
}

/** Counts an async run in flight until its promise settles. */
function track(context, promise) {
  inFlight.set(context, (inFlight.get(context) ?? 0) + 1);
  const done = () => {
    const left = inFlight.get(context) - 1;
    if (left === 0) inFlight.delete(context);
    else inFlight.set(context, left);
    current = ambient();
  };
  inside = true;
  try {
    then.call(promise, done, done);
  } finally {
    inside = false;
  }
}

let nextId = 1;

/** A resource that runs callbacks in the context it was made in (Node's embedder API). */
export class AsyncResource {
  #context = current;
  #id = nextId++;
  constructor(type) {
    if (typeof type !== "string") throw new TypeError('The "type" argument must be of type string');
    install();
  }
  runInAsyncScope(fn, thisArg, ...args) {
    return runIn(this.#context, fn, thisArg, args);
  }
  bind(fn, thisArg) {
    const resource = this;
    return function (...args) {
      return resource.runInAsyncScope(fn, thisArg ?? this, ...args);
    };
  }
  static bind(fn, type, thisArg) {
    return new AsyncResource(type ?? "bound-anonymous-fn").bind(fn, thisArg);
  }
  emitDestroy() {
    return this;
  }
  asyncId() {
    return this.#id;
  }
  triggerAsyncId() {
    return 0;
  }
}

// Async ids and hooks need the engine's lifecycle events, which QuickJS does not give: a hook is
// accepted and never called.
export const executionAsyncId = () => 1;
export const triggerAsyncId = () => 0;
export const executionAsyncResource = () => ({});
export const createHook = () => ({
  enable() {
    return this;
  },
  disable() {
    return this;
  },
});
export const asyncWrapProviders = Object.freeze({});
