/**
 * vitest's global setup: the compatibility corpus (test/corpus, its own package) is installed before
 * any test file loads, the first time tests run in a clone and again when its lockfile changes, so a
 * single test file run with `npx vitest run` finds it as `npm test` does. Already installed, this is
 * one short node process.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/install-side.mjs", import.meta.url)), "test/corpus"], {
    stdio: "inherit",
  });
}
