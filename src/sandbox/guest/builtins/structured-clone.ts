// structuredClone (the global, and MessagePort's postMessage). Only the package's algorithm is
// used: its default export probes the global structuredClone, which is the lazy global this
// builtin is loaded for, and would load it again, recursively.
import { deserialize, serialize } from "@ungap/structured-clone";

/** The first function or symbol inside `value`: what the algorithm refused, named in Node's message. */
function uncloneable(value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value === "function" || typeof value === "symbol") return value;
  if (value === null || typeof value !== "object" || seen.has(value)) return undefined;
  seen.add(value);
  const parts = value instanceof Map ? [...value].flat() : value instanceof Set ? [...value] : Object.values(value);
  for (const part of parts) {
    const found = uncloneable(part, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function structuredClone(value: unknown, options?: unknown): unknown {
  let records: unknown;
  try {
    // The package destructures its options: null is no options, as for Node.
    records = serialize(value, options ?? undefined);
  } catch (error) {
    const found = uncloneable(value);
    if (found === undefined) throw error;
    throw new DOMException(`${String(found)} could not be cloned.`, "DataCloneError");
  }
  return deserialize(records);
}
