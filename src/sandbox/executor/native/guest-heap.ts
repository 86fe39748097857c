/**
 * Bytes into and out of the guest's heap on quickjs-emscripten's FFI, without its handle API: per
 * call, `newArrayBuffer` copies through a new Uint8Array and a Lifetime and `getArrayBuffer` wraps its
 * copy in another (~0.5 µs of a small conversion whose whole crossing is a few µs). The steps are
 * the same; the objects are gone.
 *
 * It reads quickjs-emscripten's own fields, as host-calls.ts does: the package is pinned to an exact
 * version, and every native built-in's test runs through here.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

interface HeapInternals {
  ctx: { value: number };
  ffi: {
    QTS_NewArrayBuffer(ctx: number, pointer: number, length: number): number;
    QTS_GetArrayBuffer(ctx: number, value: number): number;
    QTS_GetArrayBufferLength(ctx: number, value: number): number;
  };
  module: { HEAPU8: Uint8Array; _malloc(size: number): number; _free(pointer: number): void };
  memory: { heapValueHandle(pointer: number): QuickJSHandle };
}

/** The guest heap is full: what a guest allocation past its memory meets. */
function heapFull(size: number): RangeError {
  return Object.assign(new RangeError(`Array buffer allocation failed: the function's memory has no room for ${size} bytes`), {
    code: "ERR_MEMORY_ALLOCATION_FAILED",
  });
}

/** A copy of a guest ArrayBuffer's bytes in a block of its heap (pointer 0 for none), for the caller to view and free. */
function copyOf({ ctx, ffi }: HeapInternals, handle: QuickJSHandle): { pointer: number; size: number } {
  const value = handle.value as unknown as number;
  const size = ffi.QTS_GetArrayBufferLength(ctx.value, value);
  const pointer = ffi.QTS_GetArrayBuffer(ctx.value, value);
  if (pointer === 0 && size !== 0) throw heapFull(size);
  return { pointer, size };
}

function viewOf(module: HeapInternals["module"], { pointer, size }: { pointer: number; size: number }): Uint8Array {
  return pointer === 0 ? new Uint8Array(0) : module.HEAPU8.subarray(pointer, pointer + size);
}

/**
 * A new guest ArrayBuffer of the bytes `fill` writes, at most `room`, where they will stay: a block of
 * the guest's heap the buffer then owns (the FFI's QTS_NewArrayBuffer hands it to QuickJS, which frees
 * it with the buffer). `fill` answers how many it wrote, and must not call into the guest.
 */
export function fillGuestBytesUpTo(context: QuickJSContext, room: number, fill: (room: Uint8Array) => number): QuickJSHandle {
  const { ctx, ffi, module, memory } = context as unknown as HeapInternals;
  const pointer = module._malloc(room === 0 ? 1 : room);
  if (pointer === 0) throw heapFull(room);
  let size: number;
  try {
    // Read after the allocation, which may have grown the heap.
    size = fill(module.HEAPU8.subarray(pointer, pointer + room));
  } catch (error) {
    module._free(pointer);
    throw error;
  }
  return memory.heapValueHandle(ffi.QTS_NewArrayBuffer(ctx.value, pointer, size));
}

/**
 * A new guest ArrayBuffer of what `fill` makes of the bytes of the guest ArrayBuffer `input`, at most
 * `roomFor` its size, written where they will stay: the input is copied and the output's block taken before
 * either is viewed (taking a block may grow the heap, which detaches the views made before it).
 */
export function transformGuestBytes(
  context: QuickJSContext,
  input: QuickJSHandle,
  roomFor: (inputSize: number) => number,
  fill: (input: Uint8Array, out: Uint8Array) => number,
): QuickJSHandle {
  const internals = context as unknown as HeapInternals;
  const { ctx, ffi, module, memory } = internals;
  const copy = copyOf(internals, input);
  const room = roomFor(copy.size);
  const pointer = module._malloc(room === 0 ? 1 : room);
  let size: number;
  try {
    if (pointer === 0) throw heapFull(room);
    size = fill(viewOf(module, copy), module.HEAPU8.subarray(pointer, pointer + room));
  } catch (error) {
    if (pointer !== 0) module._free(pointer);
    throw error;
  } finally {
    if (copy.pointer !== 0) module._free(copy.pointer);
  }
  return memory.heapValueHandle(ffi.QTS_NewArrayBuffer(ctx.value, pointer, size));
}

/** A new guest ArrayBuffer of `size` bytes, all written by `fill` where they will stay. */
export function fillGuestBytes(context: QuickJSContext, size: number, fill: (bytes: Uint8Array) => void): QuickJSHandle {
  return fillGuestBytesUpTo(context, size, (bytes) => {
    fill(bytes);
    return size;
  });
}

/** `bytes` as a new guest ArrayBuffer: one copy. */
export function newGuestBytes(context: QuickJSContext, bytes: Uint8Array): QuickJSHandle {
  return fillGuestBytes(context, bytes.byteLength, (room) => room.set(bytes));
}

/**
 * Runs `use` over a guest ArrayBuffer's bytes, copied by QuickJS into a block of the heap that is
 * freed after: `use` must be done with them before it returns, and must not call into the guest.
 */
export function withGuestBytes<T>(context: QuickJSContext, handle: QuickJSHandle, use: (bytes: Uint8Array) => T): T {
  return withGuestBytesOf(context, [handle], (views) => use(views[0] as Uint8Array));
}

/**
 * The same over several ArrayBuffers at once: every copy is made before any view, since a copy
 * that grows the heap detaches the views made before it.
 */
export function withGuestBytesOf<T>(context: QuickJSContext, handles: QuickJSHandle[], use: (views: Uint8Array[]) => T): T {
  const internals = context as unknown as HeapInternals;
  const { module } = internals;
  const copies: Array<{ pointer: number; size: number }> = [];
  try {
    for (const handle of handles) copies.push(copyOf(internals, handle));
    return use(copies.map((copy) => viewOf(module, copy)));
  } finally {
    for (const { pointer } of copies) if (pointer !== 0) module._free(pointer);
  }
}
