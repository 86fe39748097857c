// WHATWG Request and Response as handlers and web frameworks use them (hono/aws-lambda and
// Powertools' event handler turn every event into a Request and read a Response back). The sandbox
// has no WHATWG streams: a body is held whole, and `body` is a small stand-in for a ReadableStream
// of that one chunk (getReader().read(), async iteration), which Request and Response accept back,
// as frameworks do when they re-wrap a response (`new Response(res.body, res)`).
import { BLOB_BYTES, MULTIPART, PARSE_FORM } from "./body-symbols.js";
import { Headers, type HeadersInit } from "./web-headers.js";

const BYTES = Symbol("bytes");

/** The global FormData's static parser (builtins/form-data.ts). */
interface FormDataStatics {
  [PARSE_FORM](bytes: Uint8Array, contentType: string | null): unknown;
}

type Chunk = { done: true; value: undefined } | { done: false; value: Uint8Array };

/** The one-chunk body stream; reading it or handing it to a new Request/Response disturbs it. */
class BodyStream {
  readonly #bytes: Uint8Array;
  readonly #owner: Body;
  constructor(bytes: Uint8Array, owner: Body) {
    this.#bytes = bytes;
    this.#owner = owner;
  }
  get locked() {
    return this.#owner.bodyUsed;
  }
  /** The bytes, once: the owner's body is used from then on. */
  [BYTES](): Uint8Array {
    if (this.#owner.bodyUsed) throw new TypeError("ReadableStream is locked or disturbed");
    this.#owner.markUsed();
    return this.#bytes;
  }
  getReader() {
    let pending: Uint8Array | undefined = this[BYTES]();
    return {
      read: (): Promise<Chunk> => {
        const chunk = pending;
        pending = undefined;
        return Promise.resolve<Chunk>(
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
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const reader = this.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
  }
}

/** A body init's bytes and the content type it implies (fetch's "extract a body"). */
function extractBody(body: unknown): { bytes: Uint8Array | null; type: string | null } {
  if (body == null) return { bytes: null, type: null };
  if (body instanceof BodyStream) return { bytes: body[BYTES](), type: null };
  if (typeof body === "string") return { bytes: new TextEncoder().encode(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof URLSearchParams) {
    return { bytes: new TextEncoder().encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body.slice(0)), type: null };
  if (ArrayBuffer.isView(body))
    return { bytes: new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer), type: null };
  // A FormData's and a Blob's own methods (their bundles load only when code makes one).
  const held = body as { [MULTIPART]?: () => { bytes: Uint8Array; type: string }; [BLOB_BYTES]?: () => Uint8Array; type?: string };
  if (typeof held[MULTIPART] === "function") return held[MULTIPART]();
  if (typeof held[BLOB_BYTES] === "function") return { bytes: held[BLOB_BYTES](), type: held.type || null };
  return { bytes: new TextEncoder().encode(String(body)), type: "text/plain;charset=UTF-8" };
}

class Body {
  #bytes!: Uint8Array | null;
  #headers!: Headers;
  #used = false;
  #stream: BodyStream | undefined;
  /** Sets the body from an init value; a content type it implies is added unless one is set. */
  initBody(body: unknown, headers: Headers): void {
    const { bytes, type } = extractBody(body);
    this.#bytes = bytes;
    this.#headers = headers;
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  }
  get bodyUsed() {
    return this.#used;
  }
  markUsed() {
    this.#used = true;
  }
  get body(): BodyStream | null {
    if (this.#bytes === null) return null;
    this.#stream ??= new BodyStream(this.#bytes, this);
    return this.#stream;
  }
  /** The bytes for a clone or for fetch, without using the body. */
  peekBytes(): Uint8Array | null {
    if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
    return this.#bytes;
  }
  #consume(): Promise<Uint8Array> {
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    return Promise.resolve(this.#bytes ?? new Uint8Array(0));
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#consume().then((b) => b.slice().buffer as ArrayBuffer);
  }
  bytes(): Promise<Uint8Array> {
    return this.#consume().then((b) => b.slice());
  }
  text(): Promise<string> {
    return this.#consume().then((b) => new TextDecoder().decode(b));
  }
  json(): Promise<unknown> {
    return this.text().then(JSON.parse);
  }
  /** The FormData of a multipart/form-data or application/x-www-form-urlencoded body. */
  formData(): Promise<unknown> {
    const type = this.#headers.get("content-type");
    return this.#consume().then((bytes) => (FormData as unknown as FormDataStatics)[PARSE_FORM](bytes, type));
  }
  blob(): Promise<Blob> {
    const type = this.#headers.get("content-type") ?? "";
    return this.#consume().then((bytes) => new Blob([bytes], { type }));
  }
}

/** Methods fetch normalises to upper case; any other keeps its case. */
const NORMALISED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** fetch's RequestInit, as far as Request reads it. */
export interface RequestInit {
  method?: unknown;
  headers?: HeadersInit;
  body?: unknown;
  signal?: unknown;
  redirect?: string;
  credentials?: string;
  mode?: string;
  cache?: string;
  referrerPolicy?: string;
  integrity?: string;
  keepalive?: boolean;
}

export class Request extends Body {
  declare url: string;
  declare method: string;
  declare headers: Headers;
  declare signal: unknown;
  declare redirect: string;
  declare credentials: string;
  declare mode: string;
  declare cache: string;
  declare referrer: string;
  declare referrerPolicy: string;
  declare integrity: string;
  declare keepalive: boolean;
  declare destination: string;
  declare duplex: string;

  constructor(input: unknown, init: RequestInit = {}) {
    super();
    const source = input instanceof Request ? input : undefined;
    let url: string;
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
  clone(): Request {
    return new Request(this);
  }
  get [Symbol.toStringTag]() {
    return "Request";
  }
}

/** The response's header pairs as received (set-cookie kept apart), for node:http's IncomingMessage. */
export const RAW_HEADERS = Symbol.for("isolambda.rawHeaders");
export const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** fetch's ResponseInit, and a received response's raw header pairs. */
export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
  url?: string;
  [RAW_HEADERS]?: [string, string][];
}

export class Response extends Body {
  declare [RAW_HEADERS]?: [string, string][];
  declare status: number;
  declare statusText: string;
  declare headers: Headers;
  declare url: string;
  declare ok: boolean;
  declare redirected: boolean;
  declare type: string;

  constructor(body: unknown = null, init: ResponseInit = {}) {
    super();
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    if (body != null && NULL_BODY_STATUSES.has(status)) throw new TypeError(`Response constructor: Invalid response status code ${status}`);
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
  clone(): Response {
    return new Response(this.peekBytes()?.slice() ?? null, this);
  }
  static json(data: unknown, init: ResponseInit = {}): Response {
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(JSON.stringify(data), { ...init, headers });
  }
  static redirect(url: unknown, status = 302): Response {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError(`Invalid status code ${status}`);
    return new Response(null, { status, headers: { location: new URL(String(url)).href } });
  }
  static error(): Response {
    const response = new Response(null, { status: 200 });
    Object.assign(response, { status: 0, ok: false, type: "error" });
    return response;
  }
  get [Symbol.toStringTag]() {
    return "Response";
  }
}
