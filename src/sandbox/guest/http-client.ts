// node:http's ClientRequest over the host's HTTP client. As in Node it is an OutgoingMessage, not
// a Writable: the body is collected as written and the whole request crosses to the host once it
// has ended and its socket is assigned, and the answer (head and body) comes back in one crossing.
// The socket is a stand-in, assigned on the next tick as the Agent assigns a pooled one; Node's
// events keep Node's order around it: 'socket', then 'prefinish' and the request's send, write
// callbacks and 'finish' a tick later (a write to a connected socket), 'response', and 'close'
// once the response has ended (the socket going back to the pool) or the socket was destroyed.
// Without a Writable's state machine underneath, a request costs QuickJS a few emits and ticks.

import type { BuiltinModules } from "./builtin-modules.js";
import type { FetchApi, RawAnswer } from "./fetch.js";
import { STATUS_CODES } from "./http-codes.js";
import type { createIncoming } from "./http-incoming.js";
import { bodyBuffer, bytesOf, normalize, type OutHeaders, pairsOf, type ResponseCallback } from "./http-request-args.js";
import { kSocketDestroyed, type OutgoingMessageSocket, type StandInSocket } from "./http-socket.js";

type Outgoing = ReturnType<BuiltinModules["http-outgoing"]["createOutgoing"]>;
type Callback = (error?: unknown) => void;

const nop = () => {};

function codeError(message: string, code: string, Type: ErrorConstructor = Error): Error {
  return Object.assign(new Type(message), { code });
}

/** What Node gives a request whose socket closed under it. */
const connReset = (message: string) => codeError(message, "ECONNRESET");

type IncomingClass = ReturnType<typeof createIncoming>;
type Incoming = InstanceType<IncomingClass> & {
  req: unknown;
  on(event: string, listener: () => void): unknown;
  push(chunk: unknown): boolean;
  destroy(error?: unknown): unknown;
  readable: boolean;
};

