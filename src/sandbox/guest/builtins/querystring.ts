// node:querystring. stringify is `querystring-es3` (Node's code for other engines); parse is
// written here because the package's throws on a malformed escape where Node's keeps going, and
// returns a plain object where Node's has no prototype (so `__proto__=x` is only a key).
import { Buffer } from "buffer";
import qs from "querystring-es3";

const isHex = (byte: number) => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);

/** Node's unescapeBuffer: %XX sequences become bytes, anything else stays as it is. */
function unescapeBuffer(text: unknown): Buffer {
  const input = Buffer.from(String(text), "utf8");
  const out = Buffer.alloc(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x25 && i + 2 < input.length && isHex(input[i + 1]) && isHex(input[i + 2])) {
      out[length++] = Number.parseInt(String.fromCharCode(input[i + 1], input[i + 2]), 16);
      i += 2;
    } else {
      out[length++] = input[i];
    }
  }
  return out.subarray(0, length) as Buffer;
}

function unescapeText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return unescapeBuffer(text).toString();
  }
}

interface ParseOptions {
  decodeURIComponent?: (text: string) => string;
  maxKeys?: number;
}

/** A parsed query: each key's value, or its values when it came more than once. */
type Query = Record<string, string | string[]>;

function parse(text: unknown, sep = "&", eq = "=", options: ParseOptions = {}): Query {
  const result: Query = Object.create(null);
  if (typeof text !== "string" || text.length === 0) return result;
  const decode = typeof options.decodeURIComponent === "function" ? options.decodeURIComponent : unescapeText;
  const maxKeys = typeof options.maxKeys === "number" ? options.maxKeys : 1000;
  let pairs = text.split(sep);
  if (maxKeys > 0 && pairs.length > maxKeys) pairs = pairs.slice(0, maxKeys);
  for (const pair of pairs) {
    if (pair.length === 0) continue;
    const at = pair.indexOf(eq);
    const rawKey = at >= 0 ? pair.slice(0, at) : pair;
    const rawValue = at >= 0 ? pair.slice(at + eq.length) : "";
    const key = decode(rawKey.replace(/\+/g, " "));
    const value = decode(rawValue.replace(/\+/g, " "));
    const previous = result[key];
    if (previous === undefined) result[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else result[key] = [previous, value];
  }
  return result;
}

export default {
  parse,
  decode: parse,
  stringify: qs.stringify,
  encode: qs.stringify,
  escape: (text: string | number | boolean) => encodeURIComponent(text),
  unescape: unescapeText,
  unescapeBuffer,
};
