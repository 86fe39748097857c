// The `buffer` package: the global Buffer, and node:buffer with the constants Node adds. Its string
// codecs are interpreted JavaScript, slower than a crossing from a few dozen bytes on (15 µs to
// base64 16 bytes, 45 µs to decode them): the host's Node converts instead (src/sandbox/executor/native/
// encoding.ts), in one crossing, with Node's own results. Short one-byte text stays here.
import { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer } from "buffer";

// The package's types name its Buffer class only.
declare module "buffer" {
  export const INSPECT_MAX_BYTES: number;
  export const kMaxLength: number;
  export const SlowBuffer: (size: number) => Buffer;
}

const host = isolambdaHost;

/**
 * Below this length, text whose characters are one byte each (ASCII, or any in latin1) is converted
 * by a loop here, and hex, base64 and UTF-16 are encoded by the package: each costs less than the
 * 3–5 µs crossing there (bench/native-codecs.ts's cases, scaled down).
 */
const SHORT = 64;
const SHORT_ENCODE = 16;

const NATIVE_ENCODINGS = new Set([
  "utf8",
  "utf-8",
  "hex",
  "base64",
  "base64url",
  "latin1",
  "binary",
  "ascii",
  "ucs2",
  "ucs-2",
  "utf16le",
  "utf-16le",
]);
/**
 * The encoding's lower-case name if the host converts it, else undefined (the package decides, and
 * throws for an unknown one). A name as written in lower case is found without lowering it (~0.2 µs).
 */
const nativeEncoding = (encoding: unknown): string | undefined => {
  if (encoding === undefined || encoding === null || encoding === "") return "utf8";
  if (typeof encoding !== "string") return undefined;
  if (NATIVE_ENCODINGS.has(encoding)) return encoding;
  const lower = encoding.toLowerCase();
  return NATIVE_ENCODINGS.has(lower) ? lower : undefined;
};
const isUtf8 = (encoding: unknown) => encoding === "utf8" || encoding === "utf-8";
/** Node writes a character in these as its low byte, whatever it is. */
const LOW_BYTE = new Set(["latin1", "binary", "ascii"]);

/** Short text as bytes made here, when each character is one byte in `name`; else undefined. */
function shortBytes(string: string, name: string): Buffer | undefined {
  const length = string.length;
  if (length >= SHORT) return undefined;
  const low = LOW_BYTE.has(name);
  if (!low && !isUtf8(name)) return undefined;
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const code = string.charCodeAt(i);
    if (code > 0x7f && !low) return undefined;
    bytes[i] = code;
  }
  return bytes;
}

