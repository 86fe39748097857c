// node:http's IncomingMessage with Node's header rules, which adapters rely on: they fill
// `rawHeaders` through `_addHeaderLines` (@codegenie/serverless-express, under
// @vendia/serverless-express) and read `headers`, which Node derives from the raw pairs on first
// use: names lowercased, `set-cookie` an array, `cookie` joined with "; ", the fields that may
// appear once keep their first value, the others joined with ", ".

import { functionClass } from "./function-class.js";

const kHeaders = Symbol("kHeaders");
const kHeadersCount = Symbol("kHeadersCount");
const kTrailers = Symbol("kTrailers");
const kTrailersCount = Symbol("kTrailersCount");
/** How runtime-patches.ts' streamCollector takes a response's body at once (see wholeBody below). */
const kWholeBody = Symbol.for("isolambda.wholeBody");

/** Node's matchKnownFields: fields whose duplicates Node drops. */
const SINGLE = new Set([
  "content-type",
  "content-length",
  "user-agent",
  "referer",
  "host",
  "authorization",
  "proxy-authorization",
  "if-modified-since",
  "if-unmodified-since",
  "from",
  "location",
  "max-forwards",
  "retry-after",
  "etag",
  "last-modified",
  "server",
  "age",
  "expires",
]);

/** Headers as Node gives them: a string per field, an array for set-cookie. */
type HeaderRecord = Record<string, string | string[]>;

interface HeaderLines {
  _addHeaderLine(field: unknown, value: string, dest: HeaderRecord): void;
}

/** `dest` with the pairs of `raw` (the first `count` entries) added as Node adds them. */
function headersOf(message: HeaderLines, raw: string[], count: number): HeaderRecord {
  const dest: HeaderRecord = {};
  for (let i = 0; i < count; i += 2) message._addHeaderLine(raw[i], raw[i + 1] as string, dest);
  return dest;
}

function distinct(raw: string[], count: number): Record<string, string[]> {
  const dest: Record<string, string[]> = {};
  for (let i = 0; i < count; i += 2) {
    const name = String(raw[i]).toLowerCase();
    if (dest[name] === undefined) dest[name] = [raw[i + 1] as string];
    else dest[name].push(raw[i + 1] as string);
  }
  return dest;
}

/** The socket an IncomingMessage is made with: a stand-in that may have setTimeout and destroy. */
interface Socket {
  destroyed?: boolean;
  setTimeout?(ms: number): unknown;
  destroy?(error?: unknown): unknown;
}

/** node:stream's Readable, as far as IncomingMessage uses it. */
interface ReadableBase {
  readonly readableEnded: boolean;
  readonly readableFlowing: boolean | null;
  readonly readableEncoding: string | null;
  readonly destroyed: boolean;
  readonly _readableState: { ended: boolean; readingMore: boolean };
  read(): unknown;
  once(event: string, listener: (...args: never[]) => unknown): this;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  removeAllListeners(event: string): this;
  resume(): this;
}
type ReadableClass = (new () => ReadableBase) & { call(self: object): void };

