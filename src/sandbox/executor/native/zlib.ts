/**
 * node:zlib for the guest, run by the host's Node (zlib and brotli): the sync functions over bytes
 * in one crossing, and streams as host zlib streams kept in the environment's table and fed one
 * written chunk at a time, synchronously, with the flush flags Node's own stream would use, so a
 * stream's bytes are the bytes Node's stream makes.
 */
import * as zlib from "node:zlib";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostImplementation } from "../guest-host.js";
import { bytesOf, dataOf, guarded, guestValue, HandleTable, optionalNumber, withData } from "./guest-values.js";
import { checkTime, pastMemorySize, type WorkLimits } from "./work-bounds.js";
import { type Footprint, streamFootprint } from "./zlib-memory.js";

const SYNC = {
  gzip: zlib.gzipSync,
  gunzip: zlib.gunzipSync,
  deflate: zlib.deflateSync,
  inflate: zlib.inflateSync,
  deflateRaw: zlib.deflateRawSync,
  inflateRaw: zlib.inflateRawSync,
  unzip: zlib.unzipSync,
  brotliCompress: zlib.brotliCompressSync,
  brotliDecompress: zlib.brotliDecompressSync,
} as const;

const STREAMS = {
  gzip: zlib.createGzip,
  gunzip: zlib.createGunzip,
  deflate: zlib.createDeflate,
  inflate: zlib.createInflate,
  deflateRaw: zlib.createDeflateRaw,
  inflateRaw: zlib.createInflateRaw,
  unzip: zlib.createUnzip,
  brotliCompress: zlib.createBrotliCompress,
  brotliDecompress: zlib.createBrotliDecompress,
} as const;

type Kind = keyof typeof SYNC;

/** The parts of Node's zlib stream its own synchronous path (processChunkSync) uses. */
interface ZlibInternals {
  _handle: {
    writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
    params(level: number, strategy: number): void;
    reset(): void;
  } | null;
  _writeState: Uint32Array;
  _outBuffer: Buffer;
  _outOffset: number;
  _chunkSize: number;
  _maxOutputLength: number;
  _defaultFlushFlag: number;
  _finishFlushFlag: number;
  _defaultFullFlushFlag: number;
}
type Stream = Omit<zlib.Gzip, "bytesWritten"> & ZlibInternals;

/** An open stream, with what it has taken and given and the bytes counted for it in the function's memory. */
interface Open {
  stream: Stream;
  footprint: Footprint;
  taken: number;
  given: number;
  held: number;
}

/** Each open stream's state is counted in the function's memory (zlib-memory.ts); this bounds the table. */
const MAX_STREAMS = 128;

function kindOf(ctx: QuickJSContext, handle: QuickJSHandle): Kind {
  const kind = ctx.getString(handle);
  if (!Object.hasOwn(SYNC, kind)) throw new TypeError(`No zlib operation named ${kind}`);
  return kind as Kind;
}

/**
 * The options as JSON (numbers, booleans, brotli params), the dictionary as bytes. The output is
 * held to the guest's memory (`limit`), which could not take more: a small bomb inflates no further
 * on the host.
 */
function optionsOf(
  ctx: QuickJSContext,
  json: QuickJSHandle | undefined,
  dictionary: QuickJSHandle | undefined,
  limit: number,
): zlib.ZlibOptions & zlib.BrotliOptions {
  const options = json === undefined || ctx.typeof(json) !== "string" ? {} : (JSON.parse(ctx.getString(json)) as Record<string, unknown>);
  const bytes = dataOf(ctx, dictionary);
  if (bytes !== undefined) options.dictionary = bytes;
  const asked = options.maxOutputLength;
  return { ...options, maxOutputLength: typeof asked === "number" ? Math.min(asked, limit) : limit };
}

function tooLarge(limit: number): RangeError {
  return Object.assign(new RangeError(`Cannot create a Buffer larger than ${limit} bytes`), { code: "ERR_BUFFER_TOO_LARGE" });
}

/**
 * Feeds one chunk with one flush flag and returns what comes out: Node's processChunkSync, without
 * closing the stream at the end, so the next chunk continues it. Between two outputs of the
 * binding (a block's work at most) it asks `limits` whether the phase must end: one write of a huge
 * chunk would otherwise be seconds that nothing interrupts.
 */
function step(stream: Stream, chunk: Buffer, flushFlag: number, limits: WorkLimits): Buffer {
  const handle = stream._handle;
  if (handle === null) throw Object.assign(new Error("zlib binding closed"), { code: "ERR_INVALID_STATE" });
  const state = stream._writeState;
  const chunkSize = stream._chunkSize;
  let buffer = stream._outBuffer;
  let offset = stream._outOffset;
  let availInBefore = chunk.byteLength;
  let availOutBefore = chunkSize - offset;
  let inOff = 0;
  const buffers: Buffer[] = [];
  let nread = 0;
  for (;;) {
    handle.writeSync(flushFlag, chunk, inOff, availInBefore, buffer, offset, availOutBefore);
    if (stream.errored) throw stream.errored;
    const availOutAfter = state[0] as number;
    const availInAfter = state[1] as number;
    const have = availOutBefore - availOutAfter;
    if (have > 0) {
      buffers.push(buffer.subarray(offset, offset + have));
      offset += have;
      nread += have;
      if (nread > stream._maxOutputLength) throw tooLarge(stream._maxOutputLength);
    }
    if (availOutAfter === 0 || offset >= chunkSize) {
      availOutBefore = chunkSize;
      offset = 0;
      buffer = Buffer.allocUnsafe(chunkSize);
    }
    if (availOutAfter !== 0) break;
    checkTime(limits);
    inOff += availInBefore - availInAfter;
    availInBefore = availInAfter;
  }
  stream._outBuffer = buffer;
  stream._outOffset = offset;
  return buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers, nread);
}

