/** Storing an uploaded zip (a function's package or a layer's content) within the account's code storage. */

import { LambdaError } from "../lambda/errors.js";
import type { StoredCode } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";

/**
 * Stores the zip and runs `use` with it, which writes the version that uses it. The package is
 * held until `use` ends, and removed then if `use` failed and nothing else uses it.
 * Lambda: CodeStorageExceededException is about the account-wide total, layers included.
 */
export async function withStoredZip<T>(deps: ApiDeps, zip: Uint8Array, use: (code: StoredCode) => T | Promise<T>): Promise<T> {
  if (deps.registry.codeStorageBytes() + zip.length > deps.codeStorageLimitBytes) {
    throw new LambdaError("CodeStorageExceededException", "Code storage limit exceeded.");
  }
  const code = await deps.code.put(zip);
  try {
    return await use(code);
  } finally {
    await deps.code.release(code.codeSha256);
  }
}
