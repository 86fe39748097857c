// node:stream/web and the WHATWG stream globals: web-streams-polyfill (the spec's reference
// implementation), with the encoding streams over the sandbox's TextEncoder/TextDecoder and the
// compression streams over node:zlib.
import { TransformStream } from "web-streams-polyfill";

export {
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  ReadableByteStreamController,
  ReadableStream,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableStreamDefaultController,
  ReadableStreamDefaultReader,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultController,
  WritableStreamDefaultWriter,
} from "web-streams-polyfill";

/** A class whose readable and writable sides are those of a TransformStream built by `transformer`. */
class TransformPair {
  #stream;
  constructor(transformer) {
    this.#stream = new TransformStream(transformer);
  }
  get readable() {
    return this.#stream.readable;
  }
  get writable() {
    return this.#stream.writable;
  }
}

export class TextEncoderStream extends TransformPair {
  constructor() {
    const encoder = new TextEncoder();
    // A surrogate pair split across chunks is encoded whole, with the next chunk.
    let pending = "";
    super({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pending) controller.enqueue(encoder.encode(pending));
      },
    });
  }
  get encoding() {
    return "utf-8";
  }
  get [Symbol.toStringTag]() {
    return "TextEncoderStream";
  }
}

export class TextDecoderStream extends TransformPair {
  #decoder;
  constructor(label = "utf-8", options = {}) {
    const decoder = new TextDecoder(label, options);
    super({
      transform(chunk, controller) {
        const text = decoder.decode(chunk, { stream: true });
        if (text) controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text) controller.enqueue(text);
      },
    });
    this.#decoder = decoder;
  }
  get encoding() {
    return this.#decoder.encoding;
  }
  get fatal() {
    return this.#decoder.fatal;
  }
  get ignoreBOM() {
    return this.#decoder.ignoreBOM;
  }
  get [Symbol.toStringTag]() {
    return "TextDecoderStream";
  }
}

const FORMATS = { gzip: "Gzip", deflate: "Deflate", "deflate-raw": "DeflateRaw" };
const INVERSE = { gzip: "Gunzip", deflate: "Inflate", "deflate-raw": "InflateRaw" };

/** A zlib stream of node:zlib as a TransformStream of Uint8Arrays. */
function zlibTransform(format, names) {
  if (!Object.hasOwn(names, format)) {
    throw new TypeError(`The argument 'format' must be one of: 'deflate', 'deflate-raw', 'gzip'. Received '${format}'`);
  }
  const zlib = globalThis[Symbol.for("isolambda.require")]("node:zlib");
  const stream = zlib[`create${names[format]}`]();
  let failure;
  return {
    start(controller) {
      stream.on("data", (data) => controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      stream.on("error", (error) => {
        failure = error;
        controller.error(error);
      });
    },
    transform(chunk) {
      if (!ArrayBuffer.isView(chunk) && !(chunk instanceof ArrayBuffer)) {
        throw new TypeError('The "chunk" argument must be of type ArrayBuffer or ArrayBufferView');
      }
      return new Promise((resolve, reject) =>
        stream.write(chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : chunk, () => (failure ? reject(failure) : resolve())),
      );
    },
    flush() {
      return new Promise((resolve, reject) => {
        stream.once("end", resolve);
        stream.once("error", reject);
        stream.end();
      });
    },
  };
}

export class CompressionStream extends TransformPair {
  constructor(format) {
    super(zlibTransform(format, FORMATS));
  }
}

export class DecompressionStream extends TransformPair {
  constructor(format) {
    super(zlibTransform(format, INVERSE));
  }
}
