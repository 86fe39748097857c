/**
 * Bytes, strings and errors across the guest/host line for the native built-ins (ciphers, zlib).
 * Bytes cross as whole ArrayBuffers: quickjs-emscripten copies one out of the guest heap per
 * call and into it per result, so one crossing costs two copies of the data and a few µs.
 */
import type { QuickJSContext, QuickJSHandle, VmCallResult } from "quickjs-emscripten-core";
import type { HostFunction } from "../guest-host.js";
import { newGuestBytes, withGuestBytes } from "./guest-heap.js";
import { hostText } from "./strings.js";

/**
 * What one call takes or gives back at most, whatever the function's memory. The guest's own
 * allocations are held to its MemorySize by its wasm memory, and what the host makes for it to the
 * same (work-bounds.ts); this is the cap below both, Lambda's largest MemorySize rounded down.
 */
export const MAX_CALL_BYTES = 1 << 30;

/** The bytes of an ArrayBuffer handle, copied to the host: the guest heap may move before they are used. */
export function bytesOf(ctx: QuickJSContext, handle: QuickJSHandle): Buffer {
  return withGuestBytes(ctx, handle, (bytes) => Buffer.from(bytes));
}

/**
 * Runs `use` over an ArrayBuffer handle's bytes (a string as it is) in place, without a copy to the
 * host: `use` must be done with them before it returns, and must not call back into the guest,
 * whose heap may move when it grows.
 */
export function withData<T>(ctx: QuickJSContext, handle: QuickJSHandle | undefined, use: (data: string | Uint8Array) => T): T {
  if (handle === undefined || ctx.typeof(handle) !== "object") return use(handle === undefined ? new Uint8Array(0) : hostText(ctx, handle));
  return withGuestBytes(ctx, handle, use);
}

/** A string as it is, an ArrayBuffer (the only object the guest passes) as bytes, undefined as undefined. */
export function dataOf(ctx: QuickJSContext, handle: QuickJSHandle | undefined): string | Buffer | undefined {
  if (handle === undefined) return undefined;
  const type = ctx.typeof(handle);
  if (type === "string") return hostText(ctx, handle);
  if (type === "object") return bytesOf(ctx, handle);
  return undefined;
}

export function optionalString(ctx: QuickJSContext, handle: QuickJSHandle | undefined): string | undefined {
  return handle === undefined || ctx.typeof(handle) !== "string" ? undefined : ctx.getString(handle);
}

export function optionalNumber(ctx: QuickJSContext, handle: QuickJSHandle | undefined): number | undefined {
  return handle === undefined || ctx.typeof(handle) !== "number" ? undefined : ctx.getNumber(handle);
}

/** Host bytes as a new guest ArrayBuffer, or a string as a guest string. */
export function guestValue(ctx: QuickJSContext, value: Uint8Array | string): QuickJSHandle {
  return typeof value === "string" ? ctx.newString(value) : newGuestBytes(ctx, value);
}

const ERROR_FIELDS = ["code", "errno", "library", "reason", "function"] as const;

/** A host error as data: its name and message, and those of code, errno, library, reason and function it has. */
export type ErrorData = { name: string; message: string; [field: string]: string | number };

export function errorData(error: unknown): ErrorData {
  const source = (error instanceof Error ? error : new Error(String(error))) as Error & Record<string, unknown>;
  const data: ErrorData = { name: source.name, message: source.message };
  for (const field of ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === "string" || typeof value === "number") data[field] = value;
  }
  return data;
}

/**
 * The host's Node error as a guest error carrying its name, message and code (and errno,
 * OpenSSL's library and reason): the guest throws an error of the matching class from it.
 */
export function errorResult(ctx: QuickJSContext, error: unknown): VmCallResult<QuickJSHandle> {
  const { name, message, ...fields } = errorData(error);
  const handle = ctx.newError({ name, message });
  for (const [field, value] of Object.entries(fields)) {
    using fieldValue = typeof value === "string" ? ctx.newString(value) : ctx.newNumber(value);
    ctx.setProp(handle, field, fieldValue);
  }
  return { error: handle };
}

/** Runs `work`, turning a thrown host error into the guest error it stands for. */
export function guarded(
  ctx: QuickJSContext,
  work: () => QuickJSHandle | undefined,
): QuickJSHandle | VmCallResult<QuickJSHandle> | undefined {
  try {
    return work();
  } catch (error) {
    return errorResult(ctx, error);
  }
}

/** A host function whose thrown host errors reach the guest as the errors they stand for. */
export function guardedFunction(ctx: QuickJSContext, work: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): HostFunction {
  return (...args) => guarded(ctx, () => work(...args));
}

/** A RangeError with Node's ERR_OUT_OF_RANGE code: a limit of isolambda's, named in `message`. */
export function outOfRange(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: "ERR_OUT_OF_RANGE" });
}

/** A table of host objects the guest names by number, bounded so an environment cannot pile them up. */
export class HandleTable<T> {
  readonly #entries = new Map<number, T>();
  #next = 1;

  constructor(
    readonly what: string,
    readonly limit: number,
  ) {}

  add(value: T): number {
    if (this.#entries.size >= this.limit) {
      throw outOfRange(`More than ${this.limit} ${this.what} are open in this environment`);
    }
    const id = this.#next++;
    this.#entries.set(id, value);
    return id;
  }

  get(id: number): T {
    const value = this.#entries.get(id);
    if (value === undefined) {
      throw Object.assign(new Error(`Invalid state: this ${this.what.replace(/s$/, "")} is closed`), { code: "ERR_INVALID_STATE" });
    }
    return value;
  }

  delete(id: number): void {
    this.#entries.delete(id);
  }
}
