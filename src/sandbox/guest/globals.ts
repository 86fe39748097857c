// The globals a Lambda Node.js handler expects, built inside the sandbox. Nothing here hands
// out a host object: every capability is a narrow host function taking and returning plain values.
import type { GuestConfig, HostCapabilities } from "../shared/guest-protocol.js";
import type { Builtin, BuiltinModules } from "./builtin-modules.js";
import type { WebCrypto } from "./builtins/web-globals.js";
import { stackMapper } from "./error-text.js";
import { defineLazy } from "./lazy.js";
import { createNextTick } from "./next-tick.js";
import { PERFORMANCE_CLASSES } from "./perf-classes.js";
import { quietListeners } from "./quiet-listeners.js";
import { installStackTraceApi } from "./stack.js";

/** process and performance: they carry the function's configuration, so they are set at INIT. */
export function installProcess(host: HostCapabilities, builtin: Builtin, config: GuestConfig): void {
  const startedAt = host.now();
  const hrtime = (previous?: [number, number]): [number, number] => {
    const ns = BigInt(Math.round(host.now() * 1e6));
    const now: [number, number] = [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
    if (!previous) return now;
    const diff = (now[0] - previous[0]) * 1e9 + (now[1] - previous[1]);
    return [Math.floor(diff / 1e9), diff % 1e9];
  };
  hrtime.bigint = () => BigInt(Math.round(host.now() * 1e6));
  globalThis.process = {
    env: config.env,
    version: config.nodeVersion,
    versions: { node: config.nodeVersion.slice(1) },
    platform: "linux",
    arch: "x64",
    pid: 1,
    argv: ["/var/lang/bin/node", "/var/runtime/index.mjs"],
    execArgv: [],
    cwd: () => "/var/task",
    uptime: () => (host.now() - startedAt) / 1000,
    hrtime,
    nextTick: createNextTick(),
    emitWarning: () => {},
    exitCode: undefined,
    // Lambda's runtime ends with the process (Runtime.ExitError) and the next invocation starts cold:
    // the host stops the guest at its next interrupt check, which the loop below reaches at once.
    exit(code?: number | string): never {
      host.exit(Number(code ?? globalThis.process.exitCode ?? 0) & 0xff);
      for (;;);
    },
    ...quietListeners,
    // Listeners given to `on` are not kept (process events do not happen here); depd asks before it warns.
    listenerCount: () => 0,
    // Object.prototype.toString gives "[object process]" in Node; libraries test it to know they run
    // in Node (axios picks its http adapter over fetch that way).
    [Symbol.toStringTag]: "process",
  };
  // Lambda keeps what is written to stdout and stderr as is, without console's prefix.
  for (const [name, fd] of [
    ["stdout", 1],
    ["stderr", 2],
  ] as const) {
    let stream: unknown;
    Object.defineProperty(globalThis.process, name, {
      enumerable: true,
      get: () => {
        stream ??= builtin("stdio").createOutput(fd, (text: string) => host.log("", text));
        return stream;
      },
    });
  }
  // At INIT: whether stack traces are source-mapped is the function's NODE_OPTIONS.
  installStackTraceApi(builtin, stackMapper(host, config.env));
  const performance = { now: () => host.now() - config.timeOrigin, timeOrigin: config.timeOrigin };
  performanceBase = performance;
  // The rest of Node's performance (mark, measure, getEntries...) is its class's, whose bundle loads
  // at the first look-up of anything else on the object, and then becomes its prototype.
  Object.setPrototypeOf(
    performance,
    new Proxy(
      {},
      {
        get: (_target, key, receiver) => Reflect.get(loadPerformance(builtin).Performance.prototype, key, receiver),
        has: (_target, key) => key in loadPerformance(builtin).Performance.prototype,
      },
    ),
  );
  globalThis.performance = performance;
}

/** The global performance INIT made, for the classes' bundle (builtins/performance.ts). */
let performanceBase: { now(): number; timeOrigin: number } | undefined;
const loadPerformance = (builtin: Builtin) => builtin("performance").install(performanceBase ?? { now: () => 0, timeOrigin: 0 });

/** The WHATWG stream classes Node 20 has as globals, all from node:stream/web. */
const WEB_STREAMS: readonly (keyof BuiltinModules["stream-web"])[] = [
  "ReadableStream",
  "ReadableStreamDefaultReader",
  "ReadableStreamBYOBReader",
  "ReadableStreamBYOBRequest",
  "ReadableByteStreamController",
  "ReadableStreamDefaultController",
  "TransformStream",
  "TransformStreamDefaultController",
  "WritableStream",
  "WritableStreamDefaultWriter",
  "WritableStreamDefaultController",
  "ByteLengthQueuingStrategy",
  "CountQueuingStrategy",
  "TextEncoderStream",
  "TextDecoderStream",
  "CompressionStream",
  "DecompressionStream",
];

export function installGlobals(host: HostCapabilities, builtin: Builtin): { webcrypto: () => WebCrypto } {
  globalThis.global = globalThis;
  // crypto, btoa and atob live in a bundle of their own, evaluated when first touched.
  let web: ReturnType<BuiltinModules["web-globals"]["createWebGlobals"]> | undefined;
  const webGlobals = () => {
    web ??= builtin("web-globals").createWebGlobals(host, builtin);
    return web;
  };
  defineLazy("crypto", () => webGlobals().crypto);
  defineLazy("btoa", () => webGlobals().btoa);
  defineLazy("atob", () => webGlobals().atob);
  defineLazy("Buffer", () => builtin("buffer").Buffer);
  defineLazy("TextEncoder", () => builtin("encoding").utf8Encoder(builtin));
  defineLazy("TextDecoder", () => builtin("encoding").utf8Decoder());
  defineLazy("URL", () => builtin("url").URL);
  defineLazy("URLSearchParams", () => builtin("url").URLSearchParams);
  defineLazy("Blob", () => builtin("blob")?.Blob);
  defineLazy("File", () => builtin("blob")?.File);
  defineLazy("FormData", () => builtin("form-data").FormData);
  for (const name of ["AbortController", "AbortSignal", "EventTarget", "Event", "CustomEvent"] as const) {
    defineLazy(name, () => builtin("abort")?.[name]);
  }
  // Web Crypto's classes: Crypto is the global crypto's (its bundle), the others the crypto bundle's.
  defineLazy("Crypto", () => webGlobals().Crypto);
  defineLazy("SubtleCrypto", () => builtin("crypto").SubtleCrypto);
  defineLazy("CryptoKey", () => builtin("crypto").CryptoKey);
  defineLazy("DOMException", () => builtin("dom-exception").DOMException);
  defineLazy("structuredClone", () => builtin("structured-clone").structuredClone);
  let messaging: ReturnType<BuiltinModules["messaging"]["createMessaging"]> | undefined;
  for (const name of ["MessageChannel", "MessagePort", "MessageEvent", "BroadcastChannel"] as const) {
    defineLazy(name, () => {
      messaging ??= builtin("messaging").createMessaging(builtin("abort"));
      return messaging[name];
    });
  }
  for (const name of PERFORMANCE_CLASSES) defineLazy(name, () => loadPerformance(builtin)[name]);
  defineLazy("Intl", () => builtin("intl").intl);
  for (const name of WEB_STREAMS) defineLazy(name, () => builtin("stream-web")?.[name]);
  installLocaleMethods(() => builtin("intl").localeMethods);
  return { webcrypto: () => webGlobals().crypto };
}

/** QuickJS's locale methods ignore locales; these go through Intl, whose bundle loads at their first call. */
interface LocaleMethods {
  number(value: unknown, locales: unknown, options: unknown): string;
  date(value: unknown, locales: unknown, options: unknown, which: "any" | "date" | "time"): string;
  compare(value: unknown, that: unknown, locales: unknown, options: unknown): number;
}

function installLocaleMethods(intl: () => LocaleMethods): void {
  const define = (proto: object, methods: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(methods)) Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  };
  const number = {
    toLocaleString(this: unknown, locales: unknown, options: unknown) {
      return intl().number(this, locales, options);
    },
  };
  define(Number.prototype, number);
  define(BigInt.prototype, number);
  define(Date.prototype, {
    toLocaleString(this: unknown, locales: unknown, options: unknown) {
      return intl().date(this, locales, options, "any");
    },
    toLocaleDateString(this: unknown, locales: unknown, options: unknown) {
      return intl().date(this, locales, options, "date");
    },
    toLocaleTimeString(this: unknown, locales: unknown, options: unknown) {
      return intl().date(this, locales, options, "time");
    },
  });
  define(String.prototype, {
    localeCompare(this: unknown, that: unknown, locales: unknown, options: unknown) {
      return intl().compare(this, that, locales, options);
    },
  });
}
