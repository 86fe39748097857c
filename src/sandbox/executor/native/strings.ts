/**
 * Strings across the guest/host line exactly and at memcpy speed, through QuickJS's binary JSON.
 *
 * The handle API's strings go through C strings: `getString` and `newString` stop at the first NUL,
 * turn a lone surrogate into U+FFFD (three of them, decoding), and encode and decode UTF-8 with a
 * JavaScript loop per character: ~25 ms for a 1.4 MB base64 string. Binary JSON holds a string as
 * QuickJS does, Latin-1 bytes or UTF-16 units after a short header, so it crosses with a copy and is
 * read or made by Node's own Latin-1 and UTF-16LE codecs.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { fillGuestBytes, withGuestBytes } from "./guest-heap.js";

/**
 * The header QuickJS writes before a string (its format version, an empty atom table and the string
 * tag), read from this build by encoding "" once: the package is pinned, and this keeps a new build's
 * format from being guessed.
 */
const headers = new WeakMap<QuickJSContext, Buffer>();

function headerOf(ctx: QuickJSContext): Buffer {
  let header = headers.get(ctx);
  if (header === undefined) {
    using empty = ctx.newString("");
    using encoded = ctx.encodeBinaryJSON(empty);
    using bytes = ctx.getArrayBuffer(encoded);
    // The header, then the length word 0 (an empty 8-bit string).
    if (bytes.value.length < 2 || bytes.value[bytes.value.length - 1] !== 0)
      throw new Error("QuickJS's binary JSON is not as src/sandbox/executor/native/strings.ts expects");
    header = Buffer.from(bytes.value.subarray(0, bytes.value.length - 1));
    headers.set(ctx, header);
  }
  return header;
}

/** A guest string handle's exact UTF-16 text. */
export function hostString(ctx: QuickJSContext, handle: QuickJSHandle): string {
  const header = headerOf(ctx);
  using encoded = ctx.encodeBinaryJSON(handle);
  return withGuestBytes(ctx, encoded, (bytes) => {
    let at = header.length;
    let word = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++] as number;
      word += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    const wide = word % 2 === 1;
    const length = Math.floor(word / 2);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset + at, wide ? length * 2 : length);
    return body.toString(wide ? "utf16le" : "latin1");
  });
}

/**
 * A guest string's text, by whichever path is cheaper for its length: the C-string path (~1 µs,
 * but a JavaScript loop of ~35 ns a character: 7 ms for the 200 KB body of an SQS message) below
 * SHORT_STRING, binary JSON above and for a short one the C string cut at a NUL. A lone surrogate
 * in a short one comes as U+FFFD, as Node's UTF-8 encodes it.
 */
export function hostText(ctx: QuickJSContext, handle: QuickJSHandle): string {
  // getLength answers only for objects; a string's length is its property, read by a kept key
  // (a key given as text is made a guest string per read: ~0.5 µs of a small HMAC's crossing).
  using length = ctx.getProp(handle, lengthKey(ctx));
  const size = ctx.getNumber(length);
  if (size >= SHORT_STRING) return hostString(ctx, handle);
  const text = ctx.getString(handle);
  // A NUL ends the C string: such a text comes the exact way. (A lone surrogate keeps its length, as U+FFFD, which UTF-8 makes of it anyway.)
  return text.length === size ? text : hostString(ctx, handle);
}

/** The guest string "length", made once per context and never freed: a string holds no guest object, and the context's wasm instance goes with it. */
const lengthKeys = new WeakMap<QuickJSContext, QuickJSHandle>();

function lengthKey(ctx: QuickJSContext): QuickJSHandle {
  let key = lengthKeys.get(ctx);
  if (key === undefined) {
    key = ctx.newString("length");
    lengthKeys.set(ctx, key);
  }
  return key;
}

/**
 * Below this length a string the C-string path carries exactly (the guest's crypto-hash.js sends
 * longer ones unscanned, trusting this figure) (no NUL, no surrogate) is made by
 * `newString`: binary JSON's fixed cost (~7 µs against ~1 µs) is larger than the encoding loop's.
 */
const SHORT_STRING = 1024;
const NOT_PLAIN = /[\0\ud800-\udfff]/;

interface NewStringInternals {
  ctx: { value: number };
  ffi: { QTS_NewString(ctx: number, pointer: number): number };
  module: { HEAPU8: Uint8Array; _malloc(size: number): number; _free(pointer: number): void };
  memory: { heapValueHandle(pointer: number): QuickJSHandle };
}

const utf8 = new TextEncoder();

