// node:async_hooks' AsyncLocalStorage without engine hooks: QuickJS has no promise hook, so the
// context (a map of each storage to its store) is captured where a continuation is scheduled and
// restored where it runs. The wrappers go in when the first AsyncLocalStorage is made, so a
// handler that never makes one pays nothing:
// - `then` (and so catch, finally, queueMicrotask and Promise.all's internals, which all call it),
//   process.nextTick and the timers wrap their callback in the caller's context;
// - `await p` reads `p.constructor` at the await, synchronously, in the awaiting function's
//   context: a getter there adds a reaction to p ahead of the await's own, which restores that
//   context just before the async function resumes.
// An `await` of a value that is not a promise (or a thenable's) is not observable: its continuation
// sees the ambient context, the one async run in flight or none while several are, or, in the
// jobs between a `restore` and its `clear`, that restore's context: another run's when several
// are in flight (Node keeps each run's; test/sandbox/async-local-storage.test.ts holds the case).

/** Each storage's store; never mutated once current. */
type Context = Map<AsyncLocalStorage, unknown>;
type Then = Promise<unknown>["then"];

let inside = false;
let current: Context | undefined; // undefined is the empty context.
let installed = false;
let then: Then;
/** Contexts of the runs whose promise has not settled, with how many of each. */
const inFlight = new Map<Context, number>();
const ambient = () => (inFlight.size === 1 ? inFlight.keys().next().value : undefined);

function runIn<R>(context: Context | undefined, fn: (...args: never[]) => R, thisArg: unknown, args: unknown[]): R {
  const previous = current;
  current = context;
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    current = previous;
  }
}

function bound<T>(fn: T, context = current): T {
  if (typeof fn !== "function") return fn;
  return function (this: unknown, ...args: unknown[]) {
    return runIn(context, fn as AnyFunction, this, args);
  } as T;
}

function install() {
  if (installed) return;
  installed = true;
  const proto = Promise.prototype;
  then = proto.then;
  const resolved = Promise.resolve();
  const restore = (context: Context | undefined) => () => {
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
  function wrappedThen(this: Promise<unknown>, onFulfilled: unknown, onRejected: unknown) {
    const context = current;
    inside = true;
    try {
      return then.call(this, bound(onFulfilled, context) as undefined, bound(onRejected, context) as undefined);
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
    get(this: unknown) {
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
    set(this: object, value: unknown) {
      Object.defineProperty(this, "constructor", { value, writable: true, configurable: true, enumerable: true });
    },
  });
  for (const name of ["setTimeout", "setInterval", "setImmediate"] as const) {
    const original: (fn: TimerCallback, ...rest: unknown[]) => GuestTimeout = globalThis[name];
    const wrapped = (fn: TimerCallback, ...rest: unknown[]) => original(bound(fn), ...rest);
    for (const key of Reflect.ownKeys(original)) {
      if (key !== "length" && key !== "name" && key !== "prototype") {
        Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key) as PropertyDescriptor);
      }
    }
    globalThis[name] = wrapped;
  }
  // process.nextTick's queue drains in one promise job (next-tick.ts), whose context is the first tick's: each tick keeps its own.
  const nextTick = globalThis.process.nextTick;
  globalThis.process.nextTick = (fn: (...args: unknown[]) => void, ...args: unknown[]) => nextTick(bound(fn), ...args);
}

export class AsyncLocalStorage {
  #enabled = true;
  constructor() {
    install();
  }
  static bind<T>(fn: T): T {
    return bound(fn);
  }
  static snapshot() {
    const context = current;
    return <R>(fn: (...args: never[]) => R, ...args: unknown[]): R => runIn(context, fn, undefined, args);
  }
  #with(store: unknown): Context {
    const context = new Map(current);
    context.set(this, store);
    return context;
  }
  getStore(): unknown {
    return this.#enabled ? current?.get(this) : undefined;
  }
  run<R>(store: unknown, fn: (...args: never[]) => R, ...args: unknown[]): R {
    this.#enabled = true;
    const context = this.#with(store);
    const result = runIn(context, fn, undefined, args);
    if (result instanceof Promise) track(context, result);
    return result;
  }
  exit<R>(fn: (...args: never[]) => R, ...args: unknown[]): R {
    if (!current?.has(this)) return Reflect.apply(fn, undefined, args);
    const context = new Map(current);
    context.delete(this);
    return runIn(context, fn, undefined, args);
  }
  enterWith(store: unknown): void {
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
function track(context: Context, promise: Promise<unknown>): void {
  inFlight.set(context, (inFlight.get(context) ?? 0) + 1);
  const done = () => {
    const left = (inFlight.get(context) as number) - 1;
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
  constructor(type: unknown) {
    if (typeof type !== "string") throw new TypeError('The "type" argument must be of type string');
    install();
  }
  runInAsyncScope<R>(fn: (...args: never[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    return runIn(this.#context, fn, thisArg, args);
  }
  bind<R>(fn: (...args: never[]) => R, thisArg?: unknown): (...args: unknown[]) => R {
    const resource = this;
    return function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(fn, thisArg ?? this, ...args);
    };
  }
  static bind<R>(fn: (...args: never[]) => R, type?: string, thisArg?: unknown): (...args: unknown[]) => R {
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
