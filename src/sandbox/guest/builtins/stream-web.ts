// node:stream/web and the WHATWG stream globals: web-streams-polyfill (the spec's reference
// implementation), with the encoding streams over the sandbox's TextEncoder/TextDecoder and the
// compression streams over node:zlib.
import { type Transformer, TransformStream, type TransformStreamDefaultController } from "web-streams-polyfill";

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
class TransformPair<I, O> {
  #stream: TransformStream<I, O>;
  constructor(transformer: Transformer<I, O>) {
    this.#stream = new TransformStream(transformer);
  }
  get readable() {
    return this.#stream.readable;
  }
  get writable() {
    return this.#stream.writable;
  }
}

export class TextEncoderStream extends TransformPair<unknown, Uint8Array> {
  constructor() {
    const encoder = new TextEncoder();
    // A surrogate pair split across chunks is encoded whole, with the next chunk.
    let pending = "";
    super({
      transform(chunk, controller: TransformStreamDefaultController<Uint8Array>) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller: TransformStreamDefaultController<Uint8Array>) {
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

export class TextDecoderStream extends TransformPair<Uint8Array, string> {
  #decoder: InstanceType<typeof TextDecoder>;
  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const decoder = new TextDecoder(label, options);
    super({
      transform(chunk, controller: TransformStreamDefaultController<string>) {
        const text = decoder.decode(chunk, { stream: true });
        if (text) controller.enqueue(text);
      },
      flush(controller: TransformStreamDefaultController<string>) {
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

/** The node:zlib stream of each format, by the name after `create`. */
type Names = Record<string, string>;

const FORMATS: Names = { gzip: "Gzip", deflate: "Deflate", "deflate-raw": "DeflateRaw" };
const INVERSE: Names = { gzip: "Gunzip", deflate: "Inflate", "deflate-raw": "InflateRaw" };

/** A zlib stream of node:zlib, as far as a TransformStream drives it. */
interface ZlibStream {
  on(event: "data", listener: (data: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
  once(event: "end" | "error", listener: (...args: never[]) => void): unknown;
  write(chunk: ArrayBufferView, callback: () => void): unknown;
  end(): unknown;
}

type Require = (name: string) => Record<string, () => ZlibStream>;

/** A zlib stream of node:zlib as a TransformStream of Uint8Arrays. */
function zlibTransform(format: unknown, names: Names): Transformer<unknown, Uint8Array> {
  if (!Object.hasOwn(names, format as PropertyKey)) {
    throw new TypeError(`The argument 'format' must be one of: 'deflate', 'deflate-raw', 'gzip'. Received '${format}'`);
  }
  const zlib = (globalThis as unknown as Record<symbol, Require>)[Symbol.for("isolambda.require")]("node:zlib");
  const stream = zlib[`create${names[format as string]}`]();
  let failure: unknown;
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
      return new Promise<void>((resolve, reject) =>
        stream.write(chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : chunk, () => (failure ? reject(failure) : resolve())),
      );
    },
    flush() {
      return new Promise<void>((resolve, reject) => {
        stream.once("end", resolve);
        stream.once("error", reject);
        stream.end();
      });
    },
  };
}

export class CompressionStream extends TransformPair<unknown, Uint8Array> {
  constructor(format: unknown) {
    super(zlibTransform(format, FORMATS));
  }
}

export class DecompressionStream extends TransformPair<unknown, Uint8Array> {
  constructor(format: unknown) {
    super(zlibTransform(format, INVERSE));
  }
}