/** What a write asks of the stream: the default flag, the finish flag (the last chunk), or a flush. */
const FLUSH_DEFAULT = -1;
const FLUSH_FINISH = -2;
const FLUSH_FULL = -3;

function flagFor(stream: Stream, asked: number): number {
  if (asked === FLUSH_DEFAULT) return stream._defaultFlushFlag;
  if (asked === FLUSH_FINISH) return stream._finishFlushFlag;
  if (asked === FLUSH_FULL) return stream._defaultFullFlushFlag;
  return asked;
}

export function zlibFunctions(ctx: QuickJSContext, limits: WorkLimits) {
  const streams = new HandleTable<Open>("zlib streams", MAX_STREAMS);
  const close = (id: number): void => {
    let open: Open;
    try {
      open = streams.get(id);
    } catch {
      return;
    }
    open.stream.close();
    limits.hold(-open.held);
    streams.delete(id);
  };
  /** Counts the stream's state as it is now; past the function's memory, closes it. */
  const account = (id: number, open: Open): void => {
    const now = open.footprint(open.taken, open.given);
    if (now <= open.held) return;
    if (!limits.hold(now - open.held)) {
      close(id);
      throw pastMemorySize();
    }
    open.held = now;
  };

  return {
    /** (kind, data, optionsJson, dictionary) → the whole output, or Node's error (Z_DATA_ERROR, ...). */
    zlibSync: (kind, data, options, dictionary) =>
      guarded(ctx, () => {
        const run = SYNC[kindOf(ctx, kind)] as (data: string | Uint8Array, options: object) => Buffer;
        checkTime(limits);
        const settings = optionsOf(ctx, options, dictionary, limits.outputBytes());
        // zlib reads the input in place in the guest's heap and writes to a new host buffer.
        return guestValue(
          ctx,
          withData(ctx, data, (input) => run(input, settings)),
        );
      }),
    /** (kind, optionsJson, dictionary) → a stream's id; Node's error for a bad option. */
    zlibOpen: (kind, options, dictionary) =>
      guarded(ctx, () => {
        const name = kindOf(ctx, kind);
        const settings = optionsOf(ctx, options, dictionary, limits.outputBytes());
        const stream = STREAMS[name](settings) as unknown as Stream;
        // Its errors are thrown from step(); destroy() also emits them, where no one listens.
        stream.on("error", () => {});
        const open: Open = { stream, footprint: streamFootprint(name, settings), taken: 0, given: 0, held: 0 };
        let id: number;
        try {
          id = streams.add(open);
        } catch (error) {
          stream.close();
          throw error;
        }
        account(id, open);
        return ctx.newNumber(id);
      }),
    /** (id, chunk, flush) → the output; flush is a zlib flag or FLUSH_DEFAULT / FLUSH_FINISH / FLUSH_FULL. */
    zlibWrite: (id, chunk, flush) =>
      guarded(ctx, () => {
        const key = ctx.getNumber(id);
        const open = streams.get(key);
        const input = chunk === undefined ? Buffer.alloc(0) : bytesOf(ctx, chunk);
        let output: Buffer;
        try {
          output = step(open.stream, input, flagFor(open.stream, ctx.getNumber(flush)), limits);
        } catch (error) {
          close(key);
          throw error;
        }
        open.taken += input.byteLength;
        open.given += output.byteLength;
        account(key, open);
        return guestValue(ctx, output);
      }),
    zlibParams: (id, level, strategy) =>
      guarded(ctx, () => {
        streams.get(ctx.getNumber(id)).stream._handle?.params(ctx.getNumber(level), ctx.getNumber(strategy));
        return undefined;
      }),
    zlibReset: (id) =>
      guarded(ctx, () => {
        streams.get(ctx.getNumber(id)).stream._handle?.reset();
        return undefined;
      }),
    zlibClose: (id) => {
      close(ctx.getNumber(id));
      return undefined;
    },
    /** Node's zlib.constants, zlib's and brotli's, as JSON. */
    zlibConstants: () => ctx.newString(JSON.stringify(zlib.constants)),
    /** (data, value) → CRC-32 as zlib.crc32 computes it. */
    zlibCrc32: (data, value) =>
      guarded(ctx, () => ctx.newNumber(zlib.crc32(dataOf(ctx, data) ?? Buffer.alloc(0), optionalNumber(ctx, value) ?? 0))),
  } satisfies Partial<HostImplementation>;
}
