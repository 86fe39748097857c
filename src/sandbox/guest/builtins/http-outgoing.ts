// node:http's OutgoingMessage and ServerResponse, for the adapters that run a web framework inside a
// function (serverless-http, @vendia/serverless-express): they make a response, hand it a socket
// of their own with assignSocket, and read back what the framework wrote to it. Node's own
// semantics, since the adapters depend on its internals: the head is a string in `_header`, written
// to the socket before the first body bytes; `finished` is set by end(), and 'finish' is emitted
// once the socket has taken everything (never without a socket, as in Node).

import type { StreamModule } from "readable-stream/lib/stream.js";
import { functionClass } from "../function-class.js";

const kOutHeaders = Symbol("kOutHeaders");

type Encoding = string | undefined;
type WriteCallback = ((error?: unknown) => void) | null | undefined;
/** A body chunk as written: text or bytes. */
type Chunk = string | Uint8Array;
/** The headers as set: lowercased name → the name as given and its value (one, or several). */
type OutHeaders = Record<string, [string, unknown]>;
/** Headers as writeHead takes them: an object, or a flat array of names and values. */
type HeadersArgument = OutHeaders | Record<string, unknown> | unknown[] | null | undefined;

/** The socket an adapter assigns (serverless-http's, @vendia/serverless-express's): the response's bytes go to it. */
interface OutgoingSocket {
  _httpMessage?: object | null;
  writable?: boolean;
  write(data: Chunk, encoding?: Encoding, callback?: WriteCallback): boolean;
  setTimeout?(ms: number): unknown;
  cork?(): void;
  uncork?(): void;
  destroy?(error?: unknown): void;
}

/** What writeChunk uses of an OutgoingMessage. */
interface Message {
  _header: string | null;
  _contentLength: number | null;
  _hasBody: boolean;
  chunkedEncoding: boolean;
  _implicitHeader(): void;
  _send(data: Chunk, encoding?: Encoding, callback?: WriteCallback): boolean;
}

function headersSentError(action: string): Error {
  return Object.assign(new Error(`Cannot ${action} headers after they are sent to the client`), { code: "ERR_HTTP_HEADERS_SENT" });
}

/** Names found valid already: a client sets the same few on every request. */
const validNames = new Set<string>();

function validHeaderName(name: unknown): asserts name is string {
  if (typeof name === "string" && validNames.has(name)) return;
  if (typeof name !== "string" || !/^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/.test(name))
    throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: "ERR_INVALID_HTTP_TOKEN" });
  if (validNames.size < 256) validNames.add(name);
}

function validHeaderValue(name: string, value: unknown): void {
  if (value === undefined)
    throw Object.assign(new TypeError(`Invalid value "undefined" for header "${name}"`), { code: "ERR_HTTP_INVALID_HEADER_VALUE" });
  if (/[^\t\x20-\x7e\x80-\xff]/.test(String(value)))
    throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: "ERR_INVALID_CHAR" });
}

function byteLength(chunk: Chunk, encoding: Encoding): number {
  return typeof chunk === "string" ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
}

/** OutgoingMessage's write of one body chunk: the head first if it is not out yet, then chunked framing if in use. */
function writeChunk(message: Message, chunk: unknown, encoding: Encoding, callback: WriteCallback, fromEnd: boolean): boolean {
  if (chunk === null) throw Object.assign(new TypeError("May not write null values to stream"), { code: "ERR_STREAM_NULL_VALUES" });
  if (typeof chunk !== "string" && !(chunk instanceof Uint8Array))
    throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array'), {
      code: "ERR_INVALID_ARG_TYPE",
    });
  if (!message._header) {
    if (fromEnd) message._contentLength = byteLength(chunk, encoding);
    message._implicitHeader();
  }
  if (!message._hasBody) return true;
  if (byteLength(chunk, encoding) === 0) return true;
  if (!message.chunkedEncoding) return message._send(chunk, encoding, callback);
  message._send(`${byteLength(chunk, encoding).toString(16)}\r\n`, "latin1");
  message._send(chunk, encoding);
  return message._send("\r\n", "latin1", callback);
}