export function createClientRequest(
  { OutgoingMessage, kOutHeaders }: Outgoing,
  IncomingMessage: IncomingClass,
  newSocket: (hostname: string, port: unknown) => StandInSocket,
  defaultProtocol: string,
  globalAgent: unknown,
  fetchApi: () => FetchApi,
) {
  const defaultPort = defaultProtocol === "https:" ? 443 : 80;

  class ClientRequest extends OutgoingMessage {
    declare agent: unknown;
    declare method: string;
    declare path: string;
    declare host: string;
    declare protocol: string;
    declare res: Incoming | null;
    declare aborted: boolean;
    declare reusedSocket: boolean;
    declare timeoutCb: (() => void) | null;
    declare _ended: boolean;
    declare _closed: boolean;
    declare socket: (StandInSocket & OutgoingMessageSocket) | null;
    #url: string;
    #hostname: string;
    #port: unknown;
    #body: Uint8Array[] = [];
    /** Write callbacks waiting for the socket, then those (and 'finish') run together on the tick after it took them. */
    #waiting: Callback[] = [];
    #afterWrite: Callback[] | null = null;
    #headSent = false;
    #sent = false;
    #needDrain = false;
    #timeoutMs: number | undefined;
    #error: unknown;
    /** The socket's close was handled, or the socket went back to the pool: nothing closes the request again. */
    #released = false;
    #expectsContinue = false;

    constructor(input: unknown, options?: unknown, cb?: ResponseCallback) {
      super();
      const { merged, callback, url, hostname, host, port } = normalize(defaultProtocol, input, options, cb);
      this.#url = url;
      this.#hostname = hostname;
      this.#port = port;
      this.agent = merged.agent ?? globalAgent;
      this.method = String(merged.method ?? "GET").toUpperCase();
      this.path = merged.path ?? "/";
      this.host = hostname;
      this.protocol = merged.protocol ?? defaultProtocol;
      this.res = null;
      this.aborted = false;
      this.reusedSocket = false;
      this.timeoutCb = null;
      this._ended = false;
      this._closed = false;
      this.useChunkedEncodingByDefault = !/^(GET|HEAD|DELETE|OPTIONS|TRACE|CONNECT)$/.test(this.method);
      const headers = merged.headers;
      if (headers) {
        const names = Object.keys(headers);
        for (let i = 0; i < names.length; i++) this.setHeader(names[i], headers[names[i] as string]);
      }
      if (merged.setHost !== false && !this.hasHeader("host"))
        this.setHeader("Host", port && Number(port) !== defaultPort ? `${host}:${port}` : host);
      if (merged.auth && !this.hasHeader("authorization"))
        this.setHeader("Authorization", `Basic ${Buffer.from(merged.auth).toString("base64")}`);
      // Node writes the head at once when a request expects 100-continue, and the server's 100 is 'continue'.
      this.#expectsContinue = /^100-continue$/i.test(String(this.getHeader("expect") ?? ""));
      if (this.#expectsContinue) this.#headSent = true;
      if (callback) this.once("response", callback);
      if (merged.timeout !== undefined) this.setTimeout(merged.timeout);
      const signal = merged.signal;
      if (signal) {
        const onAbort = () =>
          this.destroy(
            Object.assign(new Error("The operation was aborted", { cause: signal.reason }), { name: "AbortError", code: "ABORT_ERR" }),
          );
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }
      process.nextTick(() => this.#onSocket());
    }

    override get headersSent() {
      return this.#headSent;
    }
    override get writableFinished() {
      return this.finished && this.outputSize === 0 && this.#afterWrite === null && this.#sent;
    }
    get writableNeedDrain() {
      return !this.destroyed && !this.finished && this.#needDrain;
    }
    get closed() {
      return this._closed;
    }
    _implicitHeader() {
      this.#headSent = true;
    }
    override flushHeaders() {
      this.#headSent = true;
    }
    setNoDelay() {}
    setSocketKeepAlive() {}
    override setTimeout(ms: number, callback?: () => void): this {
      if (this._ended) return this;
      if (callback) this.once("timeout", callback);
      const socket = this.socket;
      this.timeoutCb ??= () => this.emit("timeout");
      if (socket) {
        socket.once("timeout", this.timeoutCb);
        socket.setTimeout(ms);
      } else this.#timeoutMs = ms;
      return this;
    }
    abort() {
      if (this.aborted) return;
      this.aborted = true;
      process.nextTick(() => this.emit("abort"));
      this.destroy();
    }
    override destroy(error?: unknown): this {
      if (this.destroyed) return this;
      this.destroyed = true;
      this.res?._dump();
      this.#error = error;
      // Without a socket yet, the tick that would have assigned one reports it (Node's onSocketNT).
      if (this.socket) this.#socketDestroyed(error);
      return this;
    }

    override write(chunk: unknown, encoding?: string | Callback, callback?: Callback): boolean {
      if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      const ok = this.#write(chunk, encoding, callback);
      if (!ok) this.#needDrain = true;
      return ok;
    }
    override end(chunk?: unknown, encoding?: string | Callback, callback?: Callback): this {
      if (typeof chunk === "function") [chunk, encoding, callback] = [undefined, undefined, chunk as Callback];
      else if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      if (chunk) {
        if (this.finished) {
          this.#failWrite(codeError("write after end", "ERR_STREAM_WRITE_AFTER_END"), callback ?? nop);
          return this;
        }
        this.#write(chunk, encoding, undefined);
      } else if (this.finished) {
        if (typeof callback === "function") {
          if (!this.writableFinished) this.on("finish", callback);
          else callback(codeError("Cannot call end after a stream was finished", "ERR_STREAM_ALREADY_FINISHED"));
        }
        return this;
      }
      this.#headSent = true;
      if (typeof callback === "function") this.once("finish", callback);
      this.finished = true;
      if (this.socket && !this.destroyed) this.#flush();
      return this;
    }

    #write(chunk: unknown, encoding: string | undefined, callback: Callback | undefined): boolean {
      if (chunk === null) throw codeError("May not write null values to stream", "ERR_STREAM_NULL_VALUES", TypeError);
      if (typeof chunk !== "string" && !(chunk instanceof Uint8Array))
        throw codeError(
          'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array',
          "ERR_INVALID_ARG_TYPE",
          TypeError,
        );
      if (this.finished || this.destroyed) {
        const error = this.finished
          ? codeError("write after end", "ERR_STREAM_WRITE_AFTER_END")
          : codeError("Cannot call write after a stream was destroyed", "ERR_STREAM_DESTROYED");
        if (!this.destroyed) this.#failWrite(error, callback ?? nop);
        else process.nextTick(callback ?? nop, error);
        return false;
      }
      this.#headSent = true;
      const bytes = bytesOf(chunk, encoding);
      this.#body.push(bytes);
      if (callback) this.#waiting.push(callback);
      if (this.socket) {
        this.#flush();
        return true;
      }
      this.outputSize += bytes.byteLength;
      return this.outputSize < 16384;
    }
    /** Node's onError for a write that cannot be: the callback, then 'error', on the next tick. */
    #failWrite(error: unknown, callback: Callback) {
      process.nextTick(() => {
        callback(error);
        if (!this.destroyed) this.emit("error", error);
      });
    }

    /** The Agent's socket, a tick after the request was made (Node's onSocketNT). */
    #onSocket() {
      if (this.destroyed) {
        const error = this.#error ?? (this.aborted ? undefined : connReset("socket hang up"));
        if (error) this.emit("error", error);
        this._closed = true;
        this.emit("close");
        return;
      }
      const socket = newSocket(this.#hostname, this.#port) as StandInSocket & OutgoingMessageSocket;
      socket._httpMessage = this;
      this.socket = socket;
      this.emit("socket", socket);
      // The host sends the body with the head: a server that would answer 100 Continue is taken to have (the SDK waits for it up to 6 s).
      if (this.#expectsContinue) process.nextTick(() => this.destroyed || this.emit("continue"));
      if (this.#timeoutMs !== undefined && this.timeoutCb) {
        socket.once("timeout", this.timeoutCb);
        socket.setTimeout(this.#timeoutMs);
      }
      if (!this.destroyed) this.#flush();
    }

    /** What the socket took: write callbacks (and 'finish', once ended) on the next tick; the request to the host once ended. */
    #flush() {
      this.outputSize = 0;
      let after = this.#afterWrite;
      if (after === null) {
        after = this.#afterWrite = [];
        process.nextTick(() => this.#written());
      }
      const waiting = this.#waiting;
      for (let i = 0; i < waiting.length; i++) after.push(waiting[i] as Callback);
      waiting.length = 0;
      if (this.finished && !this.#sent) {
        this.#sent = true;
        this.emit("prefinish");
        this.#send();
        after.push(() => this.emit("finish"));
      }
    }
    #written() {
      const after = this.#afterWrite as Callback[];
      this.#afterWrite = null;
      for (let i = 0; i < after.length; i++) (after[i] as Callback)();
      if (this.#needDrain && !this.finished) {
        this.#needDrain = false;
        this.emit("drain");
      }
    }

    #send() {
      const body = bodyBuffer(this.#body);
      this.#body = [];
      let pairs = headerPairs(this);
      // undici refuses an Expect header (it does not wait for a 100); the whole request goes at once.
      if (this.#expectsContinue) pairs = pairs.filter((pair) => pair[0].toLowerCase() !== "expect");
      fetchApi().exchange(this.#url, this.method, pairs, body, (error, answer) =>
        error === undefined ? this.#answered(answer as RawAnswer) : this.#failed(error),
      );
    }

    #answered(answer: RawAnswer) {
      if (this.destroyed) return;
      const socket = this.socket as StandInSocket;
      const res = new IncomingMessage(socket) as Incoming;
      res.rawHeaders = answer.rawHeaders;
      res.statusCode = answer.status;
      // The server's reason phrase does not reach the host; the standard one stands in.
      res.statusMessage = STATUS_CODES[answer.status] || "";
      res.httpVersion = "1.1";
      res.httpVersionMajor = 1;
      res.httpVersionMinor = 1;
      res.req = this;
      this.res = res;
      // Node's first 'end' listener: the socket goes back to the pool, and the request closes.
      res.on("end", () => this.#responseEnded(res));
      // The socket was active: its idle timeout starts again.
      socket._unrefTimer();
      if (this.aborted || !this.emit("response", res)) res._dump();
      if (answer.body.byteLength > 0) res.push(Buffer.from(answer.body));
      res.complete = true;
      res.push(null);
    }
    #responseEnded(res: Incoming) {
      this._ended = true;
      if (!this.finished || res.aborted || this.#released) return;
      this.#released = true;
      const socket = this.socket as StandInSocket;
      if (this.timeoutCb) {
        socket.removeListener("timeout", this.timeoutCb);
        this.timeoutCb = null;
      }
      socket.setTimeout(0);
      this.destroyed = true;
      res.socket = null;
      process.nextTick(() => {
        this._closed = true;
        socket._httpMessage = null;
        this.emit("close");
      });
    }
    #failed(error: unknown) {
      if (this.destroyed) return;
      // Node's message is the connection's own ("connect ECONNREFUSED 127.0.0.1:9"), not fetch's wrapping of it.
      const text = String((error as Error | undefined)?.message ?? error).replace(/^(fetch failed: )+/, "");
      const code =
        /ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.exec(text)?.[0] ??
        (/aborted|timeout/i.test(text) ? "ETIMEDOUT" : "ECONNRESET");
      this.#released = true;
      (this.socket as StandInSocket).setTimeout(0);
      this.emit("error", codeError(text, code));
      this.destroyed = true;
      this._closed = true;
      this.emit("close");
    }

    /**
     * The socket was destroyed (by the request, or by its response): Node reports an error given
     * to destroy on the next tick, and the close when the handle has closed, a turn later, unless
     * the response ended meanwhile and the socket went back to the pool.
     */
    #socketDestroyed(error: unknown) {
      if (this.#released) return;
      const socket = this.socket as StandInSocket;
      socket.setTimeout(0);
      if (error) process.nextTick(() => this.emit("error", error));
      setImmediate(() => {
        if (this.#released) return;
        this.#released = true;
        const res = this.res;
        this.destroyed = true;
        if (res) {
          if (!res.complete) res.destroy(connReset("aborted"));
        } else if (!error) this.emit("error", connReset("socket hang up"));
        this._closed = true;
        this.emit("close");
      });
    }
    /** The stand-in socket's destroy() reaches its request so, as a socket's 'close' does in Node. */
    [kSocketDestroyed](error?: unknown) {
      this.destroyed = true;
      this.#socketDestroyed(error);
    }
  }

  const headerPairs = (request: object) => pairsOf((request as Record<symbol, OutHeaders | null>)[kOutHeaders]);
  // Node's head as it would be written, made only when asked for, since nothing here writes it; an
  // accessor where OutgoingMessage has a field, whose constructor's null the setter takes.
  Object.defineProperty(ClientRequest.prototype, "_header", {
    get(this: ClientRequest): string | null {
      if (!this.headersSent) return null;
      let head = `${this.method} ${this.path} HTTP/1.1\r\n`;
      for (const [name, value] of headerPairs(this)) head += `${name}: ${value}\r\n`;
      return `${head}\r\n`;
    },
    set() {},
    configurable: true,
  });
  return ClientRequest;
}
