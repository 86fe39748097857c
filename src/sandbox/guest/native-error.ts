// The host's Node errors cross as data (an Error carrying name, message and code, see
// src/sandbox/executor/native/guest-values.ts); the guest throws them as the class Node throws.

const CLASSES: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };
const FIELDS = ["code", "errno", "library", "reason", "function"] as const;

export function nodeErrorOf(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const Kind = (Object.hasOwn(CLASSES, error.name) ? CLASSES[error.name] : Error) as ErrorConstructor;
  if (Kind === Error) return error;
  const out = new Kind(error.message) as Error & Record<string, unknown>;
  for (const field of FIELDS)
    if ((error as Error & Record<string, unknown>)[field] !== undefined) out[field] = (error as Error & Record<string, unknown>)[field];
  return out;
}

/** `fn(...args)` on the host, its error thrown as Node's class. */
export function callHost<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  try {
    return fn(...args);
  } catch (error) {
    throw nodeErrorOf(error);
  }
}
