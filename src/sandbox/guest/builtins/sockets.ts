// net, tls, http2 and dns without sockets: the sandbox has none (http and https go through the
// host's fetch, which resolves names itself). Real packages require these at load time and open a socket only on some paths (axios
// requires http2 and, through https-proxy-agent, net and tls; they are used for a proxy or an
// HTTP/2 session), so the modules load, their pure helpers work, and whatever would open or serve a
// connection throws an error naming what is missing.

import type EventEmitter from "events";

function unavailable(name: string): () => never {
  return () => {
    throw Object.assign(new Error(`${name} is not available in isolambda: the sandbox has no sockets`), {
      code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
    });
  };
}

/** A class whose construction throws: `instanceof` checks against it still work. */
function unavailableClass(name: string): new (...args: unknown[]) => object {
  const fail = unavailable(`new ${name}()`);
  return class {
    constructor() {
      fail();
    }
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv6(input: unknown): boolean {
  const text = String(input).replace(/%[0-9A-Za-z._~-]+$/, "");
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.includes(":::")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  const last = groups.at(-1);
  const hasV4 = last?.includes(".");
  if (hasV4 && !IPV4.test(last as string)) return false;
  const hexGroups = hasV4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const size = hexGroups.length + (hasV4 ? 2 : 0);
  return halves.length === 2 ? size < 8 : size === 8;
}

export function createNet() {
  const isIPv4 = (input: unknown) => IPV4.test(String(input));
  const Socket = unavailableClass("net.Socket");
  return {
    isIPv4,
    isIPv6,
    isIP: (input: unknown) => (isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0),
    Socket,
    Stream: Socket,
    Server: unavailableClass("net.Server"),
    connect: unavailable("net.connect"),
    createConnection: unavailable("net.createConnection"),
    createServer: unavailable("net.createServer"),
    getDefaultAutoSelectFamily: () => true,
    setDefaultAutoSelectFamily: () => {},
  };
}

/** Node's dns error codes, which libraries compare an error's `code` with. */
const DNS_CODES = [
  "NODATA",
  "FORMERR",
  "SERVFAIL",
  "NOTFOUND",
  "NOTIMP",
  "REFUSED",
  "BADQUERY",
  "BADNAME",
  "BADFAMILY",
  "BADRESP",
  "CONNREFUSED",
  "TIMEOUT",
  "EOF",
  "FILE",
  "NOMEM",
  "DESTRUCTION",
  "BADSTR",
  "BADFLAGS",
  "NONAME",
  "BADHINTS",
  "NOTINITIALIZED",
  "LOADIPHLPAPI",
  "ADDRGETNETWORKPARAMS",
  "CANCELLED",
];

const RESOLVE_METHODS = [
  "resolve",
  "resolve4",
  "resolve6",
  "resolveAny",
  "resolveCaa",
  "resolveCname",
  "resolveMx",
  "resolveNaptr",
  "resolveNs",
  "resolvePtr",
  "resolveSoa",
  "resolveSrv",
  "resolveTxt",
  "reverse",
];

interface LookupOptions {
  all?: boolean;
}
/** An address dns.lookup finds: an IP address is its own. */
interface Address {
  address: unknown;
  family: number;
}
type LookupCallback = (error: Error | null, found: unknown, family?: number) => void;

/**
 * Frameworks require node:dns at load time for a listen() a function never makes (fastify). An IP
 * address looks up to itself without a query, as in Node; a name needs a resolver the sandbox lacks.
 */
export function createDns() {
  const { isIP } = createNet();
  function literal(hostname: unknown, options: LookupOptions | undefined): Address | Address[] {
    const family = isIP(hostname);
    if (family === 0) unavailable(`dns.lookup("${hostname}")`)();
    return options?.all ? [{ address: hostname, family }] : { address: hostname, family };
  }
  function lookup(hostname: unknown, options: LookupOptions | LookupCallback, callback: LookupCallback) {
    if (typeof options === "function") [options, callback] = [{}, options];
    const found = literal(hostname, options);
    queueMicrotask(() => (Array.isArray(found) ? callback(null, found) : callback(null, found.address, found.family)));
  }
  const resolvers = Object.fromEntries(RESOLVE_METHODS.map((name) => [name, unavailable(`dns.${name}`)]));
  const codes = Object.fromEntries(DNS_CODES.map((code) => [code, `E${code}`]));
  const promises = {
    ...resolvers,
    ...codes,
    lookup: async (hostname: unknown, options?: LookupOptions) => literal(hostname, options),
    Resolver: unavailableClass("dns.promises.Resolver"),
  };
  return {
    ...resolvers,
    ...codes,
    lookup,
    lookupService: unavailable("dns.lookupService"),
    Resolver: unavailableClass("dns.Resolver"),
    getServers: () => [],
    setServers() {},
    getDefaultResultOrder: () => "verbatim",
    setDefaultResultOrder() {},
    ADDRCONFIG: 1024,
    V4MAPPED: 2048,
    ALL: 256,
    promises,
  };
}

/** Node's internal wrapper of a JavaScript stream as a socket's handle: never made here, as nothing can connect. */
const JSStreamSocket = unavailableClass("JSStreamSocket");

/**
 * A TLS socket over a stream the caller gives never negotiates here, but making one succeeds as in
 * Node: http2-wrapper (and so got) makes one at load time only to reach the class of its
 * `_handle._parentWrap`, which it uses for proxies alone. Without a stream it would connect: that throws.
 */
class TLSSocket {
  declare _handle: { _parentWrap: object };
  constructor(socket: unknown) {
    if (typeof (socket as { pipe?: unknown } | undefined)?.pipe !== "function") unavailable("new tls.TLSSocket()")();
    this._handle = { _parentWrap: Object.create(JSStreamSocket.prototype) };
  }
}
for (const name of ["connect", "write", "end", "setServername", "renegotiate"]) {
  (TLSSocket.prototype as unknown as Record<string, unknown>)[name] = unavailable(`tls.TLSSocket.${name}`);
}

export function createTls() {
  return {
    TLSSocket,
    Server: unavailableClass("tls.Server"),
    // got imports it by name; it checks a peer's certificate, which no connection here ever has.
    checkServerIdentity: unavailable("tls.checkServerIdentity"),
    connect: unavailable("tls.connect"),
    createServer: unavailable("tls.createServer"),
    createSecureContext: unavailable("tls.createSecureContext"),
    getCiphers: () => [],
    rootCertificates: Object.freeze([]),
    DEFAULT_ECDH_CURVE: "auto",
    DEFAULT_MIN_VERSION: "TLSv1.2",
    DEFAULT_MAX_VERSION: "TLSv1.3",
  };
}

/**
 * UDP without sockets. The X-Ray SDK (and so Powertools' tracer) requires node:dgram at load time
 * to reach Lambda's X-Ray daemon; isolambda's trace header says Sampled=0, so it sends nothing. A
 * datagram that is sent anyway fails through its callback (or an `error` event), as a send does in Node.
 */
export function createDgram(Emitter: typeof EventEmitter) {
  class Socket extends Emitter {
    send(...args: unknown[]) {
      const callback = typeof args.at(-1) === "function" ? (args.at(-1) as (error: Error) => void) : undefined;
      const error = Object.assign(new Error("dgram.Socket.send is not available in isolambda: the sandbox has no sockets"), {
        code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
      });
      queueMicrotask(() => (callback ? callback(error) : this.emit("error", error)));
    }
    close(callback?: () => void) {
      if (callback) this.once("close", callback);
      queueMicrotask(() => this.emit("close"));
      return this;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
  }
  for (const name of ["bind", "connect", "address", "remoteAddress", "addMembership", "setBroadcast"]) {
    (Socket.prototype as unknown as Record<string, unknown>)[name] = unavailable(`dgram.Socket.${name}`);
  }
  return {
    Socket,
    createSocket: (options: string | { type?: string } | undefined, listener?: GuestListener) => {
      const type = typeof options === "string" ? options : options?.type;
      if (type !== "udp4" && type !== "udp6") {
        throw Object.assign(new TypeError(`Bad socket type specified. Valid types are: udp4, udp6`), { code: "ERR_SOCKET_BAD_TYPE" });
      }
      const socket = new Socket();
      if (listener) socket.on("message", listener);
      return socket;
    },
  };
}

/** Node's http2.constants for the pseudo-headers and methods, which clients read at load time. */
const HTTP2_CONSTANTS = {
  HTTP2_HEADER_STATUS: ":status",
  HTTP2_HEADER_METHOD: ":method",
  HTTP2_HEADER_AUTHORITY: ":authority",
  HTTP2_HEADER_SCHEME: ":scheme",
  HTTP2_HEADER_PATH: ":path",
  HTTP2_HEADER_PROTOCOL: ":protocol",
  HTTP2_HEADER_CONTENT_TYPE: "content-type",
  HTTP2_HEADER_CONTENT_LENGTH: "content-length",
  HTTP2_HEADER_AUTHORIZATION: "authorization",
  HTTP2_HEADER_USER_AGENT: "user-agent",
  HTTP2_METHOD_GET: "GET",
  HTTP2_METHOD_POST: "POST",
  HTTP2_METHOD_PUT: "PUT",
  HTTP2_METHOD_DELETE: "DELETE",
  HTTP2_METHOD_PATCH: "PATCH",
  HTTP2_METHOD_HEAD: "HEAD",
  HTTP2_METHOD_OPTIONS: "OPTIONS",
  HTTP_STATUS_OK: 200,
  NGHTTP2_CANCEL: 8,
};

export function createHttp2() {
  return {
    constants: { ...HTTP2_CONSTANTS },
    connect: unavailable("http2.connect"),
    createServer: unavailable("http2.createServer"),
    createSecureServer: unavailable("http2.createSecureServer"),
    getDefaultSettings: () => ({}),
    sensitiveHeaders: Symbol.for("nodejs.http2.sensitiveHeaders"),
  };
}
