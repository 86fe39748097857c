// node:zlib over fflate's streaming engines: one engine per call or stream, fed synchronously, so
// the sync, callback and stream forms share one code path and one set of errors. The stream
// classes are made on first use: gunzipSync alone does not pay for evaluating node:stream. No
// brotli library is bundled; its functions exist and throw an error saying so.
import { Buffer } from "buffer";
import { Decompress, Deflate, Gunzip as GunzipEngine, Gzip as GzipEngine, Inflate, Unzlib, Zlib } from "fflate";

const codes = {
  Z_OK: 0,
  Z_STREAM_END: 1,
  Z_NEED_DICT: 2,
  Z_ERRNO: -1,
  Z_STREAM_ERROR: -2,
  Z_DATA_ERROR: -3,
  Z_MEM_ERROR: -4,
  Z_BUF_ERROR: -5,
  Z_VERSION_ERROR: -6,
};

const constants = {
  Z_NO_FLUSH: 0,
  Z_PARTIAL_FLUSH: 1,
  Z_SYNC_FLUSH: 2,
  Z_FULL_FLUSH: 3,
  Z_FINISH: 4,
  Z_BLOCK: 5,
  ...codes,
  Z_NO_COMPRESSION: 0,
  Z_BEST_SPEED: 1,
  Z_BEST_COMPRESSION: 9,
  Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1,
  Z_HUFFMAN_ONLY: 2,
  Z_RLE: 3,
  Z_FIXED: 4,
  Z_DEFAULT_STRATEGY: 0,
  ZLIB_VERNUM: 4865,
  DEFLATE: 1,
  INFLATE: 2,
  GZIP: 3,
  GUNZIP: 4,
  DEFLATERAW: 5,
  INFLATERAW: 6,
  UNZIP: 7,
  BROTLI_DECODE: 8,
  BROTLI_ENCODE: 9,
  Z_MIN_WINDOWBITS: 8,
  Z_MAX_WINDOWBITS: 15,
  Z_DEFAULT_WINDOWBITS: 15,
  Z_MIN_CHUNK: 64,
  Z_MAX_CHUNK: Number.POSITIVE_INFINITY,
  Z_DEFAULT_CHUNK: 16384,
  Z_MIN_MEMLEVEL: 1,
  Z_MAX_MEMLEVEL: 9,
  Z_DEFAULT_MEMLEVEL: 8,
  Z_MIN_LEVEL: -1,
  Z_MAX_LEVEL: 9,
  Z_DEFAULT_LEVEL: -1,
};

const zlibError = (message, code) => Object.assign(new Error(message), { errno: codes[code], code });

/** fflate's error as Node's zlib reports the same condition. */
function translate(error) {
  if (typeof error?.code !== "number") return error;
  if (error.code === 0) return zlibError("unexpected end of file", "Z_BUF_ERROR");
  if (/invalid (gzip|zlib) data/.test(error.message)) return zlibError("incorrect header check", "Z_DATA_ERROR");
  return zlibError(error.message, "Z_DATA_ERROR");
}

const deflateOptions = (options = {}) => {
  const level = options.level ?? -1;
  const engine = { level: level === -1 ? 6 : level };
  if (options.dictionary) engine.dictionary = bytesOf(options.dictionary, "dictionary");
  return engine;
};
const inflateOptions = (options = {}) => (options.dictionary ? { dictionary: bytesOf(options.dictionary, "dictionary") } : {});

const ENGINES = {
  gzip: (options) => new GzipEngine(deflateOptions(options)),
  gunzip: () => new GunzipEngine(),
  deflate: (options) => new Zlib(deflateOptions(options)),
  inflate: (options) => new Unzlib(inflateOptions(options)),
  deflateRaw: (options) => new Deflate(deflateOptions(options)),
  inflateRaw: (options) => new Inflate(inflateOptions(options)),
  unzip: () => new Decompress(),
};

function bytesOf(data, name = "buffer") {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw Object.assign(
    new TypeError(`The "${name}" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.`),
    { code: "ERR_INVALID_ARG_TYPE" },
  );
}

