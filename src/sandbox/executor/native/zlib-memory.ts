/**
 * What a zlib or brotli stream holds on the host, counted within its function's memory: the
 * streams live as long as the guest keeps them, outside its linear memory, and one brotli stream
 * with a large window comes to a gigabyte (measured: 587 MB after 512 MB written at quality 5).
 *
 * Neither zlib nor brotli tells, so this is a model, fitted to the resident memory of streams on
 * Node 20 here (JSON and random input, 100 B to 512 MB, every quality, windows 2²² to 2³⁰) and
 * rounded up: zlib's window and hash tables are fixed by its options; a brotli encoder fills its
 * hash tables (their size set by quality) over its first megabyte and its ring buffer with the
 * input, up to about twice its window; a decoder's ring buffer fills with the output up to its
 * window. Each stream also holds its output buffer of `chunkSize` bytes.
 */
import { constants } from "node:zlib";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A brotli encoder's tables by quality (0–11), in MiB: 36 at quality 9, 24 at 11 (the default). */
const ENCODER_TABLES_MIB = [1, 1, 2, 2, 7, 6, 8, 12, 20, 36, 17, 24];
/** Windows past 2²⁴ (large-window brotli) add a rolling hash of 64 MiB at qualities 3 to 9. */
const ROLLING_HASH_MIB = 64;

export type StreamKind =
  | "gzip"
  | "gunzip"
  | "deflate"
  | "inflate"
  | "deflateRaw"
  | "inflateRaw"
  | "unzip"
  | "brotliCompress"
  | "brotliDecompress";

/** The options the guest's stream was made with, as the host's zlib took them. */
export interface StreamOptions {
  chunkSize?: number;
  windowBits?: number;
  memLevel?: number;
  params?: Record<string, unknown>;
}

/** A stream's bytes on the host (a whole number) after it has taken `taken` bytes and given `given`. */
export type Footprint = (taken: number, given: number) => number;

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function brotliParam(options: StreamOptions, key: number, fallback: number): number {
  return numberOr(options.params?.[String(key)], fallback);
}

export function streamFootprint(kind: StreamKind, options: StreamOptions): Footprint {
  const chunk = numberOr(options.chunkSize, constants.Z_DEFAULT_CHUNK);
  switch (kind) {
    case "gzip":
    case "deflate":
    case "deflateRaw": {
      // zlib's own figure (zconf.h), (1 << (windowBits + 2)) + (1 << (memLevel + 9)), and its state.
      const windowBits = Math.min(15, numberOr(options.windowBits, constants.Z_DEFAULT_WINDOWBITS));
      const memLevel = Math.min(9, numberOr(options.memLevel, constants.Z_DEFAULT_MEMLEVEL));
      const bytes = chunk + 2 ** (windowBits + 2) + 2 ** (memLevel + 9) + 16 * KiB;
      return () => bytes;
    }
    case "gunzip":
    case "inflate":
    case "inflateRaw":
    case "unzip": {
      // Chromium's inflate, measured: 280 KB whatever the window.
      const bytes = chunk + 288 * KiB;
      return () => bytes;
    }
    case "brotliCompress": {
      const quality = Math.max(0, Math.min(11, brotliParam(options, constants.BROTLI_PARAM_QUALITY, constants.BROTLI_DEFAULT_QUALITY)));
      const lgwin = brotliParam(options, constants.BROTLI_PARAM_LGWIN, constants.BROTLI_DEFAULT_WINDOW);
      const rolling = lgwin > 24 && quality >= 3 && quality <= 9 ? ROLLING_HASH_MIB : 0;
      const tables = ((ENCODER_TABLES_MIB[quality] ?? 0) + rolling) * MiB;
      // Qualities 0 and 1 compress each block alone: no ring buffer grows.
      const ring = quality <= 1 ? 0 : 2 ** (lgwin + 1);
      return (taken) => Math.ceil(chunk + MiB + tables * Math.min(1, taken / MiB) + 1.1 * Math.min(taken, ring));
    }
    case "brotliDecompress": {
      const large = brotliParam(options, constants.BROTLI_DECODER_PARAM_LARGE_WINDOW, 0) !== 0;
      const window = 2 ** (large ? 30 : 24);
      return (_taken, given) => chunk + 2 * MiB + Math.min(given, window);
    }
  }
}
