/**
 * Buffer's string codecs, TextDecoder's decoders and atob/btoa, run by the host's Node. The guest
 * sends a string or buffer past a small size here (below it, the crossing costs more than QuickJS
 * does) and every decoder whose answer it cannot give exactly itself; strings cross through binary
 * JSON (./strings.ts), so a megabyte of base64 is a copy each way.
 */
import { TextDecoder } from "node:util";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostFunction, HostImplementation } from "../guest-host.js";
import { fillGuestBytesUpTo, withGuestBytes, withGuestBytesOf } from "./guest-heap.js";
import { bytesOf, guardedFunction, MAX_CALL_BYTES } from "./guest-values.js";
import { arrayBuffer, tooLarge } from "./hash.js";
import { guestString, hostString, plainString, shortText } from "./strings.js";

/** The most bytes `text` makes in `encoding`: Buffer.from's answer fits (written as Node's write writes it). */
function mostBytes(text: string, encoding: BufferEncoding): number {
  switch (encoding.toLowerCase()) {
    case "hex":
      return text.length >>> 1;
    case "base64":
    case "base64url":
      return Math.ceil((text.length * 3) / 4);
    case "latin1":
    case "binary":
    case "ascii":
      return text.length;
    case "ucs2":
    case "ucs-2":
    case "utf16le":
    case "utf-16le":
      return text.length * 2;
    default:
      return Buffer.byteLength(text, encoding);
  }
}

export function encodingFunctions(ctx: QuickJSContext) {
  const text = (h: QuickJSHandle | undefined): string => (h === undefined || ctx.typeof(h) !== "string" ? "" : hostString(ctx, h));
  // The guest's runtime passes an encoding as one of its own short names (builtins/buffer.ts), read by
  // Node's decoder; typeof's and getString's JavaScript loops were ~0.2 µs of a small conversion.
  const name = (h: QuickJSHandle | undefined): BufferEncoding => (h === undefined ? "utf8" : (plainString(ctx, h) as BufferEncoding));
  const bool = (h: QuickJSHandle | undefined): boolean => h !== undefined && ctx.typeof(h) === "boolean" && ctx.dump(h) === true;
  /** A view of an ArrayBuffer handle's bytes for a conversion that reads them at once, before the guest heap can move. */
  const view = (h: QuickJSHandle, read: (bytes: Buffer) => string): string =>
    withGuestBytes(ctx, h, ({ buffer, byteOffset, byteLength }) => read(Buffer.from(buffer, byteOffset, byteLength)));
  const decoders = new Map<string, TextDecoder>();
  const guarded = (work: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): HostFunction => guardedFunction(ctx, work);

  return {
    /** `buf.toString(encoding)` of a whole ArrayBuffer. */
    encodingToString: guarded((data, encoding) =>
      guestString(
        ctx,
        view(data, (buf) => buf.toString(name(encoding))),
      ),
    ),
    /** `Buffer.from(string, encoding)`'s bytes; the guest gives a short string's length, for a cheaper exact read. */
    encodingFromString: guarded((string, encoding, length) => {
      const value = (length !== undefined && string !== undefined && shortText(ctx, string, ctx.getNumber(length))) || text(string);
      if (value.length > MAX_CALL_BYTES) throw tooLarge();
      const into = name(encoding);
      // Decoded where they stay, in the guest's heap: a megabyte's host buffer costs its page faults.
      return fillGuestBytesUpTo(ctx, mostBytes(value, into), (room) =>
        Buffer.from(room.buffer, room.byteOffset, room.byteLength).write(value, into),
      );
    }),
    /** The UTF-8 of JSON.stringify(text): V8 quotes a long string ~5× faster than QuickJS. */
    encodingJsonQuoted: guarded((string) => {
      const value = text(string);
      if (value.length > MAX_CALL_BYTES) throw tooLarge();
      return arrayBuffer(ctx, Buffer.from(JSON.stringify(value), "utf8"));
    }),
    encodingByteLength: (string, encoding) => ctx.newNumber(Buffer.byteLength(text(string), name(encoding))),
    encodingCompare: guarded((a, b) =>
      ctx.newNumber(withGuestBytesOf(ctx, [a, b], ([x, y]) => Buffer.compare(x as Uint8Array, y as Uint8Array))),
    ),
    encodingIndexOf: guarded((data, value, byteOffset, encoding, last) => {
      const kind = ctx.typeof(value);
      // A needle of bytes is short: its host copy keeps the haystack's view the only one.
      const needle = kind === "string" ? text(value) : kind === "number" ? ctx.getNumber(value) : bytesOf(ctx, value);
      const offset = byteOffset === undefined ? undefined : (ctx.dump(byteOffset) as number | string | undefined);
      const named = encoding === undefined || ctx.typeof(encoding) !== "string" ? undefined : (text(encoding) as BufferEncoding);
      const search = bool(last) ? Buffer.prototype.lastIndexOf : Buffer.prototype.indexOf;
      return ctx.newNumber(
        withGuestBytes(ctx, data, (bytes) =>
          search.call(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), needle, offset as number, named),
        ),
      );
    }),
    /** The WHATWG name of a TextDecoder label, or Node's error for a label it does not support. */
    encodingLabel: guarded((label) => ctx.newString(new TextDecoder(text(label)).encoding)),
    /** TextDecoder's decode of a whole chunk (the guest keeps a stream's unfinished tail). */
    encodingDecode: guarded((data, encoding, fatal, ignoreBOM) => {
      const options = { fatal: bool(fatal), ignoreBOM: bool(ignoreBOM) };
      const key = `${name(encoding)} ${options.fatal} ${options.ignoreBOM}`;
      let decoder = decoders.get(key);
      if (decoder === undefined) {
        decoder = new TextDecoder(name(encoding), options);
        decoders.set(key, decoder);
      }
      const used = decoder;
      return guestString(
        ctx,
        view(data, (buf) => used.decode(buf)),
      );
    }),
    encodingAtob: guarded((data) => guestString(ctx, atob(text(data)))),
    encodingBtoa: guarded((data) => guestString(ctx, btoa(text(data)))),
  } satisfies Partial<HostImplementation>;
}
