/**
 * Deployment packages on disk, once per CodeSha256: the zip as `<dataDir>/code/<hex>.zip` and its
 * content unpacked in `<dataDir>/code/<hex>/`, the directory the sandbox serves as /var/task.
 *
 * A package is unpacked into a temporary directory and renamed into place, so `<hex>/` exists only
 * complete; its row in the `code` table is written after both files are in place. Concurrent puts
 * of one zip in this process share one unpacking; another process racing for the same sha loses
 * the rename and uses the winner's directory (same bytes, same content).
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type Sqlite from "better-sqlite3";
import { lambdaTimestamp } from "./timestamp.js";
import type { CodeStore, StoredCode } from "./types.js";
import { unpackZip } from "./unzip.js";
import { zipFolder } from "./zip-folder.js";

export const CODE_DIR = "code";
const TEMP_PREFIX = ".tmp-";
/** Temporary entries older than this are left over from a crash and removed at open. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Base64 CodeSha256 to the hex used in file names; undefined unless it is a canonical 32-byte digest. */
function hexOf(codeSha256: string): string | undefined {
  const digest = Buffer.from(codeSha256, "base64");
  if (digest.length !== 32 || digest.toString("base64") !== codeSha256) return undefined;
  return digest.toString("hex");
}

function alreadyThere(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOTEMPTY" || code === "EEXIST";
}

export class FileCodeStore implements CodeStore {
  readonly root: string;
  readonly #db: Sqlite.Database;
  readonly #inFlight = new Map<string, Promise<StoredCode>>();
  readonly #insert: Sqlite.Statement<[string, number, number, string]>;
  readonly #select: Sqlite.Statement<[string], { size: number; unzipped_size: number | null }>;
  readonly #setUnzipped: Sqlite.Statement<[number, string]>;

  constructor(db: Sqlite.Database, dataDir: string) {
    this.#db = db;
    this.root = path.join(dataDir, CODE_DIR);
    mkdirSync(this.root, { recursive: true });
    this.#removeStaleTemps();
    this.#insert = db.prepare<[string, number, number, string]>(
      "INSERT INTO code (sha256, size, unzipped_size, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#select = db.prepare<[string], { size: number; unzipped_size: number | null }>(
      "SELECT size, unzipped_size FROM code WHERE sha256 = ?",
    );
    this.#setUnzipped = db.prepare<[number, string]>("UPDATE code SET unzipped_size = ? WHERE sha256 = ? AND unzipped_size IS NULL");
  }

  #removeStaleTemps(): void {
    const now = Date.now();
    for (const name of readdirSync(this.root)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const full = path.join(this.root, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (stat && now - stat.mtimeMs > STALE_TEMP_MS) rmSync(full, { recursive: true, force: true });
    }
  }

  get(codeSha256: string): StoredCode | undefined {
    const hex = hexOf(codeSha256);
    if (hex === undefined) return undefined;
    const row = this.#select.get(codeSha256);
    const dir = path.join(this.root, hex);
    if (row === undefined || !existsSync(dir)) return undefined;
    let unzippedSize = row.unzipped_size;
    if (unzippedSize === null) {
      // Stored before the registry recorded it (schema step 5): measured once, then kept.
      unzippedSize = directoryBytes(dir);
      this.#setUnzipped.run(unzippedSize, codeSha256);
    }
    return { codeSha256, codeSize: row.size, unzippedSize, dir };
  }

  zipFile(codeSha256: string): string | undefined {
    const hex = hexOf(codeSha256);
    if (hex === undefined || this.#select.get(codeSha256) === undefined) return undefined;
    const file = path.join(this.root, `${hex}.zip`);
    return existsSync(file) ? file : undefined;
  }

  put(zip: Uint8Array): Promise<StoredCode> {
    const digest = createHash("sha256").update(zip).digest();
    const codeSha256 = digest.toString("base64");
    const pending = this.#inFlight.get(codeSha256);
    if (pending) return pending;
    const stored = this.#store(zip, codeSha256, digest.toString("hex")).finally(() => this.#inFlight.delete(codeSha256));
    this.#inFlight.set(codeSha256, stored);
    return stored;
  }

  putFolder(dir: string): Promise<StoredCode> {
    let zip: Uint8Array;
    try {
      zip = zipFolder(dir);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.put(zip);
  }

  async #store(zip: Uint8Array, codeSha256: string, hex: string): Promise<StoredCode> {
    const known = this.get(codeSha256);
    if (known) return known;
    const dir = path.join(this.root, hex);
    let unzippedSize: number | undefined;
    if (!existsSync(dir)) {
      const temp = await mkdtemp(path.join(this.root, `${TEMP_PREFIX}${hex}-`));
      try {
        unzippedSize = (await unpackZip(zip, temp)).bytes;
        await rename(temp, dir).catch((error: unknown) => {
          // Another process finished the same package first: its directory holds the same content.
          if (!alreadyThere(error)) throw error;
        });
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    }
    const zipFile = path.join(this.root, `${hex}.zip`);
    if (!existsSync(zipFile)) {
      const temp = path.join(this.root, `${TEMP_PREFIX}${hex}-${randomBytes(6).toString("hex")}.zip`);
      try {
        await writeFile(temp, zip, { mode: 0o644 });
        await rename(temp, zipFile);
      } finally {
        await rm(temp, { force: true });
      }
    }
    unzippedSize ??= directoryBytes(dir);
    this.#db.transaction(() => this.#insert.run(codeSha256, zip.length, unzippedSize, lambdaTimestamp())).immediate();
    return { codeSha256, codeSize: zip.length, unzippedSize, dir };
  }
}

/** Bytes of the regular files below `dir` (an unpacked package holds nothing else). */
function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += lstatSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
