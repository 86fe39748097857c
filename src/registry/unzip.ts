/**
 * Unpacks an uploaded deployment package into a directory, with Lambda's checks: a zip that does
 * not parse, an entry whose path leaves the package root, or more than 262144000 unzipped bytes is
 * an InvalidParameterValueException.
 *
 * fflate reads the central directory (the archive's table of contents, as unzip tools do). A first
 * pass lists the entries without inflating anything, so paths and the declared unzipped total are
 * checked before a byte is written: a zip bomb stops right there. fflate inflates each entry into
 * a buffer of exactly its declared size and never past it, so an archive that understates its
 * sizes cannot exceed the limit either. Entries are then inflated in batches of a few MiB of output
 * and written as they come, so memory holds one batch (or one large file), not the package.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type UnzipFileInfo, unzipSync } from "fflate";
import { AwsError } from "../api/errors.js";

/** Lambda's limit on a package's unzipped size (250 MB). */
export const UNZIPPED_LIMIT_BYTES = 262_144_000;
/** Declared output inflated per pass over the archive. */
const BATCH_BYTES = 16 * 1024 * 1024;
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

const DEFLATE = 8;
const STORED = 0;

export const CORRUPT_ZIP_MESSAGE = "Could not unzip uploaded file. Please check your file, then try to upload again.";
export const TOO_LARGE_MESSAGE = `Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`;

export function corruptZip(): AwsError {
  return new AwsError("InvalidParameterValueException", CORRUPT_ZIP_MESSAGE);
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
  /** The name as stored in the archive (fflate's key for it). */
  name: string;
  /** Path segments below the root, checked. */
  segments: string[];
  directory: boolean;
  originalSize: number;
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
    throw new AwsError(
      "InvalidParameterValueException",
      `Could not unzip uploaded file: the entry "${name}" points outside the package root.`,
    );
  }
  return segments;
}

/** Lists the archive's entries (no inflating) and checks every one before anything is written. */
function plan(zip: Uint8Array, limitBytes: number): Entry[] {
  const infos: UnzipFileInfo[] = [];
  try {
    unzipSync(zip, {
      filter: (info) => {
        infos.push(info);
        return false;
      },
    });
  } catch {
    throw corruptZip();
  }
  // The last entry for a path wins, as when unzip overwrites; earlier ones are never written.
  const byPath = new Map<string, Entry>();
  let declared = 0;
  for (const info of infos) {
    const segments = entrySegments(info.name);
    const directory = info.name.endsWith("/") || info.name.endsWith("\\");
    if (info.compression !== STORED && info.compression !== DEFLATE) throw corruptZip();
    if (info.compression === STORED && info.size !== info.originalSize) throw corruptZip();
    // Every entry counts, even one a later entry replaces: fflate inflates both.
    declared += directory ? 0 : info.originalSize;
    if (declared > limitBytes) throw new AwsError("InvalidParameterValueException", TOO_LARGE_MESSAGE);
    if (segments.length === 0) continue;
    const key = segments.join("/");
    byPath.delete(key);
    byPath.set(key, { name: info.name, segments, directory, originalSize: directory ? 0 : info.originalSize });
  }
  return [...byPath.values()];
}

function isFsConflict(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR" || code === "ENAMETOOLONG";
}

/**
 * Unpacks `zip` into `targetDir` (which must be new and empty: nothing in it is a symlink, so every
 * write stays below it). Throws AwsError InvalidParameterValueException on the checks above.
 */
export async function unpackZip(zip: Uint8Array, targetDir: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const limitBytes = options.limitBytes ?? UNZIPPED_LIMIT_BYTES;
  const entries = plan(zip, limitBytes);
  const madeDirs = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    madeDirs.add(dir);
  };

  let written = 0;
  let files = 0;
  for (let start = 0; start < entries.length; ) {
    // A batch: entries up to BATCH_BYTES of declared output, at least one.
    let end = start;
    let batchBytes = 0;
    while (end < entries.length && (end === start || batchBytes + (entries[end] as Entry).originalSize <= BATCH_BYTES)) {
      batchBytes += (entries[end] as Entry).originalSize;
      end += 1;
    }
    const batch = entries.slice(start, end);
    const wanted = new Set(batch.filter((e) => !e.directory).map((e) => e.name));
    let data: Record<string, Uint8Array>;
    try {
      // Each wanted name is unique in `entries`; fflate gives the last entry of that name, as planned.
      data = wanted.size === 0 ? {} : unzipSync(zip, { filter: (info) => wanted.has(info.name) });
    } catch {
      throw corruptZip();
    }
    for (const entry of batch) {
      const target = path.join(targetDir, ...entry.segments);
      try {
        if (entry.directory) {
          await ensureDir(target);
          continue;
        }
        const content = data[entry.name];
        // Inflating never goes past the declared size; coming out short means the data is broken.
        if (content === undefined || content.length !== entry.originalSize) throw corruptZip();
        written += content.length;
        if (written > limitBytes) throw new AwsError("InvalidParameterValueException", TOO_LARGE_MESSAGE);
        await ensureDir(path.dirname(target));
        await writeFile(target, content, { mode: FILE_MODE });
        // The mode given at creation passes through the umask; packages are read by the sandbox alike everywhere.
        await chmod(target, FILE_MODE);
        files += 1;
      } catch (error) {
        // A file where a directory must go, or the reverse: the archive contradicts itself.
        if (isFsConflict(error)) throw corruptZip();
        throw error;
      }
    }
    start = end;
  }
  return { files, bytes: written };
}
