// What node:crypto's functions (builtins/crypto.ts) share: Node's errors for a bad argument, its
// accepted inputs as bytes, a size's bounds, and when a callback hears its result. Part of the crypto bundle.
import { Buffer } from "buffer";

// The crypto bundle's modules take Buffer from here: each one's own import of the package costs the bundle a binding.
export { Buffer };

export const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });

export const received = (value: unknown): string =>
  value === null || value === undefined
    ? String(value)
    : typeof value === "object"
      ? `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`
      : `type ${typeof value} (${String(value)})`;

/** Node's accepted inputs (string in an encoding, Buffer, TypedArray, DataView, ArrayBuffer) as bytes. */
export function bytesOf(data: unknown, encoding?: string, name = "data"): Uint8Array {
  if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(data)}`,
  );
}

export function checkSize(value: unknown, name: string, max = 2 ** 31 - 1): asserts value is number {
  if (typeof value !== "number")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be of type number. Received ${received(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw nodeError(
      RangeError,
      "ERR_OUT_OF_RANGE",
      `The value of "${name}" is out of range. It must be >= 0 && <= ${max}. Received ${value}`,
    );
  }
}

/** Runs `compute` after the current task and hands its result to a Node-style callback. */
export function later<T>(callback: unknown, compute: () => T): void {
  if (typeof callback !== "function")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "callback" argument must be of type function');
  setTimeout(() => {
    let result: T;
    try {
      result = compute();
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, result);
  }, 0);
}

/**
 * A callback form whose work the host does meanwhile: `start` throws Node's argument errors at once,
 * and the bytes reach `callback` as a Buffer unless `shape` makes them otherwise (hkdf's are an ArrayBuffer).
 */
export function onHost(
  callback: unknown,
  start: () => Promise<ArrayBuffer>,
  shape: (bytes: ArrayBuffer) => unknown = (bytes) => Buffer.from(bytes),
): void {
  if (typeof callback !== "function")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received ${received(callback)}`);
  start().then(
    (bytes) => callback(null, shape(bytes)),
    (error: unknown) => callback(error),
  );
}