export function createOutgoing(Stream: StreamModule, STATUS_CODES: Record<number, string>) {
  abstract class OutgoingMessageBody extends Stream implements Message {
    declare outputData: { data: Chunk; encoding: Encoding; callback: WriteCallback }[];
    declare outputSize: number;
    declare writable: boolean;
    declare destroyed: boolean;
    declare chunkedEncoding: boolean;
    declare useChunkedEncodingByDefault: boolean;
    declare shouldKeepAlive: boolean;
    declare sendDate: boolean;
    declare finished: boolean;
    declare socket: OutgoingSocket | null;
    declare _header: string | null;
    declare _headerSent: boolean;
    declare _hasBody: boolean;
    declare _contentLength: number | null;
    declare _trailer: string;
    declare [kOutHeaders]: OutHeaders | null;
    /** Writes the head with the response's status (ServerResponse). */
    abstract _implicitHeader(): void;
    get connection() {
      return this.socket;
    }
    get headersSent() {
      return Boolean(this._header);
    }
    get writableEnded() {
      return this.finished;
    }
    get writableFinished() {
      return this.finished && this.outputSize === 0 && Boolean(this.socket);
    }
    get writableLength() {
      return this.outputSize;
    }
    get writableHighWaterMark() {
      return 16384;
    }
    get writableCorked() {
      return 0;
    }
    setHeader(name: unknown, value: unknown): this {
      if (this._header) throw headersSentError("set");
      validHeaderName(name);
      validHeaderValue(name, value);
      this[kOutHeaders] ??= { __proto__: null } as unknown as OutHeaders;
      this[kOutHeaders][name.toLowerCase()] = [name, value];
      return this;
    }
    appendHeader(name: string, value: unknown): this {
      const existing = this.getHeader(name);
      if (existing === undefined) return this.setHeader(name, value);
      return this.setHeader(name, [existing, value].flat());
    }
    setHeaders(headers: Iterable<[string, unknown]>): this {
      for (const [name, value] of headers) this.setHeader(name, value);
      return this;
    }
    getHeader(name: unknown): unknown {
      return this[kOutHeaders]?.[String(name).toLowerCase()]?.[1];
    }
    getHeaders(): Record<string, unknown> {
      const out: Record<string, unknown> = { __proto__: null };
      for (const [key, [, value]] of Object.entries(this[kOutHeaders] ?? {})) out[key] = value;
      return out;
    }
    getHeaderNames() {
      return Object.keys(this[kOutHeaders] ?? {});
    }
    getRawHeaderNames() {
      return Object.values(this[kOutHeaders] ?? {}).map(([name]) => name);
    }
    hasHeader(name: unknown): boolean {
      return Boolean(this[kOutHeaders]) && String(name).toLowerCase() in (this[kOutHeaders] as OutHeaders);
    }
    removeHeader(name: unknown): void {
      if (this._header) throw headersSentError("remove");
      if (this[kOutHeaders]) delete this[kOutHeaders][String(name).toLowerCase()];
    }
    flushHeaders() {
      if (!this._header) this._implicitHeader();
      this._send("");
    }
    addTrailers(headers: Record<string, unknown>): void {
      for (const [name, value] of Object.entries(headers)) this._trailer += `${name}: ${value}\r\n`;
    }
    setTimeout(ms: number, callback?: () => void): this {
      if (callback) this.once("timeout", callback);
      this.socket?.setTimeout?.(ms);
      return this;
    }
    cork() {
      this.socket?.cork?.();
    }
    uncork() {
      this.socket?.uncork?.();
    }
    destroy(error?: unknown): this {
      if (this.destroyed) return this;
      this.destroyed = true;
      this.socket?.destroy?.(error);
      return this;
    }
    /** The head as Node writes it; chunked framing when the length is unknown and the peer allows it. */
    _storeHeader(firstLine: string, headers: HeadersArgument): void {
      let head = firstLine;
      const names = new Set<string>();
      let transferEncoding = "";
      const add = (name: string, value: unknown) => {
        names.add(name.toLowerCase());
        if (name.toLowerCase() === "transfer-encoding") transferEncoding = String(value);
        for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
      };
      if (headers === this[kOutHeaders]) for (const [name, value] of Object.values((headers ?? {}) as OutHeaders)) add(name, value);
      else if (Array.isArray(headers)) for (let i = 0; i < headers.length; i += 2) add(headers[i] as string, headers[i + 1]);
      else for (const [name, value] of Object.entries(headers ?? {})) add(name, value);
      if (this.sendDate && !names.has("date")) head += `Date: ${new Date().toUTCString()}\r\n`;
      if (!names.has("connection"))
        head +=
          this.shouldKeepAlive && (names.has("content-length") || this.useChunkedEncodingByDefault)
            ? "Connection: keep-alive\r\n"
            : "Connection: close\r\n";
      if (!names.has("content-length") && !names.has("transfer-encoding")) {
        if (this._hasBody && this._contentLength !== null) head += `Content-Length: ${this._contentLength}\r\n`;
        else if (this._hasBody && this.useChunkedEncodingByDefault) {
          head += "Transfer-Encoding: chunked\r\n";
          this.chunkedEncoding = true;
        }
      } else if (names.has("transfer-encoding")) {
        this.chunkedEncoding = /(?:^|,)\s*chunked\s*$/i.test(transferEncoding);
      }
      this._header = `${head}\r\n`;
      this._headerSent = false;
    }
    _send(data: Chunk, encoding?: Encoding, callback?: WriteCallback): boolean {
      if (!this._headerSent && this._header !== null) {
        if (typeof data === "string" && (!encoding || encoding === "utf8" || encoding === "latin1")) data = this._header + data;
        else {
          this.outputData.unshift({ data: this._header, encoding: "latin1", callback: null });
          this.outputSize += this._header.length;
        }
        this._headerSent = true;
      }
      return this._writeRaw(data, encoding, callback);
    }
    _writeRaw(data: Chunk, encoding: Encoding, callback: WriteCallback): boolean {
      const socket = this.socket;
      if (socket && socket._httpMessage === this && socket.writable) {
        this._flushOutput(socket);
        return socket.write(data, encoding, callback);
      }
      this.outputData.push({ data, encoding, callback });
      this.outputSize += byteLength(data, encoding);
      return false;
    }
    _flushOutput(socket: OutgoingSocket): void {
      const pending = this.outputData;
      this.outputData = [];
      this.outputSize = 0;
      for (const { data, encoding, callback } of pending) socket.write(data, encoding, callback);
    }
    _flush() {
      if (this.socket?.writable) {
        this._flushOutput(this.socket);
        if (this.finished) this._finish();
      }
    }
    _finish() {
      this.emit("prefinish");
    }
    write(chunk: unknown, encoding?: Encoding | WriteCallback, callback?: WriteCallback): boolean {
      if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      if (this.finished) {
        const error = Object.assign(new Error("write after end"), { code: "ERR_STREAM_WRITE_AFTER_END" });
        queueMicrotask(() => {
          callback?.(error);
          this.emit("error", error);
        });
        return true;
      }
      return writeChunk(this, chunk, encoding as Encoding, callback, false);
    }
    end(chunk?: unknown, encoding?: Encoding | WriteCallback, callback?: WriteCallback): this {
      if (typeof chunk === "function") [chunk, encoding, callback] = [undefined, undefined, chunk as WriteCallback];
      else if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      if (this.finished) {
        if (typeof callback === "function") queueMicrotask(callback);
        return this;
      }
      if (chunk) writeChunk(this, chunk, encoding as Encoding, null, true);
      else if (!this._header) {
        this._contentLength = 0;
        this._implicitHeader();
      }
      if (typeof callback === "function") this.once("finish", callback);
      const finish = () => this.emit("finish");
      if (this._hasBody && this.chunkedEncoding) this._send(`0\r\n${this._trailer}\r\n`, "latin1", finish);
      else if (!this._headerSent || this.outputSize > 0 || chunk) this._send("", "latin1", finish);
      else process.nextTick(finish);
      this.finished = true;
      this.writable = false;
      if (this.outputData.length === 0 && this.socket && this.socket._httpMessage === this) this._finish();
      return this;
    }
  }

  const OutgoingMessage = functionClass("OutgoingMessage", OutgoingMessageBody, function (options?: unknown) {
    Stream.call(this, options as object | undefined);
    this.outputData = [];
    this.outputSize = 0;
    this.writable = true;
    this.destroyed = false;
    this.chunkedEncoding = false;
    this.useChunkedEncodingByDefault = true;
    this.shouldKeepAlive = true;
    this.sendDate = false;
    this.finished = false;
    this.socket = null;
    this._header = null;
    this._headerSent = false;
    this._hasBody = true;
    this._contentLength = null;
    this._trailer = "";
    this[kOutHeaders] = null;
  });

  class ServerResponseBody extends OutgoingMessage {
    declare req: { method?: unknown } | undefined;
    declare statusCode: number;
    declare statusMessage: string | undefined;
    assignSocket(socket: OutgoingSocket): void {
      if (socket._httpMessage) throw Object.assign(new Error("Socket already assigned"), { code: "ERR_HTTP_SOCKET_ASSIGNED" });
      socket._httpMessage = this;
      this.socket = socket;
      this.emit("socket", socket);
      this._flush();
    }
    detachSocket(socket: OutgoingSocket): void {
      socket._httpMessage = null;
      this.socket = null;
    }
    writeContinue(callback?: WriteCallback): void {
      this._writeRaw("HTTP/1.1 100 Continue\r\n\r\n", "ascii", callback);
    }
    writeProcessing(callback?: WriteCallback): void {
      this._writeRaw("HTTP/1.1 102 Processing\r\n\r\n", "ascii", callback);
    }
    writeEarlyHints() {}
    _implicitHeader() {
      this.writeHead(this.statusCode);
    }
    writeHead(statusCode: number, reason?: string | HeadersArgument, headers?: HeadersArgument): this {
      const code = statusCode | 0;
      if (code < 100 || code > 999)
        throw Object.assign(new RangeError(`Invalid status code: ${statusCode}`), { code: "ERR_HTTP_INVALID_STATUS_CODE" });
      if (typeof reason === "string") this.statusMessage = reason;
      else {
        this.statusMessage ||= STATUS_CODES[code] || "unknown";
        headers ??= reason as HeadersArgument;
      }
      this.statusCode = code;
      let head = headers;
      if (this[kOutHeaders]) {
        if (Array.isArray(headers)) for (let i = 0; i < headers.length; i += 2) this.appendHeader(headers[i] as string, headers[i + 1]);
        else for (const name in headers) if (name) this.setHeader(name, (headers as Record<string, unknown>)[name]);
        head = this[kOutHeaders];
      }
      if (this._header) throw headersSentError("write");
      // No body for these, whatever the handler writes (RFC 9110 §6.4.1).
      if (code === 204 || code === 304 || (code >= 100 && code <= 199)) this._hasBody = false;
      this._storeHeader(`HTTP/1.1 ${code} ${this.statusMessage}\r\n`, head);
      return this;
    }
  }

  const ServerResponse = functionClass("ServerResponse", ServerResponseBody, function (req?: { method?: unknown }, options?: unknown) {
    OutgoingMessage.call(this, options);
    this.req = req;
    this.statusCode = 200;
    this.statusMessage = undefined;
    this.sendDate = true;
    if (req?.method === "HEAD") this._hasBody = false;
  });

  // kOutHeaders is how ClientRequest (http-client.ts) reads the headers it sends, as Node's does.
  return { OutgoingMessage, ServerResponse, kOutHeaders };
}
