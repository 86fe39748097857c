// Lambda's response streaming, the part only a streaming handler needs (see ../response-stream.ts):
// HttpResponseStream and the writable response stream a streaming handler receives. Bytes leave
// the sandbox as they are written (host.streamWrite).
import type { HostCapabilities } from "../../shared/guest-protocol.js";

const METADATA_PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER_LEN = 8;

/** What a handler writes: text, bytes, or any other value, which is sent as its JSON. */
type Chunk = unknown;
type Callback = (error?: unknown) => void;
type Listener = ((...args: unknown[]) => void) & { listener?: Listener };
/** Called with the writer of the stream's first bytes, before them. */
type BeforeFirstWrite = (write: (chunk: Chunk) => void) => void;

/** The writable response stream a streaming handler is given. */
export interface ResponseStream {
  writable: boolean;
  writableEnded: boolean;
  writableFinished: boolean;
  writableNeedDrain: boolean;
  writableHighWaterMark: number;
  writableObjectMode: boolean;
  writableLength: number;
  destroyed: boolean;
  _onBeforeFirstWrite: BeforeFirstWrite | undefined;
  setContentType(contentType: unknown): void;
  write(chunk: Chunk, encoding?: string | Callback, callback?: Callback): boolean;
  end(chunk?: Chunk | Callback, encoding?: string | Callback, callback?: Callback): ResponseStream;
  destroy(error?: unknown): ResponseStream;
  cork(): void;
  uncork(): void;
  setDefaultEncoding(): ResponseStream;
  on(event: string, listener: Listener): ResponseStream;
  once(event: string, listener: Listener): ResponseStream;
  off(event: string, listener: Listener): ResponseStream;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  removeAllListeners(event?: string): ResponseStream;
  addListener?: ResponseStream["on"];
  removeListener?: ResponseStream["off"];
  prependListener?: ResponseStream["on"];
}

// biome-ignore lint/complexity/noStaticOnlyClass: Lambda's runtime gives handlers awslambda.HttpResponseStream as a class with a static from().
export class HttpResponseStream {
  static from(underlyingStream: ResponseStream, prelude: unknown): ResponseStream {
    underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    // JSON.stringify is required: a NUL byte may not appear in the prelude.
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return underlyingStream;
  }
}

function invalidOperation(message: string): Error {
  const error = new Error(message);
  error.name = "Runtime.InvalidStreamingOperation";
  return error;
}

/**
 * The writable a streaming handler writes to. It speaks the Writable interface handlers and
 * `stream.pipeline` use (write / end with callbacks, 'drain', 'finish', 'close', 'error'); writes
 * are never buffered in the guest, so it is never over its high-water mark.
 */
export function createResponseStream(host: HostCapabilities): ResponseStream {
  const listeners = new Map<string, Listener[]>();
  let started = false;
  const emit = (event: string, ...args: unknown[]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener.apply(stream, args);
    return (listeners.get(event)?.length ?? 0) > 0;
  };
  // Strings cross as UTF-8 text; other encodings and bytes cross as an ArrayBuffer.
  const send = (chunk: Chunk, encoding?: string) => {
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    if (typeof chunk === "string" && encoding !== undefined && !/^utf-?8$/i.test(encoding)) chunk = Buffer.from(chunk, encoding);
    if (typeof chunk === "string") host.streamWrite(chunk);
    else
      host.streamWrite(
        (chunk as Uint8Array).buffer.slice(
          (chunk as Uint8Array).byteOffset,
          (chunk as Uint8Array).byteOffset + (chunk as Uint8Array).byteLength,
        ) as ArrayBuffer,
      );
  };
  const stream: ResponseStream = {
    writable: true,
    writableEnded: false,
    writableFinished: false,
    writableNeedDrain: false,
    writableHighWaterMark: 16384,
    writableObjectMode: false,
    writableLength: 0,
    destroyed: false,
    _onBeforeFirstWrite: undefined,
    setContentType(contentType) {
      if (started) throw invalidOperation("Cannot set content-type, too late.");
      host.streamContentType(String(contentType));
    },
    write(chunk, encoding, callback) {
      if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      if (stream.writableEnded) {
        const error = Object.assign(new Error("write after end"), { code: "ERR_STREAM_WRITE_AFTER_END" });
        queueMicrotask(() => (callback ? callback(error) : emit("error", error)));
        return false;
      }
      if (!started && typeof stream._onBeforeFirstWrite === "function") stream._onBeforeFirstWrite((ch) => send(ch));
      started = true;
      send(chunk, encoding as string | undefined);
      if (callback) queueMicrotask(() => callback(null));
      return true;
    },
    end(chunk, encoding, callback) {
      if (typeof chunk === "function") [chunk, encoding, callback] = [undefined, undefined, chunk as Callback];
      else if (typeof encoding === "function") [encoding, callback] = [undefined, encoding];
      if (stream.writableEnded) {
        if (callback) queueMicrotask(callback);
        return stream;
      }
      if (chunk !== undefined && chunk !== null) stream.write(chunk, encoding);
      stream.writableEnded = true;
      stream.writable = false;
      queueMicrotask(() => {
        stream.writableFinished = true;
        callback?.();
        emit("finish");
        emit("close");
      });
      return stream;
    },
    destroy(error) {
      if (stream.destroyed) return stream;
      stream.destroyed = true;
      stream.writable = false;
      queueMicrotask(() => {
        if (error) emit("error", error);
        emit("close");
      });
      return stream;
    },
    cork() {},
    uncork() {},
    setDefaultEncoding() {
      return stream;
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return stream;
    },
    once(event, listener) {
      const wrapped: Listener = (...args) => {
        stream.off(event, wrapped);
        listener.apply(stream, args);
      };
      wrapped.listener = listener;
      return stream.on(event, wrapped);
    },
    off(event, listener) {
      listeners.set(
        event,
        (listeners.get(event) ?? []).filter((l) => l !== listener && l.listener !== listener),
      );
      return stream;
    },
    emit,
    listenerCount: (event) => listeners.get(event)?.length ?? 0,
    removeAllListeners(event) {
      if (event === undefined) listeners.clear();
      else listeners.delete(event);
      return stream;
    },
  };
  stream.addListener = stream.on;
  stream.removeListener = stream.off;
  stream.prependListener = stream.on;
  return stream;
}
