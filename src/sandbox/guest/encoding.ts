// TextEncoder and TextDecoder; loaded on first use. Encoding goes through Buffer (the host's Node past
// a few hundred characters); decoding is the host's TextDecoder (src/sandbox/executor/native/encoding.ts),
// but for short ASCII, which QuickJS decodes exactly and faster than a crossing.
import type { Builtin } from "./builtin-modules.js";
import { callHost } from "./native-error.js";

const host = isolambdaHost;

/** Shorter ASCII input is decoded here: below this, the crossing costs more than the loop. */
const NATIVE_MIN_LENGTH = 64;

export function utf8Encoder(builtin: Builtin) {
  return class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input: unknown = ""): Uint8Array {
      const buf = builtin("buffer").Buffer.from(`${input}`, "utf8") as Uint8Array;
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    encodeInto(input: unknown, dest: Uint8Array): { read: number; written: number } {
      const text = `${input}`;
      const bytes = this.encode(text);
      if (bytes.length <= dest.length) {
        dest.set(bytes);
        return { read: text.length, written: bytes.length };
      }
      // Whole characters only, as Node writes them; `read` counts their UTF-16 units.
      let written = dest.length;
      while (written > 0 && ((bytes[written] as number) & 0xc0) === 0x80) written--;
      dest.set(bytes.subarray(0, written));
      let read = 0;
      for (let i = 0; i < written; i++) if (((bytes[i] as number) & 0xc0) !== 0x80) read += (bytes[i] as number) >= 0xf0 ? 2 : 1;
      return { read, written };
    }
  };
}

const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });
const EMPTY = new Uint8Array(0);

function bytesOf(input: unknown): Uint8Array {
  if (input === undefined) return EMPTY;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    'The "list" argument must be an instance of SharedArrayBuffer, ArrayBuffer or ArrayBufferView.',
  );
}

/** Where a stream's chunk stops being whole: an unfinished UTF-8 sequence or UTF-16 unit waits for the next. */
function wholeLength(bytes: Uint8Array, encoding: string): number {
  const length = bytes.length;
  if (encoding === "utf-8") {
    for (let i = length - 1; i >= Math.max(0, length - 3); i--) {
      const byte = bytes[i] as number;
      if ((byte & 0xc0) === 0x80) continue;
      const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return length - i < needs ? i : length;
    }
    return length;
  }
  if (encoding === "utf-16le") {
    let end = length - (length % 2);
    // A high surrogate waits for its low half.
    if (end >= 2 && ((bytes[end - 1] as number) & 0xfc) === 0xd8) end -= 2;
    return end;
  }
  return length;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 0x7f) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function utf8Decoder() {
  /** Labels already resolved to their encoding (the host knows Node's full list). */
  const encodings = new Map<string, string>([
    ["utf-8", "utf-8"],
    ["utf8", "utf-8"],
    ["unicode-1-1-utf-8", "utf-8"],
  ]);
  return class TextDecoder {
    #encoding: string;
    #fatal: boolean;
    #ignoreBOM: boolean;
    /** The unfinished end of a streamed chunk, decoded with the next. */
    #pending = EMPTY;
    /** Whether a stream has begun: only its first bytes may be a BOM. */
    #begun = false;
    constructor(label: unknown = "utf-8", options: { fatal?: unknown; ignoreBOM?: unknown } | null = {}) {
      const key = `${label}`.trim().toLowerCase();
      let encoding = encodings.get(key);
      if (encoding === undefined) {
        encoding = callHost(host.encodingLabel, `${label}`);
        encodings.set(key, encoding);
      }
      this.#encoding = encoding;
      this.#fatal = Boolean(options?.fatal);
      this.#ignoreBOM = Boolean(options?.ignoreBOM);
    }
    get encoding() {
      return this.#encoding;
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input?: unknown, options?: { stream?: unknown } | null): string {
      let bytes = bytesOf(input);
      if (this.#pending.length > 0) {
        bytes = concat(this.#pending, bytes);
        this.#pending = EMPTY;
      }
      const stream = Boolean(options?.stream);
      if (stream) {
        const whole = wholeLength(bytes, this.#encoding);
        if (whole < bytes.length) {
          this.#pending = bytes.slice(whole);
          bytes = bytes.subarray(0, whole);
        }
      }
      const ignoreBOM = this.#ignoreBOM || this.#begun;
      this.#begun = stream && (this.#begun || bytes.length > 0);
      if (bytes.length === 0) return "";
      if (this.#encoding === "utf-8" && bytes.length < NATIVE_MIN_LENGTH && isAscii(bytes))
        return String.fromCharCode.apply(null, bytes as unknown as number[]);
      const whole = bytes.byteOffset === 0 && bytes.length === bytes.buffer.byteLength;
      const data = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)) as ArrayBuffer;
      return callHost(host.encodingDecode, data, this.#encoding, this.#fatal, ignoreBOM);
    }
  };
}
