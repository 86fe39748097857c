// node:http's Server without a socket to listen on. Frameworks make one when the app is made
// (fastify calls createServer in fastify()) and set its timeouts, but a function is handed its
// requests by an adapter and never listens: listen() throws, the rest behaves as an unstarted
// Node server. Adapters also dispatch to one (serverless-http emits 'request' on an http.Server).

export function createServerClass(EventEmitter, protocol) {
  return class Server extends EventEmitter {
    constructor(options, requestListener) {
      super();
      if (typeof options === "function") requestListener = options;
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
    setTimeout(ms, callback) {
      this.timeout = ms;
      if (callback) this.on("timeout", callback);
      return this;
    }
    /** Node's answer for a server that is not listening. */
    address() {
      return null;
    }
    close(callback) {
      if (typeof callback === "function") {
        this.once("close", () => callback(Object.assign(new Error("Server is not running."), { code: "ERR_SERVER_NOT_RUNNING" })));
      }
      process.nextTick(() => this.emit("close"));
      return this;
    }
    closeAllConnections() {}
    closeIdleConnections() {}
    getConnections(callback) {
      process.nextTick(callback, null, 0);
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
