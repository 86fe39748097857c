// WHATWG Request and Response as handlers and web frameworks use them (hono/aws-lambda and
// Powertools' event handler turn every event into a Request and read a Response back). The sandbox
// has no WHATWG streams: a body is held whole, and `body` is a small stand-in for a ReadableStream
// of that one chunk (getReader().read(), async iteration), which Request and Response accept back,
// as frameworks do when they re-wrap a response (`new Response(res.body, res)`).
import { Headers } from "./web-headers.js";

const BYTES = Symbol("bytes");

/** The one-chunk body stream; reading it or handing it to a new Request/Response disturbs it. */
class BodyStream {
  #bytes;
  #owner;
  constructor(bytes, owner) {
    this.#bytes = bytes;
    this.#owner = owner;
  }
  get locked() {
    return this.#owner.bodyUsed;
  }
  /** The bytes, once: the owner's body is used from then on. */
  [BYTES]() {
    if (this.#owner.bodyUsed) throw new TypeError("ReadableStream is locked or disturbed");
    this.#owner.markUsed();
    return this.#bytes;
  }
  getReader() {
    let pending = this[BYTES]();
    return {
      read: () => {
        const chunk = pending;
        pending = undefined;
        return Promise.resolve(
          chunk === undefined || chunk.byteLength === 0 ? { done: true, value: undefined } : { done: false, value: chunk },
        );
      },
      releaseLock: () => {},
      cancel: () => {
        pending = undefined;
        return Promise.resolve();
      },
      closed: Promise.resolve(),
    };
  }
  cancel() {
    if (!this.#owner.bodyUsed) this.#owner.markUsed();
    return Promise.resolve();
  }
  async *[Symbol.asyncIterator]() {
    const reader = this.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
  }
}

/** A body init's bytes and the content type it implies (fetch's "extract a body"). */
function extractBody(body) {
  if (body == null) return { bytes: null, type: null };
  if (body instanceof BodyStream) return { bytes: body[BYTES](), type: null };
  if (typeof body === "string") return { bytes: new TextEncoder().encode(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof URLSearchParams) {
    return { bytes: new TextEncoder().encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body.slice(0)), type: null };
  if (ArrayBuffer.isView(body))
    return { bytes: new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), type: null };
  return { bytes: new TextEncoder().encode(String(body)), type: "text/plain;charset=UTF-8" };
}

class Body {
  #bytes;
  #used = false;
  #stream;
  /** Sets the body from an init value; a content type it implies is added unless one is set. */
  initBody(body, headers) {
    const { bytes, type } = extractBody(body);
    this.#bytes = bytes;
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  }
  get bodyUsed() {
    return this.#used;
  }
  markUsed() {
    this.#used = true;
  }
  get body() {
    if (this.#bytes === null) return null;
    this.#stream ??= new BodyStream(this.#bytes, this);
    return this.#stream;
  }
  /** The bytes for a clone or for fetch, without using the body. */
  peekBytes() {
    if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
    return this.#bytes;
  }
  #consume() {
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    return Promise.resolve(this.#bytes ?? new Uint8Array(0));
  }
  arrayBuffer() {
    return this.#consume().then((b) => b.slice().buffer);
  }
  bytes() {
    return this.#consume().then((b) => b.slice());
  }
  text() {
    return this.#consume().then((b) => new TextDecoder().decode(b));
  }
  json() {
    return this.text().then(JSON.parse);
  }
  formData() {
    return Promise.reject(new TypeError("FormData is not available in isolambda"));
  }
  blob() {
    return Promise.reject(new TypeError("Blob is not available in isolambda"));
  }
}

/** Methods fetch normalises to upper case; any other keeps its case. */
const NORMALISED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

export class Request extends Body {
  constructor(input, init = {}) {
    super();
    const source = input instanceof Request ? input : undefined;
    let url;
    try {
      url = source ? source.url : new URL(String(input)).href;
    } catch {
      throw new TypeError(`Failed to parse URL from ${String(input)}`);
    }
    let method = String(init.method ?? source?.method ?? "GET");
    if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError(`'${method}' HTTP method is unsupported.`);
    if (NORMALISED_METHODS.has(method.toUpperCase())) method = method.toUpperCase();
    const body = init.body !== undefined ? init.body : source?.peekBytes();
    if (body != null && (method === "GET" || method === "HEAD")) throw new TypeError("Request with GET/HEAD method cannot have body.");
    this.url = url;
    this.method = method;
    this.headers = new Headers(init.headers ?? source?.headers);
    this.initBody(body, this.headers);
    this.signal = init.signal ?? source?.signal ?? new AbortController().signal;
    this.redirect = init.redirect ?? source?.redirect ?? "follow";
    this.credentials = init.credentials ?? source?.credentials ?? "same-origin";
    this.mode = init.mode ?? source?.mode ?? "cors";
    this.cache = init.cache ?? source?.cache ?? "default";
    this.referrer = "about:client";
    this.referrerPolicy = init.referrerPolicy ?? "";
    this.integrity = init.integrity ?? "";
    this.keepalive = init.keepalive ?? false;
    this.destination = "";
    this.duplex = "half";
  }
  clone() {
    return new Request(this);
  }
  get [Symbol.toStringTag]() {
    return "Request";
  }
}

/** The response's header pairs as received (set-cookie kept apart), for node:http's IncomingMessage. */
export const RAW_HEADERS = Symbol.for("isolambda.rawHeaders");
export const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export class Response extends Body {
  constructor(body = null, init = {}) {
    super();
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    if (body != null && NULL_BODY_STATUSES.has(status)) throw new TypeError("Response constructor: Invalid response status code " + status);
    if (init[RAW_HEADERS]) this[RAW_HEADERS] = init[RAW_HEADERS];
    this.status = status;
    this.statusText = init.statusText ?? "";
    this.headers = new Headers(init.headers);
    this.initBody(body, this.headers);
    this.url = init.url ?? "";
    this.ok = status >= 200 && status < 300;
    this.redirected = false;
    this.type = "default";
  }
  clone() {
    return new Response(this.peekBytes()?.slice() ?? null, this);
  }
  static json(data, init = {}) {
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(JSON.stringify(data), { ...init, headers });
  }
  static redirect(url, status = 302) {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError(`Invalid status code ${status}`);
    return new Response(null, { status, headers: { location: new URL(String(url)).href } });
  }
  static error() {
    const response = new Response(null, { status: 200 });
    Object.assign(response, { status: 0, ok: false, type: "error" });
    return response;
  }
  get [Symbol.toStringTag]() {
    return "Response";
  }
}
