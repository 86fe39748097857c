// node:zlib run by the host's Node (src/sandbox/native/zlib.ts): gzip, deflate, raw deflate, unzip
// and brotli in sync, callback and stream forms, with Node's options, constants and errors. A sync
// call is one crossing; a stream is an id for a host stream, fed one crossing per written chunk
// with the flush flag Node's stream would use. The stream classes are made on first use:
// gunzipSync alone does not pay for evaluating node:stream.
import { Buffer } from "buffer";
import { arrayBufferOf, received } from "../host-values.js";
import { callHost as call } from "../native-error.js";

const argTypeError = (name, accepted, value) =>
  Object.assign(new TypeError(`The "${name}" argument must be ${accepted}. Received ${received(value)}`), { code: "ERR_INVALID_ARG_TYPE" });

function inputOf(data) {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return arrayBufferOf(data);
  throw argTypeError("buffer", "of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer", data);
}

/** The zlib options Node reads, as JSON for the host (the dictionary crosses as bytes). */
const OPTION_FIELDS = ["flush", "finishFlush", "chunkSize", "windowBits", "level", "memLevel", "strategy", "maxOutputLength", "params"];
function optionsOf(options) {
  if (options === null || typeof options !== "object") return [undefined, undefined];
  const picked = {};
  for (const field of OPTION_FIELDS) if (options[field] !== undefined) picked[field] = options[field];
  const dictionary = options.dictionary === undefined ? undefined : inputOf(options.dictionary);
  return [JSON.stringify(picked), dictionary];
}

// What a stream write asks of the host's stream (src/sandbox/native/zlib.ts).
const FLUSH_DEFAULT = -1;
const FLUSH_FINISH = -2;
const FLUSH_FULL = -3;
const FLUSH = Symbol("isolambda.zlibFlush");

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

function streamClasses(host, Transform, constants) {
  // A stream dropped unfinished frees its host half when the guest collects it.
  const registry = new FinalizationRegistry((id) => host.zlibClose(id));

  class ZlibBase extends Transform {
    #id;
    constructor(kind, options) {
      super({ ...options, readableObjectMode: false, writableObjectMode: false });
      const [json, dictionary] = optionsOf(options);
      this.#id = call(host.zlibOpen, kind, json, dictionary);
      registry.register(this, this.#id, this);
      this.bytesWritten = 0;
      this._handle = {};
    }
    _transform(chunk, encoding, callback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      let flush = typeof chunk[FLUSH] === "number" ? chunk[FLUSH] : FLUSH_DEFAULT;
      // The last chunk carries the finish flag, as Node's stream does.
      const state = this._writableState;
      if ((state.ending || state.ended) && state.length === bytes.byteLength) flush = FLUSH_FINISH;
      let out;
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
    _flush(callback) {
      this._transform(Buffer.alloc(0), "", callback);
    }
    _destroy(error, callback) {
      registry.unregister(this);
      host.zlibClose(this.#id);
      callback(error);
    }
    flush(kind, callback) {
      if (typeof kind === "function" || (kind === undefined && !callback)) [kind, callback] = [FLUSH_FULL, kind];
      if (this.writableFinished) {
        if (callback) process.nextTick(callback);
      } else if (this.writableEnded) {
        if (callback) this.once("end", callback);
      } else {
        const marker = Buffer.alloc(0);
        marker[FLUSH] = kind ?? FLUSH_FULL;
        this.write(marker, "", callback);
      }
    }
    params(level, strategy, callback) {
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
    reset() {
      call(host.zlibReset, this.#id);
    }
    close(callback) {
      if (callback) this.once("close", callback);
      this.destroy();
    }
  }
  const classes = {};
  for (const [className, kind] of Object.entries(KINDS)) {
    classes[className] = {
      [className]: class extends ZlibBase {
        constructor(options) {
          super(kind, options);
        }
      },
    }[className];
  }
  return classes;
}

export function createZlib(host) {
  const constants = JSON.parse(host.zlibConstants());
  const codes = {};
  for (const [name, value] of Object.entries(constants)) {
    if (/^Z_(OK|STREAM_END|NEED_DICT|ERRNO|STREAM_ERROR|DATA_ERROR|MEM_ERROR|BUF_ERROR|VERSION_ERROR)$/.test(name)) {
      codes[name] = value;
      codes[value] = name;
    }
  }
  const sync = (kind, data, options) => {
    const [json, dictionary] = optionsOf(options);
    return Buffer.from(call(host.zlibSync, kind, inputOf(data), json, dictionary));
  };
  let classes;
  const streamClass = (className) => {
    classes ??= streamClasses(host, require("readable-stream").Transform, constants);
    return classes[className];
  };
  const crc32 = (data, value = 0) => {
    if (typeof data !== "string" && !ArrayBuffer.isView(data)) {
      throw argTypeError("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    }
    return call(host.zlibCrc32, typeof data === "string" ? data : arrayBufferOf(data), value);
  };

  const api = { constants, codes, crc32 };
  for (const [className, kind] of Object.entries(KINDS)) {
    Object.defineProperty(api, className, { enumerable: true, get: () => streamClass(className) });
    api[`create${className}`] = (options) => new (streamClass(className))(options);
    api[`${kind}Sync`] = (data, options) => sync(kind, data, options);
    api[kind] = (data, options, callback) => {
      if (typeof options === "function") [options, callback] = [{}, options];
      if (typeof callback !== "function") throw argTypeError("callback", "of type function", callback);
      const input = inputOf(data);
      process.nextTick(() => {
        let result;
        try {
          result = sync(kind, input, options);
        } catch (error) {
          callback(error);
          return;
        }
        callback(null, result);
      });
    };
  }
  // Node still exposes zlib's constants at the top level, as it did before zlib.constants existed.
  for (const [name, value] of Object.entries(constants)) if (!name.startsWith("BROTLI")) api[name] = value;
  return api;
}
