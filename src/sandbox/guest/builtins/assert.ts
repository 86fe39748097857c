// node:assert and assert/strict: the `assert` package, Node's assert for other engines. Its deep
// comparison also serves util.isDeepStrictEqual.
import assert from "assert";
import comparisons from "assert/build/internal/util/comparisons.js";

export default assert;
export const isDeepStrictEqual = comparisons.isDeepStrictEqual;
