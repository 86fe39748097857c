/**
 * The warm path's calls into QuickJS, made on the FFI under quickjs-emscripten's handle API. Per
 * call, that API mallocs and frees the argument array and the string's bytes (encoded by a JS loop),
 * wraps every pointer in a Lifetime and reads a job's result through a typeof string: ~2.5 µs of a
 * ~20 µs warm invocation. Here the bytes go through one kept scratch block, encoded natively.
 *
 * It reads quickjs-emscripten's own fields (`ffi`, `module`, `ctx`, `rt`, `memory`): the package
 * is pinned to an exact version, and every invocation test runs through this file.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

interface Ffi {
  QTS_NewString(ctx: number, chars: number): number;
  QTS_GetString(ctx: number, value: number): number;
  QTS_FreeCString(ctx: number, chars: number): void;
  QTS_GetProp(ctx: number, object: number, key: number): number;
  QTS_SetProp(ctx: number, object: number, key: number, value: number): void;
  QTS_Call(ctx: number, fn: number, thisValue: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, maybeException: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  QTS_ExecutePendingJob(rt: number, maxJobs: number, lastJobContext: number): number;
  QTS_IsJobPending(rt: number): number;
  QTS_Typeof(ctx: number, value: number): number;
}

interface Module {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
}

/** What this file reads of a QuickJSContext beyond its public API. */
interface ContextInternals {
  ffi: Ffi;
  module: Module;
  ctx: { value: number };
  rt: { value: number };
  memory: { heapValueHandle(pointer: number): QuickJSHandle };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const N = "n".charCodeAt(0);
/**
 * The kept block grows by powers of two from the smallest to the largest size: an idle environment
 * holds room for the invocations it has had (a hello invocation ~1 KB), a larger string gets a
 * block of its own, freed at once.
 */
const SCRATCH_MIN_BYTES = 256;
const SCRATCH_MAX_BYTES = 8 * 1024;

export class HotCalls {
  readonly #ffi: Ffi;
  readonly #module: Module;
  readonly #ctx: number;
  readonly #rt: number;
  readonly #wrap: (pointer: number) => QuickJSHandle;
  readonly #undefined: number;
  #scratch = 0;
  #scratchBytes = 0;
  /** The strings "value" and "" in QuickJS, made once: the handle API makes a property key per access. */
  #valueKey = 0;
  #emptyString = 0;

  constructor(context: QuickJSContext) {
    const internals = context as unknown as ContextInternals;
    this.#ffi = internals.ffi;
    this.#module = internals.module;
    this.#ctx = internals.ctx.value;
    this.#rt = internals.rt.value;
    this.#wrap = (pointer) => internals.memory.heapValueHandle(pointer);
    this.#undefined = context.undefined.value as unknown as number;
    if (typeof this.#ffi?.QTS_Call !== "function" || typeof this.#module?._malloc !== "function" || this.#rt === 0) {
      throw new Error("quickjs-emscripten's internals are not as src/sandbox/executor/quickjs-hot.ts expects");
    }
  }

  /** The kept block with at least `bytes` of room: the argument's word, the job context's word, then a string's bytes. */
  #block(bytes: number): number {
    if (bytes > this.#scratchBytes) {
      let size = SCRATCH_MIN_BYTES;
      while (size < bytes) size *= 2;
      const block = this.#module._malloc(size);
      if (block === 0) throw new Error("out of memory");
      if (this.#scratch !== 0) this.#module._free(this.#scratch);
      this.#scratch = block;
      this.#scratchBytes = size;
    }
    return this.#scratch;
  }

