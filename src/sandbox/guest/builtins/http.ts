// node:http and node:https clients over the host's HTTP client (undici, bounded by the invocation's
// remaining time): ClientRequest is a Writable collecting the body, sent at end(); IncomingMessage
// is a Readable of the answer, its body as the server sent it. No sockets exist in the sandbox: a
// server cannot listen, and the `socket` a request emits is a stand-in carrying the calls libraries
// make on one (setTimeout, setNoDelay). STATUS_CODES and METHODS are http-codes.ts's.
// IncomingMessage and ServerResponse are also Node's server-side classes, which Lambda adapters
// (serverless-http) build a framework's request and response on.

import type EventEmitterClass from "events";
import type { StreamModule } from "readable-stream/lib/stream.js";
import type { BuiltinModules } from "../builtin-modules.js";
import type { FetchApi } from "../fetch.js";
import { METHODS, STATUS_CODES } from "../http-codes.js";
import { createIncoming } from "../http-incoming.js";
import { createServerClass } from "../http-server.js";

/** The bytes of a body chunk, whatever a library wrote. */
function bytesOf(chunk: unknown, encoding?: string): Uint8Array {
  if (typeof chunk === "string") return Buffer.from(chunk, encoding);
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk));
}

/** http.request's options, the ones used here. */
interface RequestOptions {
  protocol?: string;
  hostname?: string;
  host?: string;
  port?: string | number;
  path?: string;
  auth?: string;
  method?: unknown;
  headers?: Record<string, unknown>;
  agent?: unknown;
  timeout?: number;
  signal?: GuestSignal;
}

type ResponseCallback = (response: never) => unknown;

/** `(url | URL | options)[, options][, callback]` as http.request takes them, as one URL and options. */
function normalize(
  defaultProtocol: string,
  input: unknown,
  options: RequestOptions | ResponseCallback | undefined,
  callback: ResponseCallback | undefined,
) {
  if (typeof options === "function") [options, callback] = [undefined, options];
  let base: RequestOptions = {};
  if (typeof input === "string" || input instanceof URL) {
    const url = new URL(String(input));
    base = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: `${url.pathname}${url.search}`,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
    };
  } else if (input !== null && typeof input === "object") {
    options = { ...(input as RequestOptions), ...options };
  }
  const merged: RequestOptions = { ...base, ...options };
  const protocol = merged.protocol ?? defaultProtocol;
  const hostname = merged.hostname ?? (merged.host ?? "localhost").replace(/:\d+$/, "");
  const port = merged.port || (merged.host?.match(/:(\d+)$/)?.[1] ?? "");
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { merged, callback, url: `${protocol}//${host}${port ? `:${port}` : ""}${merged.path ?? "/"}`, protocol, hostname, port };
}

/** http.Agent's options; the rest are kept as given. */
interface AgentOptions {
  keepAlive?: boolean;
  maxSockets?: number;
  maxFreeSockets?: number;
  [option: string]: unknown;
}

