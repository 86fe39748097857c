// What the native bundles (ciphers, zlib, hashes) hand to the host and say of bad arguments.

/** Bytes as the host takes them: a whole ArrayBuffer (a view's own bytes are copied out first). */
export function arrayBufferOf(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const { buffer, byteOffset, byteLength } = data;
  return byteOffset === 0 && byteLength === buffer.byteLength
    ? (buffer as ArrayBuffer)
    : (buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
}

/**
 * Whether the host reads `text`, shorter than `below`, exactly as Node encodes it (UTF-8) from the C
 * string QuickJS writes: well formed (a lone surrogate is mangled there) and without a NUL (it ends there).
 */
export const isPlainText = (text: string, below: number): boolean => text.length < below && text.isWellFormed() && !text.includes("\0");

/** How ERR_INVALID_ARG_TYPE's message names the value it got. */
export const received = (value: unknown): string =>
  value === null
    ? "null"
    : typeof value === "object"
      ? `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`
      : `type ${typeof value} (${String(value)})`;
