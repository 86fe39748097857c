/**
 * Node's module syntax detection (unflagged in Node 20.19 and 22.7, so on Lambda's nodejs20.x and
 * nodejs22.x): a `.js` file whose nearest package.json has no `type` is CommonJS unless compiling it
 * as CommonJS fails with an error only ES module syntax causes; then it is an ES module. Bundlers
 * publish such files (@silverbucket/ajv-formats-draft2019, under @middy/validator, is one).
 */

import vm from "node:vm";

/** The errors Node's CommonJS loader retries as an ES module (lib/internal/modules/helpers.js). */
const ESM_ONLY_ERRORS = [
  "Cannot use import statement outside a module",
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
  // Top-level await: Node compiles such a file again as a module.
  "await is only valid in async functions and the top level bodies of modules",
];

/** Source without any of these tokens cannot hold module syntax: it is not compiled a second time. */
const MAYBE_MODULE = /\bimport\s*[\w{*"'.]|\bexport\s*[\w{*]|\bawait\b/;

/** Whether V8 refuses `source` as CommonJS because of ES module syntax, as Node's detection decides. */
export function hasModuleSyntax(source: string, filename: string): boolean {
  if (!MAYBE_MODULE.test(source)) return false;
  try {
    // Node's CommonJS wrapper, so a top-level `return` stays legal and top-level `await` is refused as there.
    new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename });
    return false;
  } catch (error) {
    return error instanceof SyntaxError && ESM_ONLY_ERRORS.includes(error.message);
  }
}
