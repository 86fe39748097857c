// node:http's Server without a socket to listen on. Frameworks make one when the app is made
// (fastify calls createServer in fastify()) and set its timeouts, but a function is handed its
// requests by an adapter and never listens: listen() throws, the rest behaves as an unstarted
// Node server. Adapters also dispatch to one (serverless-http emits 'request' on an http.Server).

/** node:events' EventEmitter, as far as Server uses it. */
interface Emitter {
  on(event: string, listener: (...args: never[]) => unknown): this;
  once(event: string, listener: (...args: never[]) => unknown): this;
  emit(event: string, ...args: unknown[]): boolean;
}

export function createServerClass(EventEmitter: new () => Emitter, protocol: string) {
  return class Server extends EventEmitter {
    declare listening: boolean;
    declare timeout: number;
    declare keepAliveTimeout: number;
    declare headersTimeout: number;
    declare requestTimeout: number;
    declare maxHeadersCount: number | null;
    declare maxRequestsPerSocket: number;

    constructor(options?: unknown, requestListener?: (...args: never[]) => unknown) {
      super();
      if (typeof options === "function") requestListener = options as (...args: never[]) => unknown;
      if (requestListener) this.on("request", requestListener);
      this.listening = false;
      this.timeout = 0;
      this.keepAliveTimeout = 5000;
      this.headersTimeout = 60000;
      this.requestTimeout = 300000;
      this.maxHeadersCount = null;
      this.maxRequestsPerSocket = 0;
    }
    listen() {
      throw Object.assign(new Error(`${protocol}.Server.listen is not available in isolambda: a function cannot listen`), {
        code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
      });
    }
    setTimeout(ms: number, callback?: () => void) {
      this.timeout = ms;
      if (callback) this.on("timeout", callback);
      return this;
    }
    /** Node's answer for a server that is not listening. */
    address() {
      return null;
    }
    close(callback?: unknown) {
      if (typeof callback === "function") {
        this.once("close", () => callback(Object.assign(new Error("Server is not running."), { code: "ERR_SERVER_NOT_RUNNING" })));
      }
      process.nextTick(() => this.emit("close"));
      return this;
    }
    closeAllConnections() {}
    closeIdleConnections() {}
    getConnections(callback: (error: null, count: number) => void) {
      process.nextTick(callback as (...args: unknown[]) => void, null, 0);
      return this;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
  };
}
