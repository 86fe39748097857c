/** Storing an uploaded zip (a function's package or a layer's content) within the account's code storage. */
import type { StoredCode } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";
import { AwsError } from "./errors.js";

/** ERRATA 4: CodeStorageExceededException is about the account-wide total, layers included. */
export async function storeZip(deps: ApiDeps, zip: Uint8Array): Promise<StoredCode> {
  if (deps.registry.codeStorageBytes() + zip.length > deps.codeStorageLimitBytes) {
    throw new AwsError("CodeStorageExceededException", "Code storage limit exceeded.");
  }
  return deps.code.put(zip);
}
