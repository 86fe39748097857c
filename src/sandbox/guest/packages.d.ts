// The packages the guest's bundles import that ship no types of their own, as far as the guest
// uses them. esbuild bundles the package's JavaScript; these say what that code is called with.

/** A listener any emitter takes: its arguments are whatever the event carries. */
type GuestListener = (...args: never[]) => unknown;

/** An AbortSignal as the APIs that take one use it (events.on, timers/promises). */
interface GuestSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** The `events` package's EventEmitter (Node's, for other engines); events.ts adds Node's later statics. */
declare module "events" {
  class EventEmitter {
    static defaultMaxListeners: number;
    static on: unknown;
    static errorMonitor: symbol;
    static captureRejectionSymbol: symbol;
    static getEventListeners: (emitter: EventEmitter, name: string | symbol) => GuestListener[];
    static getMaxListeners: (emitter: EventEmitter) => number;
    static setMaxListeners: (n?: number, ...emitters: EventEmitter[]) => void;
    static listenerCount: (emitter: EventEmitter, name: string | symbol) => number;
    static addAbortListener: (signal: GuestSignal, listener: () => void) => object;
    _events?: Record<string | symbol, unknown>;
    on(event: string | symbol, listener: GuestListener): this;
    once(event: string | symbol, listener: GuestListener): this;
    prependListener(event: string | symbol, listener: GuestListener): this;
    prependOnceListener(event: string | symbol, listener: GuestListener): this;
    off(event: string | symbol, listener: GuestListener): this;
    addListener(event: string | symbol, listener: GuestListener): this;
    removeListener(event: string | symbol, listener: GuestListener): this;
    removeAllListeners(event?: string | symbol): this;
    emit(event: string | symbol, ...args: unknown[]): boolean;
    listeners(event: string | symbol): GuestListener[];
    listenerCount(event: string | symbol): number;
    getMaxListeners(): number;
    setMaxListeners(n: number): this;
  }
  export default EventEmitter;
}

/** readable-stream's entry: node:stream's Stream, its classes and helpers as properties; the part the guest's own code uses. */
declare module "readable-stream/lib/stream.js" {
  import EventEmitter from "events";

  type Callback = (error?: unknown) => void;
  export class Readable extends EventEmitter {
    constructor(options?: object);
    readable: boolean;
    readonly readableEnded: boolean;
    readonly readableFlowing: boolean | null;
    readonly readableEncoding: string | null;
    readonly _readableState: { ended: boolean; readingMore: boolean };
    destroyed: boolean;
    read(size?: number): unknown;
    push(chunk: unknown, encoding?: string): boolean;
    destroy(error?: unknown): this;
    pipe<T>(destination: T, options?: object): T;
    resume(): this;
    [Symbol.asyncIterator](): AsyncIterator<unknown>;
  }
  export class Writable extends EventEmitter {
    constructor(options?: object);
    writable: boolean;
    destroyed: boolean;
    writableEnded: boolean;
    writableFinished: boolean;
    write(chunk: unknown, encoding?: unknown, callback?: Callback): boolean;
    end(chunk?: unknown, encoding?: unknown, callback?: Callback): this;
    destroy(error?: unknown): this;
  }
  export class Duplex extends Readable {
    writable: boolean;
    write(chunk: unknown, encoding?: unknown, callback?: Callback): boolean;
    end(chunk?: unknown, encoding?: unknown, callback?: Callback): this;
  }
  export class PassThrough extends Duplex {}
  /** The legacy Stream, node:stream itself: an EventEmitter with pipe. */
  export class LegacyStream extends EventEmitter {
    constructor(options?: object);
    pipe<T>(destination: T, options?: object): T;
  }
  export interface StreamModule {
    new (options?: object): LegacyStream;
    Readable: typeof Readable;
    Writable: typeof Writable;
    Duplex: typeof Duplex;
    PassThrough: typeof PassThrough;
    promises: object;
    [key: string]: unknown;
  }
  const Stream: StreamModule;
  export default Stream;
}

declare module "querystring-es3" {
  const qs: { stringify(query: unknown, sep?: string, eq?: string, options?: unknown): string };
  export default qs;
}

/** Node's util.parseArgs, before allowNegative. */
declare module "@pkgjs/parseargs" {
  export interface OptionConfig {
    type?: string;
    [key: string]: unknown;
  }
  export interface ParseArgsConfig {
    options?: Record<string, OptionConfig | undefined>;
    tokens?: boolean;
    allowNegative?: boolean;
    [key: string]: unknown;
  }
  export type Token =
    | { kind: "option"; name: string; rawName: string; index: number; value?: string; inlineValue?: boolean }
    | { kind: "positional"; index: number; value: string }
    | { kind: "option-terminator"; index: number };
  export interface ParseArgsResult {
    values: Record<string, unknown>;
    positionals: string[];
    tokens?: Token[];
  }
  export function parseArgs(config: ParseArgsConfig): ParseArgsResult;
}

declare module "object-inspect" {
  export default function inspect(value: unknown, options?: Record<string, unknown>): string;
}

declare module "event-target-shim" {
  export class Event<TEventType extends string = string> {
    constructor(type: TEventType, init?: { bubbles?: boolean; cancelable?: boolean; composed?: boolean });
    readonly type: TEventType;
    readonly defaultPrevented: boolean;
    preventDefault(): void;
    stopPropagation(): void;
    stopImmediatePropagation(): void;
  }
  export type EventListener = ((event: Event) => unknown) | { handleEvent(event: Event): unknown };
  export class EventTarget {
    addEventListener(
      type: string,
      listener?: EventListener | null,
      options?: boolean | { once?: boolean; passive?: boolean; signal?: unknown },
    ): void;
    removeEventListener(type: string, listener?: EventListener | null, options?: boolean | { capture?: boolean }): void;
    dispatchEvent(event: Event): boolean;
  }
  export function getEventAttributeValue(target: EventTarget, type: string): EventListener | null;
  export function setEventAttributeValue(target: EventTarget, type: string, callback: EventListener | null): void;
}

/** node:diagnostics_channel's module: channels by name, whatever the library asks of them. */
declare module "dc-polyfill" {
  const diagnosticsChannel: Record<string, unknown>;
  export default diagnosticsChannel;
}

declare module "punycode/" {
  const punycode: {
    toASCII(domain: string): string;
    toUnicode(domain: string): string;
    [key: string]: unknown;
  };
  export default punycode;
}

declare module "@ungap/structured-clone" {
  export function serialize(value: unknown, options?: unknown): unknown;
  export function deserialize(serialized: unknown): unknown;
}

/** Node's path.posix. */
declare module "path-browserify" {
  interface Path {
    resolve(...paths: string[]): string;
    posix: Path;
    [key: string]: unknown;
  }
  const path: Path;
  export default path;
}

/** node:assert: a function with the assertions as its properties. */
declare module "assert" {
  const assert: ((value: unknown, message?: unknown) => void) & { strict: unknown; [key: string]: unknown };
  export default assert;
}

declare module "assert/build/internal/util/comparisons.js" {
  const comparisons: { isDeepStrictEqual(a: unknown, b: unknown): boolean };
  export default comparisons;
}

/** The `url` package: Node's legacy url.parse, format and resolve. */
declare module "url" {
  const url: {
    Url: unknown;
    parse(...args: unknown[]): unknown;
    resolve(from: string, to: string): string;
    resolveObject(...args: unknown[]): unknown;
    format(urlObject: unknown): string;
  };
  export default url;
}