  /** Calls `fn(text)`; the guest's exception, if one escaped, as a handle the caller disposes. */
  callWithString(fn: QuickJSHandle, text: string): QuickJSHandle | undefined {
    // A UTF-16 unit is at most 3 bytes of UTF-8; past the kept block's largest size, the exact count.
    let room = 8 + text.length * 3 + 1;
    if (room > SCRATCH_MAX_BYTES) room = 8 + Buffer.byteLength(text) + 1;
    const own = room > SCRATCH_MAX_BYTES;
    const base = own ? this.#module._malloc(room) : this.#block(room);
    if (base === 0) throw new Error("out of memory");
    try {
      const ffi = this.#ffi;
      const ctx = this.#ctx;
      const value = this.#stringAt(base, room, text);
      writeWord(this.#module.HEAPU8, base, value);
      const result = ffi.QTS_Call(ctx, fn.value as unknown as number, this.#undefined, 1, base);
      ffi.QTS_FreeValuePointer(ctx, value);
      const error = ffi.QTS_ResolveException(ctx, result);
      ffi.QTS_FreeValuePointer(ctx, result);
      return error === 0 ? undefined : this.#wrap(error);
    } finally {
      if (own) this.#module._free(base);
    }
  }

  /**
   * The turn's end: `box.value`, a string, read and (unless empty) replaced by "". Through the
   * handle API this cost ~1.5 µs a turn, most of it making the key "value" twice.
   */
  takeValue(box: QuickJSHandle): string {
    const ffi = this.#ffi;
    const ctx = this.#ctx;
    if (this.#valueKey === 0) this.#valueKey = this.#newString("value");
    const value = ffi.QTS_GetProp(ctx, box.value as unknown as number, this.#valueKey);
    const chars = ffi.QTS_GetString(ctx, value);
    ffi.QTS_FreeValuePointer(ctx, value);
    // No characters (0) when QuickJS could not allocate them: the box reads as empty.
    if (chars === 0) return "";
    const heap = this.#module.HEAPU8;
    const text = heap[chars] === 0 ? "" : decoder.decode(heap.subarray(chars, heap.indexOf(0, chars)));
    ffi.QTS_FreeCString(ctx, chars);
    if (text === "") return text;
    if (this.#emptyString === 0) this.#emptyString = this.#newString("");
    ffi.QTS_SetProp(ctx, box.value as unknown as number, this.#valueKey, this.#emptyString);
    return text;
  }

  /** A short string made in QuickJS through the kept block (a handle the caller frees). */
  #newString(text: string): number {
    const room = 8 + text.length * 3 + 1;
    return this.#stringAt(this.#block(room), room, text);
  }

  /** Encodes `text` after the block's first 8 bytes, NUL-terminated, and makes it a QuickJS string. */
  #stringAt(base: number, room: number, text: string): number {
    // Read after any malloc: growing the wasm memory replaces HEAPU8.
    const heap = this.#module.HEAPU8;
    const { written } = encoder.encodeInto(text, heap.subarray(base + 8, base + room - 1));
    heap[base + 8 + written] = 0;
    return this.#ffi.QTS_NewString(this.#ctx, base + 8);
  }

  /** Runs the queued promise jobs; the exception that stopped them, if any, as a handle the caller disposes. */
  executePendingJobs(): QuickJSHandle | undefined {
    const ffi = this.#ffi;
    if (ffi.QTS_IsJobPending(this.#rt) === 0) return undefined;
    const out = this.#block(8) + 4;
    const value = ffi.QTS_ExecutePendingJob(this.#rt, -1, out);
    const jobContext = readWord(this.#module.HEAPU8, out);
    if (jobContext === 0) {
      ffi.QTS_FreeValuePointerRuntime(this.#rt, value);
      return undefined;
    }
    // Success is the count of jobs run; anything else is what a job threw (as quickjs-emscripten reads it).
    const type = ffi.QTS_Typeof(this.#ctx, value);
    const isNumber = this.#module.HEAPU8[type] === N;
    this.#module._free(type);
    if (!isNumber) return this.#wrap(value);
    ffi.QTS_FreeValuePointer(this.#ctx, value);
    return undefined;
  }

  /** Frees the scratch block and the kept strings (before a snapshot, which would keep them, and at the end). */
  dispose(): void {
    if (this.#valueKey !== 0) this.#ffi.QTS_FreeValuePointer(this.#ctx, this.#valueKey);
    if (this.#emptyString !== 0) this.#ffi.QTS_FreeValuePointer(this.#ctx, this.#emptyString);
    this.#valueKey = 0;
    this.#emptyString = 0;
    if (this.#scratch !== 0) this.#module._free(this.#scratch);
    this.#scratch = 0;
    this.#scratchBytes = 0;
  }
}

/** wasm32 words are little-endian; a typed-array view per call would cost an allocation. */
function writeWord(heap: Uint8Array, at: number, value: number): void {
  heap[at] = value;
  heap[at + 1] = value >>> 8;
  heap[at + 2] = value >>> 16;
  heap[at + 3] = value >>> 24;
}

function readWord(heap: Uint8Array, at: number): number {
  return (
    ((heap[at] as number) | ((heap[at + 1] as number) << 8) | ((heap[at + 2] as number) << 16) | ((heap[at + 3] as number) << 24)) >>> 0
  );
}
