// Node's Blob and File (globals, and node:buffer's), held in memory as Node's are: koa and other
// frameworks test `body instanceof Blob` on every response, so the global must exist. A Blob is
// immutable, so one copy of its bytes is made at construction and slices share it.
import { BLOB_BYTES } from "../body-symbols.js";
import type { ReadableByteStreamController } from "./stream-web.js";

function invalidArg(name: string, expected: string, value: unknown): TypeError {
  const shown = typeof value === "string" ? `'${value.length > 28 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  const received = value === null ? "null" : typeof value === "object" ? "an instance of Object" : `type ${typeof value} (${shown})`;
  return Object.assign(new TypeError(`The "${name}" argument must be ${expected}. Received ${received}`), { code: "ERR_INVALID_ARG_TYPE" });
}

/** The bytes of one part other than a Blob: a string as UTF-8 (line endings as `endings` asks), a buffer source's bytes. */
function bytesOf(part: unknown, endings: string): Uint8Array {
  if (part instanceof ArrayBuffer || part instanceof SharedArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  const text = String(part);
  return new TextEncoder().encode(endings === "native" ? text.replace(/\r?\n/g, "\n") : text);
}

/** The MIME type as the File API keeps it: lower case, or empty if it holds a character outside U+0020–U+007E. */
function typeOf(type: unknown): string {
  const text = type === undefined ? "" : String(type);
  return /^[\x20-\x7e]*$/.test(text) ? text.toLowerCase() : "";
}

interface BlobOptions {
  type?: unknown;
  endings?: unknown;
}

interface FileOptions extends BlobOptions {
  lastModified?: unknown;
}

export class Blob {
  #bytes: Uint8Array;
  #type: string;
  constructor(sources: unknown = [], options: unknown = {}) {
    if (sources === null || typeof sources !== "object" || typeof (sources as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw invalidArg("sources", "a sequence", sources);
    }
    if (options !== undefined && (options === null || typeof options !== "object")) throw invalidArg("options", "of type object", options);
    const endings = (options as BlobOptions | undefined)?.endings ?? "transparent";
    if (endings !== "transparent" && endings !== "native") {
      throw Object.assign(new TypeError(`The property 'options.endings' must be one of: 'transparent', 'native'. Received '${endings}'`), {
        code: "ERR_INVALID_ARG_VALUE",
      });
    }
    const parts = [...(sources as Iterable<unknown>)].map((part) => (part instanceof Blob ? part.#bytes : bytesOf(part, endings)));
    const bytes = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
    this.#bytes = bytes;
    this.#type = typeOf((options as BlobOptions | undefined)?.type);
  }
  get size() {
    return this.#bytes.byteLength;
  }
  get type() {
    return this.#type;
  }
  slice(start = 0, end = this.size, type = ""): Blob {
    const blob = new Blob([], { type });
    blob.#bytes = this.#bytes.subarray(
      ...([start, end].map((at) => (at < 0 ? Math.max(this.size + at, 0) : Math.min(at, this.size))) as [number, number]),
    );
    return blob;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer;
  }
  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }
  async text(): Promise<string> {
    return new TextDecoder().decode(this.#bytes);
  }
  stream(): ReadableStream<Uint8Array> {
    const bytes = this.#bytes;
    return new ReadableStream({
      type: "bytes",
      start(controller: ReadableByteStreamController) {
        if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
        controller.close();
      },
    });
  }
  /** For a body that holds the Blob (Request, Response, FormData's multipart). */
  [BLOB_BYTES](): Uint8Array {
    return this.#bytes.slice();
  }
  get [Symbol.toStringTag]() {
    return "Blob";
  }
}

export class File extends Blob {
  #name: string;
  #lastModified: number;
  constructor(...args: [fileBits: unknown, fileName: unknown, options?: unknown]) {
    if (args.length < 2) {
      throw Object.assign(new TypeError('The "fileBits" and "fileName" arguments must be specified'), { code: "ERR_MISSING_ARGS" });
    }
    const [fileBits, fileName, options = {}] = args;
    super(fileBits, options);
    this.#name = String(fileName);
    const { lastModified } = (options ?? {}) as FileOptions;
    this.#lastModified = lastModified === undefined ? Date.now() : Number(lastModified);
  }
  get name() {
    return this.#name;
  }
  get lastModified() {
    return this.#lastModified;
  }
  override get [Symbol.toStringTag]() {
    return "File";
  }
}
