// node:zlib run by the host's Node (src/sandbox/executor/native/zlib.ts): gzip, deflate, raw deflate, unzip
// and brotli in sync, callback and stream forms, with Node's options, constants and errors. A sync
// call is one crossing (a large one, a crossing per slice); a stream is an id for a host stream, fed
// one crossing per written chunk with the flush flag Node's stream would use. The stream classes are
// made on first use: gunzipSync alone does not pay for evaluating node:stream.
import { Buffer } from "buffer";
import type { Bytes, Data, HostCapabilities } from "../../shared/guest-protocol.js";
import { arrayBufferOf, received } from "../host-values.js";
import { callHost as call } from "../native-error.js";

type Callback = (error?: unknown, result?: unknown) => void;
/** Node's zlib options, read by the host; anything else a caller passes is what Node would refuse or ignore. */
type ZlibOptions = Record<string, unknown> | null;

const argTypeError = (name: string, accepted: string, value: unknown) =>
  Object.assign(new TypeError(`The "${name}" argument must be ${accepted}. Received ${received(value)}`), { code: "ERR_INVALID_ARG_TYPE" });

function inputOf(data: unknown): Data {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return arrayBufferOf(data);
  throw argTypeError("buffer", "of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer", data);
}

/** The zlib options Node reads, as JSON for the host (the dictionary crosses as bytes). */
const OPTION_FIELDS = ["flush", "finishFlush", "chunkSize", "windowBits", "level", "memLevel", "strategy", "maxOutputLength", "params"];
function optionsOf(options: ZlibOptions | undefined): [json: string | undefined, dictionary: Bytes | undefined] {
  if (options === null || typeof options !== "object") return [undefined, undefined];
  const picked: ZlibOptions = {};
  for (const field of OPTION_FIELDS) if (options[field] !== undefined) picked[field] = options[field];
  const dictionary = options.dictionary === undefined ? undefined : (inputOf(options.dictionary) as Bytes);
  return [JSON.stringify(picked), dictionary];
}

// What a stream write asks of the host's stream (src/sandbox/executor/native/zlib.ts).
const FLUSH_DEFAULT = -1;
const FLUSH_FINISH = -2;
const FLUSH_FULL = -3;
const FLUSH = Symbol("isolambda.zlibFlush");
/** Z_NO_FLUSH, and BROTLI_OPERATION_PROCESS: a slice of a sync call's input that more will follow. */
const NO_FLUSH = 0;
/**
 * A sync call's input past this crosses in slices through a host stream, with the bytes Node's
 * one call makes: nothing interrupts the host's zlib, and brotli at quality 10 or 11 makes
 * ~0.6–0.9 MB/s here, so one call over a large input would hold the executor's thread long past
 * the timeout, which ends the guest between two slices (brotli encodes at most 2^18 bytes a block
 * at those qualities, so a slice's call does a block's work or less).
 */
const SYNC_SLICE_BYTES = 256 * 1024;
/** A written chunk; an empty one marked with a flush flag is flush()'s. */
type Chunk = Uint8Array & { [FLUSH]?: number };

const KINDS = {
  Gzip: "gzip",
  Gunzip: "gunzip",
  Deflate: "deflate",
  Inflate: "inflate",
  DeflateRaw: "deflateRaw",
  InflateRaw: "inflateRaw",
  Unzip: "unzip",
  BrotliCompress: "brotliCompress",
  BrotliDecompress: "brotliDecompress",
};
type ClassName = keyof typeof KINDS;

/** What the stream classes use of readable-stream's Transform. */
interface Transform {
  readonly _writableState: { ending: boolean; ended: boolean; length: number };
  readonly writableFinished: boolean;
  readonly writableEnded: boolean;
  push(chunk: Uint8Array): boolean;
  write(chunk: Uint8Array, encoding: string, callback?: Callback): boolean;
  once(event: string, listener: () => void): this;
  destroy(error?: unknown): this;
}
type ZlibStreamClass = new (options?: ZlibOptions) => Transform;