function isAsciiText(string: string): boolean {
  for (let i = 0; i < string.length; i++) if (string.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A view's bytes from..to as a whole ArrayBuffer, the form the host takes (copied unless it is one already). */
function arrayBufferOf(view: Uint8Array, from: number, to: number): ArrayBuffer {
  const start = view.byteOffset + from;
  const end = view.byteOffset + to;
  return (start === 0 && end === view.buffer.byteLength ? view.buffer : view.buffer.slice(start, end)) as ArrayBuffer;
}

const NOT_ASCII = /[^\0-\x7f]/;

// Node has spoken base64url since v15; the package has not. Its base64 decoder already accepts the
// URL-safe alphabet, so decoding maps the name, and encoding rewrites base64's output.
const isBase64url = (encoding: unknown) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
const toUrlAlphabet = (base64: string) => base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

// The package's own methods, called with the arguments as they came: it checks them as Node does.
const { from, byteLength, isEncoding } = Buffer as unknown as {
  from(this: typeof Buffer, ...args: unknown[]): Buffer;
  byteLength(...args: unknown[]): number;
  isEncoding(encoding: unknown): boolean;
};
const { toString: bufferToString, write } = Buffer.prototype as unknown as {
  toString(this: Buffer, ...args: unknown[]): string;
  write(this: Buffer, ...args: unknown[]): number;
};

/**
 * The last long text made bytes, kept with a copy of its bytes: the AWS SDK encodes an SQS message
 * body twice a call (its JSON writer, then its MD5 check), and copying 200 KB in the guest costs a
 * tenth of sending it to the host and back. Past MEMO_MAX a text is not kept: it would hold its
 * bytes twice in the function's memory.
 */
const MEMO_MIN = 16 * 1024;
const MEMO_MAX = 1024 * 1024;
let memoText: string | undefined;
let memoName = "";
let memoBytes = new ArrayBuffer(0);

function textBytes(value: string, name: string): ArrayBuffer {
  if (value.length >= MEMO_MIN && value === memoText && name === memoName) return memoBytes.slice(0);
  const bytes = host.encodingFromString(value, name, value.length);
  if (value.length >= MEMO_MIN && value.length <= MEMO_MAX) {
    memoText = value;
    memoName = name;
    memoBytes = bytes.slice(0);
  }
  return bytes;
}

/** A Buffer over the whole of `bytes`, as the package's from(ArrayBuffer) makes it without its checks (~0.5 µs of ~1). */
function over(bytes: ArrayBuffer): Buffer {
  const buffer = new Uint8Array(bytes);
  Object.setPrototypeOf(buffer, Buffer.prototype);
  return buffer as Buffer;
}

Buffer.from = function (this: typeof Buffer, value: unknown, encodingOrOffset?: unknown, length?: unknown): Buffer {
  if (typeof value === "string") {
    const name = nativeEncoding(encodingOrOffset);
    if (name !== undefined) return shortBytes(value, name) ?? over(textBytes(value, name));
  }
  return from.call(this, value, isBase64url(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};

Buffer.byteLength = (string: unknown, encoding?: unknown): number => {
  if (typeof string === "string") {
    const name = nativeEncoding(encoding);
    if (name !== undefined) {
      if (string.length < SHORT && (LOW_BYTE.has(name) || (isUtf8(name) && isAsciiText(string)))) return string.length;
      return host.encodingByteLength(string, name);
    }
  }
  return byteLength(string, isBase64url(encoding) ? "base64" : encoding);
};

Buffer.isEncoding = (encoding: unknown): boolean => isBase64url(encoding) || isEncoding(encoding);

Buffer.prototype.toString = function (this: Buffer, encoding?: unknown, start?: number, end?: number): string {
  const length = this.length;
  // The package's (and Node's) bounds: out-of-range start and end are clamped, not refused.
  const from = start === undefined || start < 0 ? 0 : Math.trunc(start) || 0;
  const to = end === undefined || end > length ? length : Math.trunc(end) || 0;
  const name = nativeEncoding(encoding);
  if (name !== undefined && to > from && from < length) {
    const size = to - from;
    if (size >= SHORT) return host.encodingToString(arrayBufferOf(this, from, to), name);
    if (name === "latin1" || name === "binary" || isUtf8(name) || name === "ascii") {
      const text = String.fromCharCode.apply(null, new Uint8Array(this.buffer, this.byteOffset + from, size) as unknown as number[]);
      // One byte a character when none is past 0x7f: a regular expression tests that in C, a loop here costs ~1 µs.
      if (name === "latin1" || name === "binary" || !NOT_ASCII.test(text)) return text;
    }
    // The package encodes ascii, hex, base64 and UTF-16 as Node does, but decodes invalid UTF-8 its own way.
    if (isUtf8(name) || size >= SHORT_ENCODE) return host.encodingToString(arrayBufferOf(this, from, to), name);
  }
  if (isBase64url(encoding)) return toUrlAlphabet(bufferToString.call(this, "base64", start, end));
  return bufferToString.call(this, encoding, start, end);
};

/** An end of subarray or slice as Node takes it: an integer (NaN is 0) counted from the end when negative, clamped to the length. */
function offsetIn(value: unknown, length: number, otherwise: number): number {
  if (value === undefined) return otherwise;
  // Math.trunc converts as Node's adjustOffset does: a BigInt is a TypeError, an object its valueOf.
  const offset = Math.trunc(value as number) || 0;
  return offset < 0 ? Math.max(length + offset, 0) : Math.min(offset, length);
}

/**
 * A Buffer over part of this one's memory. Uint8Array's own subarray makes its result through the
 * species constructor, which is the package's Buffer function and its checks (~1 µs a call here);
 * libraries slice buffers a few at a time on every parse.
 */
function subarray(this: Uint8Array, start?: unknown, end?: unknown): Buffer {
  const length = this.length;
  const from = offsetIn(start, length, 0);
  const to = offsetIn(end, length, length);
  const view = new Uint8Array(this.buffer, this.byteOffset + from, to > from ? to - from : 0);
  Object.setPrototypeOf(view, Buffer.prototype);
  return view as Buffer;
}
Buffer.prototype.subarray = subarray as typeof Buffer.prototype.subarray;
// Node's slice is subarray (the package's reads its ends as 32-bit integers).
Buffer.prototype.slice = subarray as typeof Buffer.prototype.slice;

/** How many of `bytes` fit in `room` without splitting a character, as Node writes a string that does not fit. */
function fitting(bytes: Uint8Array, room: number, encoding: string): number {
  if (bytes.length <= room) return bytes.length;
  if (isUtf8(encoding)) {
    let end = room;
    while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    return end;
  }
  return TWO_BYTE.has(encoding) ? room - (room % 2) : room;
}
const TWO_BYTE = new Set(["ucs2", "ucs-2", "utf16le", "utf-16le"]);

Buffer.prototype.write = function (this: Buffer, string: unknown, offset?: unknown, length?: unknown, encoding?: unknown): number {
  if (typeof string === "string") {
    // write(string[, offset[, length]][, encoding]), as Node reads it.
    let at = offset;
    let max = length;
    let name = encoding;
    if (typeof offset === "string") [at, max, name] = [0, undefined, offset];
    else if (typeof length === "string") [max, name] = [undefined, length];
    at ??= 0;
    const native = nativeEncoding(name);
    if (
      native !== undefined &&
      Number.isInteger(at) &&
      (at as number) >= 0 &&
      (at as number) <= this.length &&
      (max === undefined || (Number.isInteger(max) && (max as number) >= 0))
    ) {
      const room = Math.min((max as number | undefined) ?? this.length, this.length - (at as number));
      const bytes = shortBytes(string, native) ?? new Uint8Array(host.encodingFromString(string, native, string.length));
      const count = fitting(bytes, room, native);
      this.set(count === bytes.length ? bytes : bytes.subarray(0, count), at as number);
      return count;
    }
  }
  const base64 = (arg: unknown) => (isBase64url(arg) ? "base64" : arg);
  return write.call(this, string, base64(offset), base64(length), base64(encoding));
};

const packageFill = Buffer.prototype.fill as unknown as (this: Buffer, ...args: unknown[]) => Buffer;
const { fill: fillBytes, copyWithin } = Uint8Array.prototype;

/** A fill value as its bytes, when the fast path takes it: a byte, or a pattern of them. */
function fillPattern(value: unknown, encoding: unknown): number | Uint8Array | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Uint8Array) return value.length > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const name = nativeEncoding(encoding);
  if (name === undefined) return undefined;
  // Node fills with zeros for '' and with the byte itself for one ASCII character (any one in latin1).
  if (value.length === 0) return 0;
  const code = value.charCodeAt(0);
  if (value.length === 1 && (name === "latin1" || name === "binary" || (isUtf8(name) && code < 128))) return code;
  const bytes = Buffer.from(value, name);
  return bytes.length > 0 ? bytes : undefined;
}

/**
 * fill(value[, offset[, end]][, encoding]) as Node's: a byte by Uint8Array's fill, a pattern by
 * copies that double what is written, both in C. The package's fill is a loop here (8 MB took
 * ~200 ms in the guest, 3 ms in Node); it still takes what this does not (its checks and errors).
 */
Buffer.prototype.fill = function (this: Buffer, value: unknown, offset?: unknown, end?: unknown, encoding?: unknown): Buffer {
  let [from, to, name] = [offset, end, encoding];
  if (typeof value === "string") {
    if (typeof offset === "string") [from, to, name] = [undefined, undefined, offset];
    else if (typeof end === "string") [to, name] = [undefined, end];
  }
  const length = this.length;
  const start = from ?? 0;
  const stop = to ?? length;
  const pattern =
    Number.isInteger(start) && Number.isInteger(stop) && (start as number) >= 0 && (stop as number) <= length
      ? fillPattern(value, name)
      : undefined;
  if (pattern === undefined) return packageFill.call(this, value, offset, end, encoding);
  const [first, last] = [start as number, stop as number];
  if (last <= first) return this;
  if (typeof pattern === "number") {
    fillBytes.call(this, pattern & 255, first, last);
    return this;
  }
  const span = last - first;
  let filled = Math.min(pattern.length, span);
  this.set(filled === pattern.length ? pattern : pattern.subarray(0, filled), first);
  while (filled < span) {
    const copied = Math.min(filled, span - filled);
    copyWithin.call(this, first + filled, first, first + copied);
    filled += copied;
  }
  return this;
};

/**
 * Searches and comparisons of this many bytes or more run in the host's Node: the package loops
 * over the bytes here (a megabyte took 35 ms to compare and 125 ms to search, ~1,000× Node), and a
 * crossing costs what ~300 steps of such a loop do.
 */
const NATIVE_SCAN = 512;
const { compare: packageCompare } = Buffer;
const { indexOf: packageIndexOf, lastIndexOf: packageLastIndexOf } = Buffer.prototype as unknown as Record<
  "indexOf" | "lastIndexOf",
  (this: Buffer, ...args: unknown[]) => number
>;

Buffer.compare = function compare(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  if (a instanceof Uint8Array && b instanceof Uint8Array && Math.min(a.length, b.length) >= NATIVE_SCAN) {
    return host.encodingCompare(arrayBufferOf(a, 0, a.length), arrayBufferOf(b, 0, b.length)) as -1 | 0 | 1;
  }
  return packageCompare(a, b) as -1 | 0 | 1;
};

const packageCompareTo = Buffer.prototype.compare as unknown as (this: Buffer, ...args: unknown[]) => number;
// buf.compare(target) of whole buffers is Buffer.compare's; with ranges, the package's.
Buffer.prototype.compare = function (this: Buffer, target: unknown, ...ranges: unknown[]): -1 | 0 | 1 {
  if (ranges.every((range) => range === undefined) && target instanceof Uint8Array) return Buffer.compare(this, target) as -1 | 0 | 1;
  return packageCompareTo.call(this, target, ...ranges) as -1 | 0 | 1;
} as typeof Buffer.prototype.compare;

/**
 * indexOf or lastIndexOf by the host, as Node answers it: in a long buffer, and in any buffer for
 * the forms the package answers otherwise than Node (an encoding other than UTF-8, a byteOffset
 * that is not an integer, such as an encoding in its place, an empty needle, a Uint8Array that is
 * not a Buffer); undefined for the package to answer.
 */
function nativeSearch(buffer: Buffer, value: unknown, byteOffset: unknown, encoding: unknown, last: boolean): number | undefined {
  const needle = typeof value === "string" || typeof value === "number" || value instanceof Uint8Array;
  if (!needle || !(byteOffset === undefined || typeof byteOffset === "number" || typeof byteOffset === "string")) return undefined;
  if (!(encoding === undefined || typeof encoding === "string")) return undefined;
  const plain = (byteOffset === undefined || Number.isInteger(byteOffset)) && (encoding === undefined || isUtf8(encoding));
  // A byte is found by Uint8Array's own search, in C; the package finds text and Buffers as Node does, but not nothing.
  const found = typeof value === "number" || (value.length > 0 && (typeof value === "string" || Buffer.isBuffer(value)));
  if (plain && found && (typeof value === "number" || buffer.length < NATIVE_SCAN)) return undefined;
  const sought = value instanceof Uint8Array ? arrayBufferOf(value, 0, value.length) : value;
  return host.encodingIndexOf(arrayBufferOf(buffer, 0, buffer.length), sought, byteOffset, encoding, last);
}

Buffer.prototype.indexOf = function (this: Buffer, value: unknown, byteOffset?: unknown, encoding?: unknown): number {
  return nativeSearch(this, value, byteOffset, encoding, false) ?? packageIndexOf.call(this, value, byteOffset, encoding);
};
Buffer.prototype.lastIndexOf = function (this: Buffer, value: unknown, byteOffset?: unknown, encoding?: unknown): number {
  return nativeSearch(this, value, byteOffset, encoding, true) ?? packageLastIndexOf.call(this, value, byteOffset, encoding);
};

export { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer };
// V8's largest string on 64-bit hosts, as Node reports it.
export const kStringMaxLength = 0x1fffffe8;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