function runSync(kind, data, options) {
  const input = bytesOf(data);
  const chunks = [];
  const engine = ENGINES[kind](options);
  engine.ondata = (chunk) => chunks.push(chunk);
  try {
    engine.push(input, true);
  } catch (error) {
    throw translate(error);
  }
  const out = Buffer.concat(chunks);
  if (options?.maxOutputLength !== undefined && out.length > options.maxOutputLength) {
    throw Object.assign(new RangeError(`Cannot create a Buffer larger than ${options.maxOutputLength} bytes`), {
      code: "ERR_BUFFER_TOO_LARGE",
    });
  }
  return out;
}

const KINDS = {
  Gzip: "gzip",
  Gunzip: "gunzip",
  Deflate: "deflate",
  Inflate: "inflate",
  DeflateRaw: "deflateRaw",
  InflateRaw: "inflateRaw",
  Unzip: "unzip",
};

let streamClasses;
function classes() {
  if (streamClasses) return streamClasses;
  const { Transform } = require("readable-stream");
  class ZlibBase extends Transform {
    #engine;
    #kind;
    constructor(kind, options = {}) {
      super({ ...options, readableObjectMode: false, writableObjectMode: false });
      this.#kind = kind;
      this.#engine = ENGINES[kind](options);
      this.#engine.ondata = (chunk) => this.push(Buffer.from(chunk));
      this.bytesWritten = 0;
      this._handle = {};
    }
    _transform(chunk, encoding, callback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : bytesOf(chunk, "chunk");
      this.bytesWritten += bytes.length;
      try {
        this.#engine.push(bytes, false);
      } catch (error) {
        callback(translate(error));
        return;
      }
      callback();
    }
    _flush(callback) {
      try {
        this.#engine.push(new Uint8Array(0), true);
      } catch (error) {
        callback(translate(error));
        return;
      }
      callback();
    }
    /** Emits what has been compressed so far (a sync flush); decompressors emit as they go. */
    flush(kind, callback) {
      if (typeof kind === "function") callback = kind;
      if (typeof this.#engine.flush === "function" && !this.writableEnded) this.#engine.flush(true);
      if (callback) process.nextTick(callback);
    }
    params(_level, _strategy, callback) {
      if (callback) process.nextTick(callback);
    }
    reset() {
      this.#engine = ENGINES[this.#kind]({});
    }
    close(callback) {
      if (callback) this.once("close", callback);
      this.destroy();
    }
  }
  streamClasses = {};
  for (const [className, kind] of Object.entries(KINDS)) {
    streamClasses[className] = {
      [className]: class extends ZlibBase {
        constructor(options) {
          super(kind, options);
        }
      },
    }[className];
  }
  return streamClasses;
}

const api = { constants, codes: { ...codes, ...Object.fromEntries(Object.entries(codes).map(([k, v]) => [v, k])) } };
for (const [className, kind] of Object.entries(KINDS)) {
  Object.defineProperty(api, className, { enumerable: true, get: () => classes()[className] });
  api[`create${className}`] = (options) => new (classes()[className])(options);
  api[`${kind}Sync`] = (data, options) => runSync(kind, data, options);
  api[kind] = (data, options, callback) => {
    if (typeof options === "function") [options, callback] = [{}, options];
    if (typeof callback !== "function") {
      throw Object.assign(new TypeError('The "callback" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
    }
    const input = bytesOf(data);
    process.nextTick(() => {
      let result;
      try {
        result = runSync(kind, input, options);
      } catch (error) {
        callback(error);
        return;
      }
      callback(null, result);
    });
  };
}

const noBrotli = (name) => () => {
  throw Object.assign(new Error(`zlib.${name} is not available in isolambda: no brotli library is bundled (gzip and deflate are)`), {
    code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
  });
};
for (const name of [
  "brotliCompress",
  "brotliCompressSync",
  "brotliDecompress",
  "brotliDecompressSync",
  "createBrotliCompress",
  "createBrotliDecompress",
  "BrotliCompress",
  "BrotliDecompress",
]) {
  api[name] = noBrotli(name);
}

// Node still exposes the constants at the top level, as it did before zlib.constants existed.
for (const [name, value] of Object.entries(constants)) if (name.startsWith("Z_")) api[name] = value;

export default api;