function streamClasses(host: HostCapabilities, Transform: new (options: object) => Transform, constants: Record<string, number>) {
  // A stream dropped unfinished frees its host half when the guest collects it.
  const registry = new FinalizationRegistry((id: number) => host.zlibClose(id));

  class ZlibBase extends Transform {
    #id: number;
    declare bytesWritten: number;
    declare _handle: object;
    constructor(kind: string, options: ZlibOptions | undefined) {
      super({ ...options, readableObjectMode: false, writableObjectMode: false });
      const [json, dictionary] = optionsOf(options);
      this.#id = call(host.zlibOpen, kind, json, dictionary);
      registry.register(this, this.#id, this);
      this.bytesWritten = 0;
      this._handle = {};
    }
    _transform(chunk: Chunk | string, encoding: string, callback: Callback): void {
      const bytes: Chunk = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      let flush = (typeof (chunk as Chunk)[FLUSH] === "number" ? (chunk as Chunk)[FLUSH] : FLUSH_DEFAULT) as number;
      // The last chunk carries the finish flag, as Node's stream does.
      const state = this._writableState;
      if ((state.ending || state.ended) && state.length === bytes.byteLength) flush = FLUSH_FINISH;
      let out: Bytes;
      try {
        out = call(host.zlibWrite, this.#id, arrayBufferOf(bytes), flush);
      } catch (error) {
        callback(error);
        return;
      }
      this.bytesWritten += bytes.byteLength;
      if (out.byteLength > 0) this.push(Buffer.from(out));
      callback();
    }
    _flush(callback: Callback): void {
      this._transform(Buffer.alloc(0), "", callback);
    }
    _destroy(error: unknown, callback: Callback): void {
      registry.unregister(this);
      host.zlibClose(this.#id);
      callback(error);
    }
    flush(kind?: number | Callback, callback?: Callback): void {
      if (typeof kind === "function" || (kind === undefined && !callback)) [kind, callback] = [FLUSH_FULL, kind];
      if (this.writableFinished) {
        if (callback) process.nextTick(callback);
      } else if (this.writableEnded) {
        if (callback) this.once("end", callback);
      } else {
        const marker: Chunk = Buffer.alloc(0);
        marker[FLUSH] = kind ?? FLUSH_FULL;
        this.write(marker, "", callback);
      }
    }
    params(level: number, strategy: number, callback?: () => void): void {
      this.flush(constants.Z_SYNC_FLUSH, () => {
        try {
          call(host.zlibParams, this.#id, level, strategy);
        } catch (error) {
          this.destroy(error);
          return;
        }
        if (callback) callback();
      });
    }
    reset(): void {
      call(host.zlibReset, this.#id);
    }
    close(callback?: () => void): void {
      if (callback) this.once("close", callback);
      this.destroy();
    }
  }
  const classes = {} as Record<ClassName, ZlibStreamClass>;
  for (const [className, kind] of Object.entries(KINDS) as [ClassName, string][]) {
    classes[className] = {
      [className]: class extends ZlibBase {
        constructor(options?: ZlibOptions) {
          super(kind, options);
        }
      },
    }[className] as ZlibStreamClass;
  }
  return classes;
}

/** node:zlib: the sync, callback and stream forms by name (gzipSync, gzip, Gzip, createGzip...), the constants and crc32. */
export type Zlib = Record<string, unknown> & {
  constants: Record<string, number>;
  codes: Record<string, string | number>;
  crc32(data: unknown, value?: number): number;
};

export function createZlib(host: HostCapabilities): Zlib {
  const constants = JSON.parse(host.zlibConstants()) as Record<string, number>;
  const codes: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(constants)) {
    if (/^Z_(OK|STREAM_END|NEED_DICT|ERRNO|STREAM_ERROR|DATA_ERROR|MEM_ERROR|BUF_ERROR|VERSION_ERROR)$/.test(name)) {
      codes[name] = value;
      codes[value] = name;
    }
  }
  const sync = (kind: string, data: unknown, options: ZlibOptions | undefined) => {
    const [json, dictionary] = optionsOf(options);
    const input = inputOf(data);
    if (typeof input === "string" ? input.length * 3 <= SYNC_SLICE_BYTES : input.byteLength <= SYNC_SLICE_BYTES) {
      return Buffer.from(call(host.zlibSync, kind, input, json, dictionary));
    }
    const bytes = typeof input === "string" ? arrayBufferOf(Buffer.from(input)) : input;
    // Brotli takes the input its first call sees as its size hint, which steers its choices: a
    // sliced encoder is told the whole size, as the one call would have told it.
    const sizeHint = { params: { [constants.BROTLI_PARAM_SIZE_HINT as number]: bytes.byteLength, ...(options?.params as object) } };
    const [streamJson] = kind === "brotliCompress" ? optionsOf({ ...options, ...sizeHint }) : [json];
    const id: number = call(host.zlibOpen, kind, streamJson, dictionary);
    try {
      const limit = options?.maxOutputLength;
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let offset = 0; offset < bytes.byteLength; offset += SYNC_SLICE_BYTES) {
        // The timeout's interrupt, which QuickJS would not poll in so few steps of its own.
        if (offset > 0 && host.shouldStop()) throw Object.assign(new Error("interrupted"), { name: "InternalError" });
        const end = Math.min(offset + SYNC_SLICE_BYTES, bytes.byteLength);
        const out: Bytes = call(host.zlibWrite, id, bytes.slice(offset, end), end === bytes.byteLength ? FLUSH_FINISH : NO_FLUSH);
        total += out.byteLength;
        if (typeof limit === "number" && total > limit) {
          throw Object.assign(new RangeError(`Cannot create a Buffer larger than ${limit} bytes`), { code: "ERR_BUFFER_TOO_LARGE" });
        }
        parts.push(new Uint8Array(out));
      }
      return Buffer.concat(parts, total);
    } finally {
      host.zlibClose(id);
    }
  };
  let classes: Record<ClassName, ZlibStreamClass> | undefined;
  const streamClass = (className: ClassName) => {
    classes ??= streamClasses(host, (require("readable-stream") as { Transform: new (options: object) => Transform }).Transform, constants);
    return classes[className];
  };
  const crc32 = (data: unknown, value = 0): number => {
    if (typeof data !== "string" && !ArrayBuffer.isView(data)) {
      throw argTypeError("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    }
    return call(host.zlibCrc32, typeof data === "string" ? data : arrayBufferOf(data), value);
  };

  const api: Zlib = { constants, codes, crc32 };
  for (const [className, kind] of Object.entries(KINDS) as [ClassName, string][]) {
    Object.defineProperty(api, className, { enumerable: true, get: () => streamClass(className) });
    api[`create${className}`] = (options?: ZlibOptions) => new (streamClass(className))(options);
    api[`${kind}Sync`] = (data: unknown, options?: ZlibOptions) => sync(kind, data, options);
    api[kind] = (data: unknown, options: ZlibOptions | Callback | undefined, callback?: Callback) => {
      if (typeof options === "function") [options, callback] = [{}, options];
      if (typeof callback !== "function") throw argTypeError("callback", "of type function", callback);
      const input = inputOf(data);
      process.nextTick(() => {
        let result: Buffer;
        try {
          result = sync(kind, input, options);
        } catch (error) {
          (callback as Callback)(error);
          return;
        }
        (callback as Callback)(null, result);
      });
    };
  }
  // Node still exposes zlib's constants at the top level, as it did before zlib.constants existed.
  for (const [name, value] of Object.entries(constants)) if (!name.startsWith("BROTLI")) api[name] = value;
  return api;
}
