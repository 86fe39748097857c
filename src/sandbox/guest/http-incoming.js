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

/** `dest` with the pairs of `raw` (the first `count` entries) added as Node adds them. */
function headersOf(message, raw, count) {
  const dest = {};
  for (let i = 0; i < count; i += 2) message._addHeaderLine(raw[i], raw[i + 1], dest);
  return dest;
}

function distinct(raw, count) {
  const dest = {};
  for (let i = 0; i < count; i += 2) {
    const name = String(raw[i]).toLowerCase();
    if (dest[name] === undefined) dest[name] = [raw[i + 1]];
    else dest[name].push(raw[i + 1]);
  }
  return dest;
}

/** Node's IncomingMessage: a Readable of a message's body, made with the socket it came on (a stand-in here). */
export function createIncoming(Readable) {
  class IncomingMessageBody extends Readable {
    get headers() {
      this[kHeaders] ??= headersOf(this, this.rawHeaders, this[kHeadersCount] || this.rawHeaders.length);
      return this[kHeaders];
    }
    set headers(value) {
      this[kHeaders] = value;
    }
    get headersDistinct() {
      return distinct(this.rawHeaders, this[kHeadersCount] || this.rawHeaders.length);
    }
    get trailers() {
      this[kTrailers] ??= headersOf(this, this.rawTrailers, this[kTrailersCount] || this.rawTrailers.length);
      return this[kTrailers];
    }
    set trailers(value) {
      this[kTrailers] = value;
    }
    get trailersDistinct() {
      return distinct(this.rawTrailers, this[kTrailersCount] || this.rawTrailers.length);
    }
    get connection() {
      return this.socket;
    }
    set connection(socket) {
      this.socket = socket;
    }
    _addHeaderLines(headers, n) {
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
      if (dest) for (let i = 0; i < n; i += 2) this._addHeaderLine(headers[i], headers[i + 1], dest);
    }
    _addHeaderLine(field, value, dest) {
      const name = String(field).toLowerCase();
      if (name === "set-cookie") {
        if (dest[name] === undefined) dest[name] = [value];
        else dest[name].push(value);
      } else if (SINGLE.has(name) && !this.joinDuplicateHeaders) {
        if (dest[name] === undefined) dest[name] = value;
      } else if (typeof dest[name] === "string") {
        dest[name] += (name === "cookie" ? "; " : ", ") + value;
      } else {
        dest[name] = value;
      }
    }
    _read() {}
    setTimeout(ms, callback) {
      if (callback) this.once("timeout", callback);
      this.socket?.setTimeout?.(ms);
      return this;
    }
  }
  return functionClass("IncomingMessage", IncomingMessageBody, function (socket) {
    Readable.call(this);
    this.socket = socket;
    this.client = socket;
    this.httpVersion = null;
    this.httpVersionMajor = null;
    this.httpVersionMinor = null;
    this.joinDuplicateHeaders = false;
    this.complete = false;
    this.aborted = false;
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
