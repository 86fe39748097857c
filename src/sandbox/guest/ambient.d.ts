// The globals guest code finds beyond ES2023: what QuickJS adds itself, and what the runtime installs
// (console.ts, timers.ts, globals.ts, response-stream.ts, the lazy globals). The guest is not Node and
// not a browser, so neither @types/node nor the DOM library describes it; these are the shapes the
// runtime's own code relies on, not Node's whole API.

/** Node's Timeout, as timers.ts makes it. */
interface GuestTimeout {
  ref(): GuestTimeout;
  unref(): GuestTimeout;
  hasRef(): boolean;
  refresh(): GuestTimeout;
  [Symbol.toPrimitive](): number;
}

type TimerCallback = (...args: unknown[]) => unknown;
/** Any function at all, to be called or constructed through Reflect. */
type AnyFunction = (...args: never[]) => unknown;

declare var setTimeout: (fn: TimerCallback, ms?: unknown, ...args: unknown[]) => GuestTimeout;
declare var setInterval: (fn: TimerCallback, ms?: unknown, ...args: unknown[]) => GuestTimeout;
declare var setImmediate: (fn: TimerCallback, ...args: unknown[]) => GuestTimeout;
declare var clearTimeout: (handle: unknown) => void;
declare var clearInterval: (handle: unknown) => void;
declare var clearImmediate: (handle: unknown) => void;
declare var queueMicrotask: (fn: () => void) => void;

interface GuestConsole {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
  trace(...args: unknown[]): void;
  dir(value: unknown): void;
  table(value: unknown): void;
  assert(condition: unknown, ...args: unknown[]): void;
  count(label?: string): void;
  countReset(label?: string): void;
  time(label?: string): void;
  timeLog(label?: string, ...args: unknown[]): void;
  timeEnd(label?: string): void;
  group(...args: unknown[]): void;
  groupEnd(): void;
}
declare var console: GuestConsole;

/** process as globals.ts builds it; built-ins add to it. */
interface GuestProcess {
  env: Record<string, string | undefined>;
  version: string;
  versions: Record<string, string>;
  platform: string;
  arch: string;
  pid: number;
  argv: string[];
  execArgv: string[];
  exitCode: number | string | undefined;
  cwd(): string;
  uptime(): number;
  hrtime: { (previous?: [number, number]): [number, number]; bigint(): bigint };
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void;
  emitWarning(...args: unknown[]): void;
  exit(code?: number | string): never;
  on(...args: unknown[]): GuestProcess;
  once(...args: unknown[]): GuestProcess;
  off(...args: unknown[]): GuestProcess;
  removeListener(...args: unknown[]): GuestProcess;
  listenerCount(...args: unknown[]): number;
  [key: string | symbol]: unknown;
}
declare var process: GuestProcess;
declare var performance: { now(): number; timeOrigin: number };
declare var global: typeof globalThis;

/** Lambda's `awslambda` global (response-stream.ts, snapstart.ts). */
interface AwsLambdaGlobal {
  streamifyResponse<T extends object>(handler: T, options?: { highWaterMark?: unknown }): T;
  readonly HttpResponseStream: unknown;
  registerBeforeSnapshot?: (hook: unknown) => void;
  registerAfterRestore?: (hook: unknown) => void;
}
declare var awslambda: AwsLambdaGlobal;

interface TextEncoderEncodeIntoResult {
  read: number;
  written: number;
}
interface TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): TextEncoderEncodeIntoResult;
}
declare var TextEncoder: { new (): TextEncoder; prototype: TextEncoder };

/** ES2024's, which QuickJS has and this TypeScript's ES2023 library does not. */
interface String {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** QuickJS's errors carry where they were raised; V8's stack trace API is stack.ts's. */
interface Error {
  fileName?: string;
  lineNumber?: number;
  columnNumber?: number;
}
interface ErrorConstructor {
  captureStackTrace(target: object, constructorOpt?: AnyFunction): void;
  prepareStackTrace?: (error: Error, frames: unknown[]) => unknown;
  stackTraceLimit: number;
}

/** The capability object as a built-in bundle sees it: a parameter of the function that evaluates it (lazy.ts). */
declare const isolambdaHost: import("../shared/guest-protocol.js").HostCapabilities;

/** esbuild's require of a bundled package, for a module that evaluates it only on first use. */
declare function require(name: string): unknown;

// The lazy globals (globals.ts), as their bundles define them.
declare var URL: typeof import("./builtins/url.js").URL;
declare var URLSearchParams: typeof import("./builtins/url.js").URLSearchParams;
declare var TextDecoder: ReturnType<typeof import("./encoding.js").utf8Decoder>;
declare var AbortController: typeof import("./builtins/abort.js").AbortController;
declare var Buffer: typeof import("buffer").Buffer;
declare var ReadableStream: typeof import("./builtins/stream-web.js").ReadableStream;
declare var Blob: typeof import("./builtins/blob.js").Blob;
declare var File: typeof import("./builtins/blob.js").File;
declare var btoa: (data: unknown) => string;
declare var atob: (data: unknown) => string;
declare var crypto: import("./builtins/web-globals.js").WebCrypto;
declare var DOMException: typeof import("./builtins/dom-exception.js").DOMException;
declare var EventTarget: typeof import("./builtins/abort.js").EventTarget;
declare var Event: typeof import("./builtins/abort.js").Event;
declare var MessageChannel: ReturnType<typeof import("./builtins/messaging.js").createMessaging>["MessageChannel"];
declare var MessagePort: ReturnType<typeof import("./builtins/messaging.js").createMessaging>["MessagePort"];
declare var BroadcastChannel: ReturnType<typeof import("./builtins/messaging.js").createMessaging>["BroadcastChannel"];
declare var FormData: typeof import("./builtins/form-data.js").FormData;
declare var structuredClone: typeof import("./builtins/structured-clone.js").structuredClone;
// Their instances' types, by the same names.
type URL = import("./builtins/url.js").URL;
type URLSearchParams = import("./builtins/url.js").URLSearchParams;
type Buffer = import("buffer").Buffer;
type ReadableStream<R = unknown> = import("./builtins/stream-web.js").ReadableStream<R>;
type Blob = import("./builtins/blob.js").Blob;

/** The `string_decoder` package, node:string_decoder as Node's own code (builtins/string-decoder.ts); it ships no types. */
declare module "string_decoder" {
  export class StringDecoder {
    constructor(encoding?: string);
    readonly encoding: string;
    write(buffer: string | Uint8Array): string;
    end(buffer?: string | Uint8Array): string;
  }
}
