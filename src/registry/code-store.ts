/**
 * Deployment packages on disk, once per CodeSha256: the zip as `<dataDir>/code/<hex>.zip` and its
 * content unpacked in `<dataDir>/code/<hex>/`, the directory the sandbox serves as /var/task.
 *
 * A package is unpacked into a temporary directory and renamed into place, so `<hex>/` exists only
 * complete; its row in the `code` table is written after both files are in place. Concurrent puts
 * of one zip in this process share one unpacking; another process racing for the same sha loses
 * the rename and uses the winner's directory (same bytes, same content).
 *
 * A package lives as long as a function version or a layer version uses it, or a put's caller
 * still holds it (between storing it and writing the version that uses it): collect() removes the
 * rest. Holds are this process's own, so two servers sharing a data dir can, in the moment between
 * one's put and its CreateFunction, remove a package the other just stored.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type Sqlite from "better-sqlite3";
import { CODE_IN_USE } from "./function-statements.js";
import { lambdaTimestamp } from "./timestamp.js";
import type { CodeStore, StoredCode } from "./types.js";
import { unpackZip } from "./unzip.js";
import { zipFolder } from "./zip-folder.js";

export const CODE_DIR = "code";
const TEMP_PREFIX = ".tmp-";
/**
 * A temporary entry names the process that made it. At open, those of processes that are gone are
 * leftovers of a crash and removed; a live process's are left alone unless older than this (its
 * pid may have been reused by another program since).
 */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_OWNER = /^\.tmp-(\d+)-/;
const PACKAGE_FILE = /^([0-9a-f]{64})(?:\.zip)?$/;

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

/** Another process than this one runs as `pid`. */
function liveOther(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Unpacking {
  stored: Promise<StoredCode>;
  /** Holds taken by the puts that joined it: given back if it fails. */
  holds: number;
}

export class FileCodeStore implements CodeStore {
  readonly root: string;
  readonly #db: Sqlite.Database;
  readonly #inFlight = new Map<string, Unpacking>();
  /** Puts whose caller has not released the package yet, by CodeSha256. */
  readonly #holds = new Map<string, number>();
  readonly #insert: Sqlite.Statement<[string, number, number, string]>;
  readonly #select: Sqlite.Statement<[string], { size: number; unzipped_size: number | null }>;
  readonly #setUnzipped: Sqlite.Statement<[number, string]>;
  readonly #unused: Sqlite.Statement<[], string>;
  readonly #delete: Sqlite.Statement<[string]>;
  readonly #all: Sqlite.Statement<[], string>;

  constructor(db: Sqlite.Database, dataDir: string) {
    this.#db = db;
    this.root = path.join(dataDir, CODE_DIR);
    mkdirSync(this.root, { recursive: true });
    this.#insert = db.prepare<[string, number, number, string]>(
      "INSERT INTO code (sha256, size, unzipped_size, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#select = db.prepare<[string], { size: number; unzipped_size: number | null }>(
      "SELECT size, unzipped_size FROM code WHERE sha256 = ?",
    );
    this.#setUnzipped = db.prepare<[number, string]>("UPDATE code SET unzipped_size = ? WHERE sha256 = ? AND unzipped_size IS NULL");
    // EXCEPT rather than NOT IN: one NULL among the shas in use would make NOT IN select nothing, ever.
    this.#unused = db.prepare<[], string>(`SELECT sha256 FROM code EXCEPT SELECT * FROM (${CODE_IN_USE})`).pluck();
    this.#delete = db.prepare<[string]>("DELETE FROM code WHERE sha256 = ?");
    this.#all = db.prepare<[], string>("SELECT sha256 FROM code").pluck();
    this.#removeLeftovers();
  }

  /** What a crash left behind: partial unpackings, packages nothing uses, and files no row names. */
  #removeLeftovers(): void {
    // Moved away under this process's temporary names, which the loop below removes.
    for (const sha of this.#takeUnused()) this.#moveAway(sha);
    const named = new Set(this.#all.all().map(hexOf));
    const now = Date.now();
    for (const name of readdirSync(this.root)) {
      const full = path.join(this.root, name);
      const owner = TEMP_OWNER.exec(name);
      const hex = PACKAGE_FILE.exec(name)?.[1];
      const leftover = name.startsWith(TEMP_PREFIX)
        ? owner === null ||
          !liveOther(Number(owner[1])) ||
          now - (statSync(full, { throwIfNoEntry: false })?.mtimeMs ?? now) > STALE_TEMP_MS
        : hex !== undefined && !named.has(hex);
      if (leftover) rmSync(full, { recursive: true, force: true });
    }
  }

  /** Deletes the rows of packages no version uses and no put holds; their CodeSha256s. */
  #takeUnused(): string[] {
    return this.#db
      .transaction(() => {
        const unused = this.#unused.all().filter((sha) => !this.#holds.has(sha));
        for (const sha of unused) this.#delete.run(sha);
        return unused;
      })
      .immediate();
  }

  /**
   * Renames a package's directory and zip to temporary names, at once: a put of the same bytes from
   * here on unpacks afresh instead of finding a directory about to vanish. The new names.
   */
  #moveAway(codeSha256: string): string[] {
    const hex = hexOf(codeSha256);
    if (hex === undefined) return [];
    const moved: string[] = [];
    for (const name of [hex, `${hex}.zip`]) {
      const trash = path.join(this.root, `${TEMP_PREFIX}${process.pid}-removed-${randomBytes(6).toString("hex")}`);
      try {
        renameSync(path.join(this.root, name), trash);
        moved.push(trash);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return moved;
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
    // Taken before anything is awaited, so no collect() from here on removes the package.
    this.#holds.set(codeSha256, (this.#holds.get(codeSha256) ?? 0) + 1);
    const pending = this.#inFlight.get(codeSha256);
    if (pending) {
      pending.holds += 1;
      return pending.stored;
    }
    let unpacking: Unpacking | undefined;
    const stored = this.#store(zip, codeSha256, digest.toString("hex"))
      .catch((error: unknown) => {
        this.#drop(codeSha256, unpacking?.holds ?? 1);
        throw error;
      })
      .finally(() => this.#inFlight.delete(codeSha256));
    unpacking = { stored, holds: 1 };
    this.#inFlight.set(codeSha256, unpacking);
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

  async release(codeSha256: string): Promise<void> {
    this.#drop(codeSha256, 1);
    await this.collect();
  }

  async collect(): Promise<void> {
    const moved = this.#takeUnused().flatMap((sha) => this.#moveAway(sha));
    await Promise.all(moved.map((file) => rm(file, { recursive: true, force: true })));
  }

  #drop(codeSha256: string, holds: number): void {
    const left = (this.#holds.get(codeSha256) ?? 0) - holds;
    if (left > 0) this.#holds.set(codeSha256, left);
    else this.#holds.delete(codeSha256);
  }

  async #store(zip: Uint8Array, codeSha256: string, hex: string): Promise<StoredCode> {
    const known = this.get(codeSha256);
    if (known) return known;
    const dir = path.join(this.root, hex);
    let unzippedSize: number | undefined;
    if (!existsSync(dir)) {
      const temp = await mkdtemp(path.join(this.root, `${TEMP_PREFIX}${process.pid}-${hex}-`));
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
      const temp = path.join(this.root, `${TEMP_PREFIX}${process.pid}-${hex}-${randomBytes(6).toString("hex")}.zip`);
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