/** `outgoing` is the http-outgoing bundle: OutgoingMessage and ServerResponse. */
/** `fetchApi()` is the environment's fetch, whose `exchange` carries a request to the host and its answer back. */
export function createHttp(
  nodeBuiltin: (name: string) => unknown,
  defaultProtocol: string,
  outgoing: BuiltinModules["http-outgoing"],
  fetchApi: () => FetchApi,
) {
  const Stream = nodeBuiltin("stream") as StreamModule;
  const { Readable, Writable } = Stream;
  const { OutgoingMessage, ServerResponse } = outgoing.createOutgoing(Stream, STATUS_CODES);
  const { EventEmitter } = nodeBuiltin("events") as { EventEmitter: typeof EventEmitterClass };

  class Agent extends EventEmitter {
    declare options: AgentOptions;
    declare keepAlive: boolean;
    declare maxSockets: number;
    declare maxFreeSockets: number;
    declare defaultPort: number;
    declare protocol: string;
    declare sockets: object;
    declare freeSockets: object;
    declare requests: object;
    constructor(options: AgentOptions = {}) {
      super();
      this.options = { ...options };
      this.keepAlive = options.keepAlive === true;
      this.maxSockets = options.maxSockets ?? Number.POSITIVE_INFINITY;
      this.maxFreeSockets = options.maxFreeSockets ?? 256;
      this.defaultPort = defaultProtocol === "https:" ? 443 : 80;
      this.protocol = defaultProtocol;
      this.sockets = {};
      this.freeSockets = {};
      this.requests = {};
    }
    destroy() {}
  }
  const globalAgent = new Agent({ keepAlive: true });

  /** What a library may ask of a request's socket; the host's fetch owns the real connection. */
  class Socket extends EventEmitter {
    declare remoteAddress: string;
    declare remotePort: number | undefined;
    declare connecting: boolean;
    declare destroyed: boolean;
    declare encrypted: boolean;
    constructor(remoteAddress: string, remotePort: unknown) {
      super();
      this.remoteAddress = remoteAddress;
      this.remotePort = Number(remotePort) || undefined;
      this.connecting = false;
      this.destroyed = false;
      this.encrypted = defaultProtocol === "https:";
    }
    setTimeout(_ms: unknown, callback?: () => void) {
      if (callback) this.once("timeout", callback);
      return this;
    }
    setNoDelay() {
      return this;
    }
    setKeepAlive() {
      return this;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    destroy() {
      this.destroyed = true;
      return this;
    }
  }

  const IncomingMessage = createIncoming(Readable);

  /** The host's answer as the IncomingMessage a ClientRequest emits: its body as it came, compressed or not, as Node's is. */
  function incomingResponse(status: number, pairs: [string, string][], socket: Socket) {
    const message = new IncomingMessage(socket) as ClientIncoming;
    for (const [name, value] of pairs) message.rawHeaders.push(name, value);
    message.statusCode = status;
    // The server's reason phrase does not reach the host; the standard one stands in.
    message.statusMessage = STATUS_CODES[status] || "";
    message.httpVersion = "1.1";
    message.httpVersionMajor = 1;
    message.httpVersionMinor = 1;
    return message;
  }

  /** The answer a ClientRequest emits, with the request it answers. */
  type ClientIncoming = InstanceType<typeof IncomingMessage> & { req: ClientRequest; push(chunk: unknown): boolean };

  class ClientRequest extends Writable {
    declare method: string;
    declare path: string;
    declare host: string;
    declare protocol: string;
    declare agent: unknown;
    declare reusedSocket: boolean;
    declare aborted: boolean;
    declare finished: boolean;
    declare headersSent: boolean;
    declare socket: Socket;
    declare connection: Socket;
    declare timer: GuestTimeout | undefined;
    declare res: ClientIncoming;
    #chunks: Uint8Array[] = [];
    /** Lowercased name → the name as set and its value. */
    #headers = new Map<string, [string, unknown]>();
    #url: string;
    #controller = new AbortController();
    constructor(input: unknown, options?: RequestOptions | ResponseCallback, callback?: ResponseCallback) {
      // Not destroyed at finish: the answer comes after the body is written.
      super({ decodeStrings: false, autoDestroy: false });
      const { merged, callback: cb, url, hostname, port } = normalize(defaultProtocol, input, options, callback);
      this.#url = url;
      this.method = String(merged.method ?? "GET").toUpperCase();
      this.path = merged.path ?? "/";
      this.host = hostname;
      this.protocol = merged.protocol ?? defaultProtocol;
      this.agent = merged.agent ?? globalAgent;
      this.reusedSocket = false;
      this.aborted = false;
      this.finished = false;
      this.headersSent = false;
      for (const [name, value] of Object.entries(merged.headers ?? {})) if (value !== undefined) this.setHeader(name, value);
      if (merged.auth && !this.hasHeader("authorization"))
        this.setHeader("Authorization", `Basic ${Buffer.from(merged.auth).toString("base64")}`);
      if (cb) this.once("response", cb);
      this.socket = new Socket(hostname, port);
      this.connection = this.socket;
      if (merged.timeout) this.setTimeout(merged.timeout);
      if (merged.signal) merged.signal.addEventListener("abort", () => this.destroy((merged.signal as GuestSignal).reason), { once: true });
      queueMicrotask(() => this.emit("socket", this.socket));
    }
    setHeader(name: unknown, value: unknown) {
      if (this.headersSent)
        throw Object.assign(new Error("Cannot set headers after they are sent to the client"), { code: "ERR_HTTP_HEADERS_SENT" });
      this.#headers.set(String(name).toLowerCase(), [String(name), value]);
      return this;
    }
    getHeader(name: unknown) {
      return this.#headers.get(String(name).toLowerCase())?.[1];
    }
    hasHeader(name: unknown) {
      return this.#headers.has(String(name).toLowerCase());
    }
    removeHeader(name: unknown) {
      this.#headers.delete(String(name).toLowerCase());
    }
    getHeaders() {
      return Object.fromEntries([...this.#headers].map(([key, [, value]]) => [key, value]));
    }
    getHeaderNames() {
      return [...this.#headers.keys()];
    }
    getRawHeaderNames() {
      return [...this.#headers.values()].map(([name]) => name);
    }
    flushHeaders() {}
    setNoDelay() {}
    setSocketKeepAlive() {}
    setTimeout(ms: number, callback?: () => void) {
      if (callback) this.once("timeout", callback);
      clearTimeout(this.timer);
      if (ms > 0) this.timer = setTimeout(() => this.emit("timeout"), ms);
      return this;
    }
    abort() {
      if (this.aborted) return;
      this.aborted = true;
      queueMicrotask(() => this.emit("abort"));
      this.destroy();
    }
    _write(chunk: unknown, encoding: string, callback: () => void) {
      this.#chunks.push(bytesOf(chunk, encoding));
      callback();
    }
    _final(callback: () => void) {
      this.finished = true;
      this.headersSent = true;
      this.#send();
      callback();
    }
    _destroy(error: unknown, callback: (error: unknown) => void) {
      clearTimeout(this.timer);
      this.#controller.abort();
      callback(error);
    }
    #send() {
      const headers: [string, string][] = [];
      for (const [name, value] of this.#headers.values()) {
        for (const one of Array.isArray(value) ? value : [value]) headers.push([name, String(one)]);
      }
      const chunks = this.#chunks;
      const body = chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const whole = body === undefined || (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength);
      const bytes = (
        whole
          ? body?.buffer
          : (body as Uint8Array).buffer.slice(
              (body as Uint8Array).byteOffset,
              (body as Uint8Array).byteOffset + (body as Uint8Array).byteLength,
            )
      ) as ArrayBuffer | undefined;
      fetchApi()
        .exchange(this.#url, this.method, headers, bytes)
        .then(
          (answer) => {
            clearTimeout(this.timer);
            if (this.destroyed) return;
            const message = incomingResponse(answer.status, answer.headers, this.socket);
            message.req = this;
            this.res = message;
            this.emit("response", message);
            if (answer.body.byteLength > 0) message.push(Buffer.from(answer.body));
            message.complete = true;
            message.push(null);
            queueMicrotask(() => this.emit("close"));
          },
          (error) => {
            clearTimeout(this.timer);
            if (this.destroyed) return;
            // Node's message is the connection's own ("connect ECONNREFUSED 127.0.0.1:9"), not fetch's wrapping of it.
            const text = String((error as Error | undefined)?.message ?? error).replace(/^(fetch failed: )+/, "");
            const code =
              /ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.exec(text)?.[0] ??
              (/aborted|timeout/i.test(text) ? "ETIMEDOUT" : "ECONNRESET");
            this.destroy(Object.assign(new Error(text), { code }));
          },
        );
    }
  }

  const request = (input: unknown, options?: RequestOptions | ResponseCallback, callback?: ResponseCallback) =>
    new ClientRequest(input, options, callback);
  const get = (input: unknown, options?: RequestOptions | ResponseCallback, callback?: ResponseCallback) => {
    const req = request(input, options, callback);
    req.end();
    return req;
  };
  const Server = createServerClass(EventEmitter, defaultProtocol.slice(0, -1));
  return {
    Agent,
    globalAgent,
    ClientRequest,
    IncomingMessage,
    OutgoingMessage,
    ServerResponse,
    request,
    get,
    METHODS,
    STATUS_CODES,
    maxHeaderSize: 16384,
    createServer: (options?: unknown, requestListener?: (...args: never[]) => unknown) => new Server(options, requestListener),
    Server,
    validateHeaderName() {},
    validateHeaderValue() {},
    setMaxIdleHTTPParsers() {},
  };
}

export { METHODS, STATUS_CODES };
