// The `buffer` package: the global Buffer, and node:buffer with the constants Node adds. Its string
// codecs are interpreted JavaScript; past a few hundred bytes, the host's Node converts instead
// (src/sandbox/native/encoding.ts), in one crossing, with Node's own results.
/* global isolambdaHost */
import { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer } from "buffer";

const host = isolambdaHost;

/**
 * From this many bytes or characters a conversion crosses to the host: below it, the package's
 * loop costs less than the crossing (measured with bench/native-codecs.ts's cases scaled down).
 */
const NATIVE_MIN_LENGTH = 256;

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
/** The encoding's lower-case name if the host converts it, else undefined (the package decides, and throws for an unknown one). */
const nativeEncoding = (encoding) => {
  if (encoding === undefined || encoding === null || encoding === "") return "utf8";
  if (typeof encoding !== "string") return undefined;
  const lower = encoding.toLowerCase();
  return NATIVE_ENCODINGS.has(lower) ? lower : undefined;
};
const isUtf8 = (encoding) => encoding === "utf8" || encoding === "utf-8";

// The package reads malformed hex and base64 its own way (parseInt takes "aé" as 0x0a); Node stops at
// the first bad pair and skips stray characters. Short clean input it reads as Node does.
const CLEAN_HEX = /^[0-9a-fA-F]*$/;
const CLEAN_BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The host's encoding name for `string` in `encoding`, if the host converts it: long, or short and malformed. */
function hostEncoding(string, encoding) {
  const name = nativeEncoding(encoding);
  if (name === undefined || string.length >= NATIVE_MIN_LENGTH) return name;
  if (name === "hex") return CLEAN_HEX.test(string) ? undefined : name;
  // Base64 with one character past a whole group is malformed too.
  if (name === "base64" || name === "base64url") {
    return CLEAN_BASE64.test(string) && string.replace(/=+$/, "").length % 4 !== 1 ? undefined : name;
  }
  return undefined;
}

/** A view's bytes from..to as a whole ArrayBuffer, the form the host takes (copied unless it is one already). */
function arrayBufferOf(view, from, to) {
  const start = view.byteOffset + from;
  const end = view.byteOffset + to;
  return start === 0 && end === view.buffer.byteLength ? view.buffer : view.buffer.slice(start, end);
}

/** The package decodes invalid UTF-8 its own way (one U+FFFD per byte); ASCII it decodes as Node does. */
function isAscii(bytes, from, to) {
  for (let i = from; i < to; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

// Node has spoken base64url since v15; the package has not. Its base64 decoder already accepts the
// URL-safe alphabet, so decoding maps the name, and encoding rewrites base64's output.
const isBase64url = (encoding) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
const toUrlAlphabet = (base64) => base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const { from, byteLength, isEncoding } = Buffer;
const { toString: bufferToString, write } = Buffer.prototype;

Buffer.from = function (value, encodingOrOffset, length) {
  if (typeof value === "string") {
    const encoding = hostEncoding(value, encodingOrOffset);
    if (encoding !== undefined) return from.call(this, host.encodingFromString(value, encoding));
  }
  return from.call(this, value, isBase64url(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};

Buffer.byteLength = (string, encoding) => {
  if (typeof string === "string") {
    const name = hostEncoding(string, encoding);
    if (name !== undefined) return host.encodingByteLength(string, name);
  }
  return byteLength(string, isBase64url(encoding) ? "base64" : encoding);
};

Buffer.isEncoding = (encoding) => isBase64url(encoding) || isEncoding(encoding);

Buffer.prototype.toString = function (encoding, start, end) {
  const length = this.length;
  // The package's (and Node's) bounds: out-of-range start and end are clamped, not refused.
  const from = start === undefined || start < 0 ? 0 : Math.trunc(start) || 0;
  const to = end === undefined || end > length ? length : Math.trunc(end) || 0;
  if (to > from && from < length) {
    const name = nativeEncoding(encoding);
    if (name !== undefined && (to - from >= NATIVE_MIN_LENGTH || (isUtf8(name) && !isAscii(this, from, to)))) {
      return host.encodingToString(arrayBufferOf(this, from, to), name);
    }
  }
  if (isBase64url(encoding)) return toUrlAlphabet(bufferToString.call(this, "base64", start, end));
  return bufferToString.call(this, encoding, start, end);
};

/** How many of `bytes` fit in `room` without splitting a character, as Node writes a string that does not fit. */
function fitting(bytes, room, encoding) {
  if (bytes.length <= room) return bytes.length;
  if (isUtf8(encoding)) {
    let end = room;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
    return end;
  }
  return TWO_BYTE.has(encoding) ? room - (room % 2) : room;
}
const TWO_BYTE = new Set(["ucs2", "ucs-2", "utf16le", "utf-16le"]);

Buffer.prototype.write = function (string, offset, length, encoding) {
  if (typeof string === "string") {
    // write(string[, offset[, length]][, encoding]), as Node reads it.
    let at = offset;
    let max = length;
    let name = encoding;
    if (typeof offset === "string") [at, max, name] = [0, undefined, offset];
    else if (typeof length === "string") [max, name] = [undefined, length];
    at ??= 0;
    const native = hostEncoding(string, name);
    if (
      native !== undefined &&
      Number.isInteger(at) &&
      at >= 0 &&
      at <= this.length &&
      (max === undefined || (Number.isInteger(max) && max >= 0))
    ) {
      const room = Math.min(max ?? this.length, this.length - at);
      const bytes = new Uint8Array(host.encodingFromString(string, native));
      const count = fitting(bytes, room, native);
      this.set(count === bytes.length ? bytes : bytes.subarray(0, count), at);
      return count;
    }
  }
  const base64 = (arg) => (isBase64url(arg) ? "base64" : arg);
  return write.call(this, string, base64(offset), base64(length), base64(encoding));
};

export { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer };
// V8's largest string on 64-bit hosts, as Node reports it.
export const kStringMaxLength = 0x1fffffe8;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
