// node:http and node:https clients over the host's HTTP client (undici, bounded by the invocation's
// remaining time): ClientRequest (http-client.ts) collects the body and sends the request whole;
// IncomingMessage is a Readable of the answer, its body as the server sent it. No sockets exist in
// the sandbox: a server cannot listen, and the `socket` a request emits is a stand-in carrying the
// calls libraries make on one (http-socket.ts). STATUS_CODES and METHODS are http-codes.ts's.
// IncomingMessage and ServerResponse are also Node's server-side classes, which Lambda adapters
// (serverless-http) build a framework's request and response on.

import type EventEmitterClass from "events";
import type { StreamModule } from "readable-stream/lib/stream.js";
import type { BuiltinModules } from "../builtin-modules.js";
import type { FetchApi } from "../fetch.js";
import { createClientRequest } from "../http-client.js";
import { METHODS, STATUS_CODES } from "../http-codes.js";
import { createIncoming } from "../http-incoming.js";
import type { RequestOptions, ResponseCallback } from "../http-request-args.js";
import { createServerClass } from "../http-server.js";
import { createSocketClass } from "../http-socket.js";

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
  const outgoingClasses = outgoing.createOutgoing(Stream, STATUS_CODES);
  const { OutgoingMessage, ServerResponse } = outgoingClasses;
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

  const Socket = createSocketClass(EventEmitter, defaultProtocol);

  const IncomingMessage = createIncoming(Stream.Readable);

  const ClientRequest = createClientRequest(
    outgoingClasses,
    IncomingMessage,
    (hostname, port) => new Socket(hostname, port),
    defaultProtocol,
    globalAgent,
    fetchApi,
  );

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
