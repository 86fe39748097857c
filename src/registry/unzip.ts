/**
 * Unpacks an uploaded deployment package into a directory, with Lambda's checks: a zip that does
 * not parse, an entry whose path leaves the package root, or more than 262144000 unzipped bytes is
 * an InvalidParameterValueException; so is an entry whose content is not what its header says
 * (more or fewer bytes than declared, or another CRC-32).
 *
 * yauzl reads the central directory (the archive's table of contents, as unzip tools do). A first
 * pass lists the entries without inflating anything, so paths and the declared unzipped total are
 * checked before a byte is written: a zip bomb stops right there. Entries are then streamed to
 * disk one at a time: Node's zlib inflates on the libuv thread pool, so the main thread only
 * counts, checksums and hands on chunks of a few KiB, and keeps serving meanwhile. An entry is cut
 * off at the first byte past its declared size, so the real total can never pass the declared
 * total checked first.
 */
import { createWriteStream } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import { fromBufferPromise, getFileNameLowLevel, type Entry as ZipEntry, type ZipFile } from "yauzl";
import { LambdaError } from "../lambda/errors.js";

/** Lambda's limit on a package's unzipped size (250 MB). */
export const UNZIPPED_LIMIT_BYTES = 262_144_000;
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

const DEFLATE = 8;
const STORED = 0;

export const CORRUPT_ZIP_MESSAGE = "Could not unzip uploaded file. Please check your file, then try to upload again.";
export const TOO_LARGE_MESSAGE = `Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`;

export function corruptZip(): LambdaError {
  return new LambdaError("InvalidParameterValueException", CORRUPT_ZIP_MESSAGE);
}

function lyingEntry(name: string, what: string): LambdaError {
  return new LambdaError("InvalidParameterValueException", `Could not unzip uploaded file: the entry "${name}" ${what}.`);
}

export interface UnpackOptions {
  /** Most unzipped bytes accepted; Lambda's 262144000 unless given. */
  limitBytes?: number;
}

export interface UnpackResult {
  files: number;
  /** Unzipped bytes written. */
  bytes: number;
}

interface Entry {
  /** The name as stored in the archive. */
  name: string;
  /** Path segments below the root, checked. */
  segments: string[];
  directory: boolean;
  zip: ZipEntry;
}

/**
 * The entry's path below the package root, as segments. Backslashes count as separators (zips made
 * on Windows use them); absolute paths, drive letters, `..` and NUL are refused. An empty result is
 * the root itself.
 */
export function entrySegments(name: string): string[] {
  const unified = name.replaceAll("\\", "/");
  const escapes = unified.startsWith("/") || /^[A-Za-z]:/.test(unified) || unified.includes("\0");
  const segments = unified.split("/").filter((s) => s !== "" && s !== ".");
  if (escapes || segments.includes("..")) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Could not unzip uploaded file: the entry "${name}" points outside the package root.`,
    );
  }
  return segments;
}

/** Lists the archive's entries (no inflating) and checks every one before anything is written. */
async function plan(archive: ZipFile, limitBytes: number): Promise<Entry[]> {
  // The last entry for a path wins, as when unzip overwrites; earlier ones are never written.
  const byPath = new Map<string, Entry>();
  let declared = 0;
  for await (const zip of archive.eachEntry()) {
    // Names are decoded here, backslashes kept, so that a refusal quotes the name as stored.
    const name = getFileNameLowLevel(zip.generalPurposeBitFlag, zip.fileNameRaw, zip.extraFields, true);
    const segments = entrySegments(name);
    const directory = name.endsWith("/") || name.endsWith("\\");
    if (zip.isEncrypted() || (zip.compressionMethod !== STORED && zip.compressionMethod !== DEFLATE)) throw corruptZip();
    if (zip.compressionMethod === STORED && zip.compressedSize !== zip.uncompressedSize) throw corruptZip();
    // Every entry counts, even one a later entry replaces.
    declared += directory ? 0 : zip.uncompressedSize;
    if (declared > limitBytes) throw new LambdaError("InvalidParameterValueException", TOO_LARGE_MESSAGE);
    if (segments.length === 0) continue;
    const key = segments.join("/");
    byPath.delete(key);
    byPath.set(key, { name, segments, directory, zip });
  }
  return [...byPath.values()];
}

/** Passes an entry's content through, refusing it once it runs past its declared size, or ends short of it or with another CRC-32. */
class EntryCheck extends Transform {
  #bytes = 0;
  #crc = 0;

  constructor(private readonly entry: Entry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    const declared = this.entry.zip.uncompressedSize;
    if (this.#bytes > declared) {
      done(lyingEntry(this.entry.name, `holds more than the ${declared} bytes its header declares`));
      return;
    }
    this.#crc = crc32(chunk, this.#crc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const { uncompressedSize, crc32: declaredCrc } = this.entry.zip;
    if (this.#bytes !== uncompressedSize) {
      done(lyingEntry(this.entry.name, `holds ${this.#bytes} bytes, not the ${uncompressedSize} its header declares`));
    } else if (this.#crc !== declaredCrc) {
      done(lyingEntry(this.entry.name, "fails its CRC-32 check"));
    } else done();
  }
}

function isFsConflict(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR" || code === "ENAMETOOLONG";
}

/**
 * Unpacks `zip` into `targetDir` (which must be new and empty: nothing in it is a symlink, so every
 * write stays below it). Throws LambdaError InvalidParameterValueException on the checks above; what
 * was written before a refusal stays in `targetDir`, for the caller to remove with it.
 */
export async function unpackZip(zip: Uint8Array, targetDir: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const limitBytes = options.limitBytes ?? UNZIPPED_LIMIT_BYTES;
  let archive: ZipFile;
  try {
    archive = await fromBufferPromise(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength), {
      lazyEntries: true,
      autoClose: false,
      // Names are decoded and checked in plan(), sizes and CRCs in EntryCheck, with messages that say which entry lies.
      decodeStrings: false,
      validateEntrySizes: false,
    });
  } catch {
    throw corruptZip();
  }
  try {
    return await unpackEntries(archive, targetDir, limitBytes);
  } catch (error) {
    if (error instanceof LambdaError) throw error;
    // A file where a directory must go, or the reverse: the archive contradicts itself.
    if (isFsConflict(error)) throw corruptZip();
    // Anything else from the filesystem (ENOSPC, EMFILE) is the host's fault, not the archive's.
    if ((error as NodeJS.ErrnoException).syscall !== undefined) throw error;
    throw corruptZip();
  } finally {
    archive.close();
  }
}

async function unpackEntries(archive: ZipFile, targetDir: string, limitBytes: number): Promise<UnpackResult> {
  const entries = await plan(archive, limitBytes);
  const madeDirs = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    madeDirs.add(dir);
  };
  let written = 0;
  let files = 0;
  for (const entry of entries) {
    const target = path.join(targetDir, ...entry.segments);
    if (entry.directory) {
      await ensureDir(target);
      continue;
    }
    await ensureDir(path.dirname(target));
    const content = await archive.openReadStreamPromise(entry.zip);
    await pipeline(content, new EntryCheck(entry), createWriteStream(target, { mode: FILE_MODE }));
    // The mode given at creation passes through the umask; packages are read by the sandbox alike everywhere.
    await chmod(target, FILE_MODE);
    written += entry.zip.uncompressedSize;
    files += 1;
  }
  return { files, bytes: written };
}