/** Node's IncomingMessage: a Readable of a message's body, made with the socket it came on (a stand-in here). */
export function createIncoming(Readable: ReadableClass) {
  class IncomingMessageBody extends Readable {
    declare socket: Socket | null;
    declare client: Socket | null;
    declare httpVersion: string | null;
    declare httpVersionMajor: number | null;
    declare httpVersionMinor: number | null;
    declare joinDuplicateHeaders: boolean;
    declare complete: boolean;
    declare aborted: boolean;
    declare _dumped: boolean;
    declare _consuming: boolean;
    declare upgrade: boolean | null;
    declare rawHeaders: string[];
    declare rawTrailers: string[];
    declare url: string;
    declare method: string | null;
    declare statusCode: number | null;
    declare statusMessage: string | null;
    declare [kHeaders]: HeaderRecord | null;
    declare [kHeadersCount]: number;
    declare [kTrailers]: HeaderRecord | null;
    declare [kTrailersCount]: number;

    get headers(): HeaderRecord {
      this[kHeaders] ??= headersOf(this, this.rawHeaders, this[kHeadersCount] || this.rawHeaders.length);
      return this[kHeaders];
    }
    set headers(value: HeaderRecord) {
      this[kHeaders] = value;
    }
    get headersDistinct() {
      return distinct(this.rawHeaders, this[kHeadersCount] || this.rawHeaders.length);
    }
    get trailers(): HeaderRecord {
      this[kTrailers] ??= headersOf(this, this.rawTrailers, this[kTrailersCount] || this.rawTrailers.length);
      return this[kTrailers];
    }
    set trailers(value: HeaderRecord) {
      this[kTrailers] = value;
    }
    get trailersDistinct() {
      return distinct(this.rawTrailers, this[kTrailersCount] || this.rawTrailers.length);
    }
    get connection() {
      return this.socket;
    }
    set connection(socket: Socket | null) {
      this.socket = socket;
    }
    _addHeaderLines(headers: string[] | undefined, n: number): void {
      if (!headers?.length) return;
      const trailers = this.complete;
      if (trailers) {
        this.rawTrailers = headers;
        this[kTrailersCount] = n;
      } else {
        this.rawHeaders = headers;
        this[kHeadersCount] = n;
      }
      const dest = trailers ? this[kTrailers] : this[kHeaders];
      if (dest) for (let i = 0; i < n; i += 2) this._addHeaderLine(headers[i], headers[i + 1] as string, dest);
    }
    _addHeaderLine(field: unknown, value: string, dest: HeaderRecord): void {
      const name = String(field).toLowerCase();
      if (name === "set-cookie") {
        if (dest[name] === undefined) dest[name] = [value];
        else (dest[name] as string[]).push(value);
      } else if (SINGLE.has(name) && !this.joinDuplicateHeaders) {
        if (dest[name] === undefined) dest[name] = value;
      } else if (typeof dest[name] === "string") {
        dest[name] += (name === "cookie" ? "; " : ", ") + value;
      } else {
        dest[name] = value;
      }
    }
    /** Node's: the first read ends the state set in the constructor; the body comes by push, whatever is asked. */
    _read() {
      if (!this._consuming) {
        this._readableState.readingMore = false;
        this._consuming = true;
      }
    }
    /** Node's: a response nobody reads (no 'response' listener, or its request destroyed) is read to its end and dropped. */
    _dump(): void {
      if (this._dumped) return;
      this._dumped = true;
      this.removeAllListeners("data");
      this.resume();
    }
    /**
     * Node's: a message destroyed before it was read to its end is 'aborted' and takes its socket
     * down with it; its error reaches only 'error' listeners there are.
     */
    _destroy(error: unknown, callback: (error?: unknown) => void): void {
      if (!this.readableEnded || !this.complete) {
        this.aborted = true;
        this.emit("aborted");
      }
      if (this.aborted && this.socket && !this.socket.destroyed) this.socket.destroy?.(error);
      process.nextTick(() => (this.listenerCount("error") === 0 ? callback() : callback(error)));
    }
    /**
     * The whole body, read, if it is all here and nothing reads the message yet (no listener,
     * never flowing, no encoding); else undefined. Reading it ends the message as reading it
     * through a pipe would ('end', then 'close'), for a fraction of a pipe's work in QuickJS.
     */
    [kWholeBody](): Uint8Array | undefined {
      if (!this.complete || !this._readableState.ended || this.readableFlowing !== null || this.destroyed) return undefined;
      if (this.readableEncoding !== null || this.listenerCount("data") > 0 || this.listenerCount("readable") > 0) return undefined;
      const body = this.read() as Uint8Array | null;
      if (body === null) return new Uint8Array(0);
      // Exactly the body's bytes, as the collector's concatenation would give.
      return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        ? new Uint8Array(body.buffer, 0, body.byteLength)
        : new Uint8Array(body);
    }
    setTimeout(ms: number, callback?: () => void) {
      if (callback) this.once("timeout", callback);
      this.socket?.setTimeout?.(ms);
      return this;
    }
  }
  return functionClass("IncomingMessage", IncomingMessageBody, function (socket: Socket | null) {
    Readable.call(this);
    // Node's: nothing to read ahead of a consumer (no maybeReadMore tick for each push).
    this._readableState.readingMore = true;
    this._consuming = false;
    this.socket = socket;
    this.client = socket;
    this.httpVersion = null;
    this.httpVersionMajor = null;
    this.httpVersionMinor = null;
    this.joinDuplicateHeaders = false;
    this.complete = false;
    this.aborted = false;
    this._dumped = false;
    this.upgrade = null;
    this.rawHeaders = [];
    this[kHeaders] = null;
    this[kHeadersCount] = 0;
    this.rawTrailers = [];
    this[kTrailers] = null;
    this[kTrailersCount] = 0;
    this.url = "";
    this.method = null;
    this.statusCode = null;
    this.statusMessage = null;
  });
}
