/**
 * Where SnapStart snapshots live: `<root>/<runtime>/<function>+<version>+<key>.snap.gz`, one folder
 * per runtime (the SHA-256 of the wasm binary and the guest runtime), one file per version and
 * configuration. Files nothing can restore any more are deleted: another runtime's folder at
 * start, a version's files when the version is deleted, and an older configuration's file when a
 * version's snapshot is made again ($LATEST updated in place).
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";

const RUNTIME_DIR = /^[0-9a-f]{64}$/;
/** The layout before runtime folders: `<key>.snap.gz` at the top. */
const LEGACY_FILE = /^[0-9a-f]{64}\.snap\.gz$/;

/** Function names and versions never contain `+` once encoded (Lambda allows letters, digits, `-`, `_`, `$`). */
const prefixOf = (functionName: string, version?: string) =>
  version === undefined ? `${encodeURIComponent(functionName)}+` : `${encodeURIComponent(functionName)}+${encodeURIComponent(version)}+`;

export function snapshotFile(root: string, runtimeSha256: string, functionName: string, version: string, key: string): string {
  return path.join(root, runtimeSha256, `${prefixOf(functionName, version)}${key}.snap.gz`);
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Removes the snapshots of other runtimes (a rebuilt guest runtime or another wasm binary): none of them can be restored. */
export async function removeStaleRuntimes(root: string, runtimeSha256: string): Promise<void> {
  const stale = (await entries(root)).filter((name) => (RUNTIME_DIR.test(name) && name !== runtimeSha256) || LEGACY_FILE.test(name));
  await Promise.all(stale.map((name) => rm(path.join(root, name), { recursive: true, force: true })));
}

/**
 * Removes the snapshots of a function (every version), or of one version of it, except the file
 * `keep` (a version's current snapshot, when an older configuration's is superseded).
 */
export async function removeSnapshots(
  root: string,
  runtimeSha256: string,
  functionName: string,
  version?: string,
  keep?: string,
): Promise<void> {
  const dir = path.join(root, runtimeSha256);
  const prefix = prefixOf(functionName, version);
  // A file being written (`.tmp`) is left to its writer.
  const doomed = (await entries(dir)).filter(
    (name) => name.startsWith(prefix) && name.endsWith(".snap.gz") && path.join(dir, name) !== keep,
  );
  await Promise.all(doomed.map((name) => rm(path.join(dir, name), { force: true })));
}
