// The Node.js built-in modules a handler can require or import, each built inside the sandbox from
// a bundled library under builtins/ on first use: never the host's module. A name Node knows and
// this table lacks fails with an error naming it; adding a module is one line here (and its file).
// The table is a bundle itself, evaluated by the first require of a built-in, so that a handler
// requiring none does not parse it at every cold start.
import type { GuestConfig, HostCapabilities } from "../../shared/guest-protocol.js";
import type { Builtin, BuiltinModules } from "../builtin-modules.js";
import { PERFORMANCE_CLASSES } from "../perf-classes.js";
import type { StreamModule } from "./stream.js";
import type { WebCrypto } from "./web-globals.js";

/** What a built-in is made with. */
interface Context {
  /** Evaluates a builtins/ bundle once per environment. */
  load: Builtin;
  config: GuestConfig;
  webcrypto: () => WebCrypto;
  makeRequire: (dir: string) => unknown;
  host: HostCapabilities;
  fetchApi: () => FetchApi;
  /** Another built-in, by its name without `node:`. */
  nodeBuiltin: (name: string) => unknown;
}

type FetchApi = ReturnType<BuiltinModules["fetch"]["createFetch"]>;

/** Built-in name → how to make it. */
const NODE_BUILTINS: Record<string, (context: Context) => unknown> = {
  assert: ({ load }) => load("assert").default,
  "assert/strict": ({ load }) => load("assert").default.strict,
  async_hooks: ({ load }) => load("async-hooks"),
  buffer: ({ load }) => ({
    ...load("buffer"),
    atob: globalThis.atob,
    btoa: globalThis.btoa,
    // The globals', read at use: their bundle loads only for a handler that asks.
    get Blob() {
      return globalThis.Blob;
    },
    get File() {
      return globalThis.File;
    },
  }),
  console: ({ load }) => {
    // Node's console module is the global console, which carries the Console class.
    const console = globalThis.console;
    if (!Object.hasOwn(console, "Console")) {
      Object.defineProperty(console, "Console", {
        value: load("console").createConsoleClass(load),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return console;
  },
  crypto: ({ load, webcrypto, host }) => load("crypto").createCrypto(webcrypto(), load, host),
  dns: ({ load }) => load("sockets").createDns(),
  "dns/promises": ({ nodeBuiltin }) => (nodeBuiltin("dns") as { promises: unknown }).promises,
  dgram: ({ load }) => load("sockets").createDgram(load("events").default),
  diagnostics_channel: ({ load }) => load("diagnostics-channel").default,
  events: ({ load }) => load("events").default,
  // node:fs over the host's file system operations (src/sandbox/executor/file-system.ts): the package and
  // layers read-only, the environment's own /tmp.
  fs: ({ load, host, nodeBuiltin }) => load("fs").createFs(host, () => nodeBuiltin("stream") as StreamModule),
  "fs/promises": ({ nodeBuiltin }) => (nodeBuiltin("fs") as { promises: unknown }).promises,
  http: ({ load, nodeBuiltin, fetchApi }) => load("http").createHttp(nodeBuiltin, "http:", load("http-outgoing"), fetchApi),
  https: ({ load, nodeBuiltin, fetchApi }) => load("http").createHttp(nodeBuiltin, "https:", load("http-outgoing"), fetchApi),
  // Without sockets: they load (axios requires them), and connecting or listening throws.
  http2: ({ load }) => load("sockets").createHttp2(),
  module: ({ load, makeRequire }) => load("module").createModule(makeRequire),
  net: ({ load }) => load("sockets").createNet(),
  os: ({ load, config }) => load("os").createOs(config),
  path: ({ load }) => load("path").default,
  "path/posix": ({ load }) => load("path").default,
  // The classes are the globals', read at use: their bundle loads only for a handler that asks.
  perf_hooks: () =>
    Object.defineProperties(
      { performance: globalThis.performance },
      Object.fromEntries(
        PERFORMANCE_CLASSES.map((name) => [
          name,
          { enumerable: true, get: () => (globalThis as unknown as Record<string, unknown>)[name] },
        ]),
      ),
    ),
  process: () => globalThis.process,
  punycode: ({ load }) => load("punycode").default,
  querystring: ({ load }) => load("querystring").default,
  stream: ({ load }) => load("stream").default,
  "stream/promises": ({ load }) => load("stream").default.promises,
  "stream/consumers": ({ load }) => load("stream").consumers,
  "stream/web": ({ load }) => ({ ...load("stream-web") }),
  string_decoder: ({ load }) => load("string-decoder"),
  sys: ({ nodeBuiltin }) => nodeBuiltin("util"),
  // Read at each use: AsyncLocalStorage wraps the global timers when it is first made.
  timers: ({ nodeBuiltin }) => ({
    get setTimeout() {
      return globalThis.setTimeout;
    },
    get setInterval() {
      return globalThis.setInterval;
    },
    get setImmediate() {
      return globalThis.setImmediate;
    },
    clearTimeout: globalThis.clearTimeout,
    clearInterval: globalThis.clearInterval,
    clearImmediate: globalThis.clearImmediate,
    get promises() {
      return nodeBuiltin("timers/promises");
    },
  }),
  "timers/promises": ({ load }) => load("timers-promises"),
  tls: ({ load }) => load("sockets").createTls(),
  // Lambda's output is a log stream, never a terminal: colour libraries ask this and stay plain.
  tty: () => ({ isatty: () => false, ReadStream: class ReadStream {}, WriteStream: class WriteStream {} }),
  url: ({ load }) => load("url-legacy").default,
  // Lambda never builds a V8 startup snapshot (SnapStart snapshots the whole environment): koa asks.
  v8: () => ({
    startupSnapshot: {
      // Node answers with its flag's value, 0.
      isBuildingSnapshot: () => 0,
      addSerializeCallback() {},
      addDeserializeCallback() {},
      setDeserializeMainFunction() {},
    },
  }),
  util: ({ load }) => load("util").createUtil(load),
  "util/types": ({ nodeBuiltin }) => (nodeBuiltin("util") as { types: unknown }).types,
  // The one thread a handler runs on: pino asks at load time whether it is the main one. A Worker
  // would need a thread of its own, which the sandbox does not give.
  worker_threads: () => ({
    isMainThread: true,
    threadId: 0,
    parentPort: null,
    workerData: null,
    resourceLimits: {},
    // The globals', read at use: their bundle loads only for a handler that asks.
    get MessageChannel() {
      return globalThis.MessageChannel;
    },
    get MessagePort() {
      return globalThis.MessagePort;
    },
    get BroadcastChannel() {
      return globalThis.BroadcastChannel;
    },
    Worker: class Worker {
      constructor() {
        throw Object.assign(new Error("new worker_threads.Worker() is not available in isolambda: the sandbox runs one thread"), {
          code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
        });
      }
    },
  }),
  zlib: ({ load, host }) => load("zlib").createZlib(host),
};

/** `requireBuiltin(name)` for names without `node:`; one instance of each per environment. */
export function createNodeBuiltins({
  builtin,
  config,
  webcrypto,
  makeRequire,
  host,
  fetchApi,
}: Omit<Context, "load" | "nodeBuiltin"> & { builtin: Builtin }): (name: string) => unknown {
  const made = new Map<string, unknown>();
  const context: Context = { load: builtin, config, webcrypto, makeRequire, host, fetchApi, nodeBuiltin: (name) => requireBuiltin(name) };
  function requireBuiltin(name: string): unknown {
    if (!made.has(name)) {
      const make = Object.hasOwn(NODE_BUILTINS, name) ? NODE_BUILTINS[name] : undefined;
      if (!make) {
        throw Object.assign(new Error(`Module "node:${name}" is not available in isolambda`), { code: "ERR_UNKNOWN_BUILTIN_MODULE" });
      }
      made.set(name, make(context));
    }
    return made.get(name);
  }
  return requireBuiltin;
}
