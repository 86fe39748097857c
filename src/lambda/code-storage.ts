/** Storing an uploaded zip (a function's package or a layer's content) within the account's code storage. */
import type { CodeStore, Registry, StoredCode } from "../registry/types.js";
import { LambdaError } from "./errors.js";

export interface CodeStorageLimit {
  /** CodeStorageExceededException: the account-wide total of stored code; AWS's default is 75 GB. */
  codeStorageLimitBytes: number;
}

/** What storing code needs: the stored total, the store, and the account's limit. */
export interface CodeStorage extends CodeStorageLimit {
  registry: Pick<Registry, "codeStorageBytes">;
  code: Pick<CodeStore, "put" | "release">;
}

/**
 * Stores the zip and runs `use` with it, which writes the version that uses it. The package is
 * held until `use` ends, and removed then if `use` failed and nothing else uses it.
 * Lambda: CodeStorageExceededException is about the account-wide total, layers included.
 */
export async function withStoredZip<T>(storage: CodeStorage, zip: Uint8Array, use: (code: StoredCode) => T | Promise<T>): Promise<T> {
  if (storage.registry.codeStorageBytes() + zip.length > storage.codeStorageLimitBytes) {
    throw new LambdaError("CodeStorageExceededException", "Code storage limit exceeded.");
  }
  const code = await storage.code.put(zip);
  try {
    return await use(code);
  } finally {
    await storage.code.release(code.codeSha256);
  }
}
