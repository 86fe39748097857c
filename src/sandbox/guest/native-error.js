// The host's Node errors cross as data (an Error carrying name, message and code, see
// src/sandbox/native/guest-values.ts); the guest throws them as the class Node throws.

const CLASSES = { TypeError, RangeError, SyntaxError };
const FIELDS = ["code", "errno", "library", "reason", "function"];

export function nodeErrorOf(error) {
  if (!(error instanceof Error)) return error;
  const Kind = Object.hasOwn(CLASSES, error.name) ? CLASSES[error.name] : Error;
  if (Kind === Error) return error;
  const out = new Kind(error.message);
  for (const field of FIELDS) if (error[field] !== undefined) out[field] = error[field];
  return out;
}

/** `fn(...args)` on the host, its error thrown as Node's class. */
export function callHost(fn, ...args) {
  try {
    return fn(...args);
  } catch (error) {
    throw nodeErrorOf(error);
  }
}
