// The `buffer` package: the global Buffer, and node:buffer with the constants Node adds.
import { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer } from "buffer";

// Node has spoken base64url since v15; the package has not. Its base64 decoder already accepts the
// URL-safe alphabet, so decoding maps the name, and encoding rewrites base64's output.
const isBase64url = (encoding) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
const toUrlAlphabet = (base64) => base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const { from, byteLength, isEncoding } = Buffer;
const { toString: bufferToString, write } = Buffer.prototype;
Buffer.from = function (value, encodingOrOffset, length) {
  return from.call(this, value, isBase64url(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};
Buffer.byteLength = (string, encoding) => byteLength(string, isBase64url(encoding) ? "base64" : encoding);
Buffer.isEncoding = (encoding) => isBase64url(encoding) || isEncoding(encoding);
Buffer.prototype.toString = function (...args) {
  if (isBase64url(args[0])) return toUrlAlphabet(bufferToString.call(this, "base64", args[1], args[2]));
  return bufferToString.apply(this, args);
};
Buffer.prototype.write = function (...args) {
  return write.apply(
    this,
    args.map((arg, i) => (i > 0 && isBase64url(arg) ? "base64" : arg)),
  );
};

export { Buffer, INSPECT_MAX_BYTES, kMaxLength, SlowBuffer };
// V8's largest string on 64-bit hosts, as Node reports it.
export const kStringMaxLength = 0x1fffffe8;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
