// Kept while files with uncommitted edits elsewhere in the tree still import this path; the rest of
// isolambda imports src/sandbox/index.ts.
export * from "./shared/limits.js";