/**
 * A short plain string as a new guest string, written into the guest's heap by Node's own encoder:
 * quickjs-emscripten's newString measures and writes it in JavaScript loops (0.33 µs for a 64-character
 * hex digest here, 0.14 this way). Reads quickjs-emscripten's own fields, as withPlainBytes does.
 */
function newShortString(ctx: QuickJSContext, text: string): QuickJSHandle {
  const internals = ctx as unknown as NewStringInternals;
  const { module } = internals;
  const room = text.length * 3 + 1;
  const pointer = module._malloc(room);
  try {
    // Read after the allocation, which may have grown the heap.
    const heap = module.HEAPU8;
    const { written } = utf8.encodeInto(text, heap.subarray(pointer, pointer + room - 1));
    heap[pointer + written] = 0;
    return internals.memory.heapValueHandle(internals.ffi.QTS_NewString(internals.ctx.value, pointer));
  } finally {
    module._free(pointer);
  }
}

/** `text` as a new guest string: 8-bit when every unit fits, as QuickJS itself would store it. */
export function guestString(ctx: QuickJSContext, text: string): QuickJSHandle {
  if (text.length < SHORT_STRING && !NOT_PLAIN.test(text)) return newShortString(ctx, text);
  if (text.length >= 2 ** 30) {
    throw Object.assign(new Error(`Cannot create a string longer than ${2 ** 30 - 1} characters`), { code: "ERR_STRING_TOO_LONG" });
  }
  const header = headerOf(ctx);
  const wide = !isLatin1(text);
  const length = wide ? text.length * 2 : text.length;
  let word = text.length * 2 + (wide ? 1 : 0);
  const lengthBytes: number[] = [];
  do {
    const low = word % 128;
    word = Math.floor(word / 128);
    lengthBytes.push(word > 0 ? low | 0x80 : low);
  } while (word > 0);
  const start = header.length + lengthBytes.length;
  // Written where QuickJS reads it, in the guest's heap: no host copy of a long string's bytes.
  using encoded = fillGuestBytes(ctx, start + length, (out) => {
    out.set(header, 0);
    out.set(lengthBytes, header.length);
    Buffer.from(out.buffer, out.byteOffset + start, length).write(text, wide ? "utf16le" : "latin1");
  });
  return ctx.decodeBinaryJSON(encoded);
}

const WIDE = /[^\0-\xff]/;
const isLatin1 = (text: string): boolean => !WIDE.test(text);

interface CStringInternals {
  ctx: { value: number };
  ffi: { QTS_GetString(ctx: number, value: number): number; QTS_FreeCString(ctx: number, pointer: number): void };
  module: { HEAPU8: Uint8Array };
}

/**
 * Runs `use` over a short plain guest string's UTF-8 bytes where QuickJS wrote them, undecoded:
 * a hash or HMAC fed those bytes skips the C-string path's JavaScript decoding loop and Node's
 * encoding them again (~0.3 µs of a small HMAC's each). `use` must be done with them before it
 * returns. Only for strings the guest has found plain (no NUL, no lone surrogate), which QuickJS
 * writes as exactly their UTF-8. Reads quickjs-emscripten's own fields, as host-calls.ts does.
 */
export function withPlainBytes<T>(ctx: QuickJSContext, handle: QuickJSHandle, use: (bytes: Uint8Array) => T): T {
  const internals = ctx as unknown as CStringInternals;
  const context = internals.ctx.value;
  const pointer = internals.ffi.QTS_GetString(context, handle.value as unknown as number);
  try {
    const heap = internals.module.HEAPU8;
    return use(heap.subarray(pointer, heap.indexOf(0, pointer)));
  } finally {
    internals.ffi.QTS_FreeCString(context, pointer);
  }
}

/** A short plain guest string (a name, an encoding), decoded by Node's own UTF-8 codec rather than a JavaScript loop. */
export function plainString(ctx: QuickJSContext, handle: QuickJSHandle): string {
  return withPlainBytes(ctx, handle, (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
}

/**
 * A short guest string of `length` units through its C string and Node's UTF-8 decoder (~0.3 µs,
 * against binary JSON's few), or undefined where that read would not be exact. The C string ends at
 * a NUL, and QuickJS writes a lone surrogate as three bytes that decode as U+FFFD: a read of
 * `length` units without U+FFFD met neither. (A string with a real U+FFFD takes the exact path.)
 */
export function shortText(ctx: QuickJSContext, handle: QuickJSHandle, length: number): string | undefined {
  if (length >= SHORT_STRING) return undefined;
  const text = plainString(ctx, handle);
  return text.length === length && !text.includes("\ufffd") ? text : undefined;
}
