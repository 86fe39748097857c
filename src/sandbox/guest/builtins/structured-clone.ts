// Only the algorithm: the package's default export probes the global structuredClone, which is
// the lazy global this builtin is loaded for, and would load it again, recursively.
export { deserialize, serialize } from "@ungap/structured-clone";
