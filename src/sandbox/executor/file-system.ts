/**
 * The file system a handler sees through `fs`, as Lambda lays it out: /var/task (the package) and
 * /opt (the layers) read-only, /tmp writable and private to the execution environment, "/" and
 * "/var" as the directories leading to them, and nothing else (ENOENT).
 *
 * Why on the host side of the sandbox: every path the guest names is resolved here, in one place,
 * against the cwd (/var/task) and normalised before anything is looked up, so "..", odd spellings
 * and symlinks in the package cannot reach a host file (PackageFiles resolves package paths inside
 * their roots); /tmp's bytes live in the worker's memory, counted against EphemeralStorage rather
 * than the handler's heap, as on Lambda; and the guest gets only plain values back. The guest side
 * (guest/builtins/fs.js) shapes them into Node's API.
 */
import fs from "node:fs";
import path from "node:path";
import { FsError, fail, type Where } from "./fs-errors.js";
import { OPT_ROOT, type PackageFiles, TASK_ROOT } from "./package-files.js";
import { type EntryStat, type FsStats, TmpFs } from "./tmp-fs.js";

const posix = path.posix;
export const TMP_ROOT = "/tmp";
/** Linux PATH_MAX. */
const PATH_MAX_BYTES = 4096;
/** The directories above the mounts, with what they show. */
const SKELETON = new Map<string, Array<[string, "dir"]>>([
  [
    "/",
    [
      ["opt", "dir"],
      ["tmp", "dir"],
      ["var", "dir"],
    ],
  ],
  ["/var", [["task", "dir"]]],
]);
/** statfs f_type of ext4, what Lambda's file systems report. */
const EXT4_SUPER_MAGIC = 0xef53;
/** fs.constants.W_OK and X_OK. */
const W_OK = 2;
const X_OK = 1;

type Located =
  | { mount: "tmp"; rel: string[]; full: string }
  | { mount: "package"; full: string }
  | { mount: "skeleton"; full: string }
  | { mount: "none"; full: string };

export type FsArgs = Record<string, unknown>;
/** An operation's answer: a JSON-able value, or a file's bytes. */
export type FsAnswer = { value: unknown } | { bytes: Uint8Array };

function stringArg(args: FsArgs, key: string): string {
  const value = args[key];
  if (typeof value !== "string") throw new TypeError(`fs: ${key} must be a string`);
  return value;
}

export class GuestFileSystem {
  readonly #files: PackageFiles;
  readonly #tmp: TmpFs;

  constructor(files: PackageFiles, tmpCapBytes: number) {
    this.#files = files;
    this.#tmp = new TmpFs(tmpCapBytes);
  }

  get tmpUsedBytes(): number {
    return this.#tmp.usedBytes;
  }

  /**
   * Runs one operation; a file system error comes back as an FsError for the guest to rethrow. A
   * host error (an unreadable file in a package, say) becomes EIO on the guest's path: its message
   * would name the host path.
   */
  call(op: string, args: FsArgs, bytes: Uint8Array | undefined): FsAnswer {
    try {
      return this.#call(op, args, bytes);
    } catch (error) {
      if (error instanceof FsError || error instanceof TypeError) throw error;
      throw fail("EIO", { syscall: op, path: typeof args.path === "string" ? args.path : "" });
    }
  }

  #call(op: string, args: FsArgs, bytes: Uint8Array | undefined): FsAnswer {
    const at = (syscall: string, key = "path"): Where => ({ syscall, path: stringArg(args, key) });
    switch (op) {
      case "stat":
      case "lstat":
        return { value: this.#stat(this.#locate(at(op)), at(op)) };
      case "exists":
        return { value: this.#exists(stringArg(args, "path")) };
      case "read":
        return { bytes: this.#read(this.#locate(at("open")), at("open")) };
      case "write":
        return { value: this.#write(at("open"), bytes ?? new Uint8Array(0), String(args.flag ?? "w")) };
      case "readdir":
        return { value: this.#readdir(this.#locate(at("scandir")), at("scandir")) };
      case "mkdir":
        return { value: this.#mkdir(at("mkdir"), args.recursive === true) };
      case "rm":
        return { value: this.#rm(at("lstat"), args.recursive === true, args.force === true) };
      case "rmdir":
        return { value: this.#mutate(at("rmdir"), (rel, where) => this.#tmp.rmdir(rel, where)) };
      case "unlink":
        return { value: this.#mutate(at("unlink"), (rel, where) => this.#tmp.unlink(rel, where)) };
      case "rename":
        return { value: this.#rename({ ...at("rename"), dest: stringArg(args, "dest") }) };
      case "copyFile":
        return { value: this.#copyFile({ ...at("copyfile"), dest: stringArg(args, "dest") }, args.exclusive === true) };
      case "access":
        return { value: this.#access(at("access"), Number(args.mode ?? 0)) };
      case "realpath":
        return { value: this.#realpath(at("lstat")) };
      case "statfs":
        return { value: this.#statfs(at("statfs")) };
      default:
        throw new TypeError(`fs: no operation ${op}`);
    }
  }

  /** Where a path lands: relative paths start at the cwd, /var/task, and ".." never climbs above "/". */
  #locate(where: Where): Located {
    const given = where.path as string;
    if (given.includes("\0")) throw fail("ENOENT", where);
    if (Buffer.byteLength(given) >= PATH_MAX_BYTES) throw fail("ENAMETOOLONG", where);
    const full = posix.resolve(TASK_ROOT, given);
    if (full === TMP_ROOT || full.startsWith(`${TMP_ROOT}/`)) {
      return { mount: "tmp", rel: full.slice(TMP_ROOT.length).split("/").filter(Boolean), full };
    }
    if (full === TASK_ROOT || full.startsWith(`${TASK_ROOT}/`)) return { mount: "package", full };
    if (full === OPT_ROOT || full.startsWith(`${OPT_ROOT}/`)) {
      // /opt exists on Lambda even without layers.
      if (full === OPT_ROOT && this.#files.hostPath(OPT_ROOT) === undefined) return { mount: "skeleton", full };
      return { mount: "package", full };
    }
    if (SKELETON.has(full)) return { mount: "skeleton", full };
    return { mount: "none", full };
  }

  /** The host file or directory a package path names, or ENOENT (also for a FIFO or device, which a read would block on). */
  #host(located: Located, where: Where): { host: string; stat: fs.Stats } {
    const host = this.#files.hostPath(located.full);
    const stat = host === undefined ? undefined : fs.statSync(host, { throwIfNoEntry: false });
    if (host === undefined || stat === undefined || !(stat.isFile() || stat.isDirectory())) throw fail("ENOENT", where);
    return { host, stat };
  }

  #stat(located: Located, where: Where): EntryStat {
    switch (located.mount) {
      case "tmp":
        return this.#tmp.stat(located.rel, where);
      case "package": {
        const { stat } = this.#host(located, where);
        return readOnlyStat(stat.isDirectory() ? "dir" : "file", stat.size, stat.mode & 0o777, stat.mtimeMs, located.full);
      }
      case "skeleton":
        return readOnlyStat("dir", 4096, 0o755, 0, located.full);
      case "none":
        throw fail("ENOENT", where);
    }
  }

  #exists(given: string): boolean {
    try {
      this.#stat(this.#locate({ syscall: "access", path: given }), { syscall: "access", path: given });
      return true;
    } catch {
      return false;
    }
  }

  #read(located: Located, where: Where): Uint8Array {
    if (located.mount === "tmp") return this.#tmp.read(located.rel, where);
    if (located.mount === "skeleton") throw fail("EISDIR", { syscall: "read" });
    if (located.mount === "none") throw fail("ENOENT", where);
    const { host, stat } = this.#host(located, where);
    if (stat.isDirectory()) throw fail("EISDIR", { syscall: "read" });
    return fs.readFileSync(host);
  }

  /** Whatever changes a file system outside /tmp meets Lambda's read-only root: EROFS. */
  #writable(where: Where): string[] {
    const located = this.#locate(where);
    if (located.mount === "tmp") return located.rel;
    if (located.mount === "none") {
      // The parent is missing unless it is one of the directories above the mounts.
      if (!SKELETON.has(posix.dirname(located.full))) throw fail("ENOENT", where);
    }
    throw fail("EROFS", where);
  }

  #write(where: Where, bytes: Uint8Array, flag: string): null {
    const rel = this.#writable(where);
    this.#tmp.write(rel, bytes, { append: flag.includes("a"), exclusive: flag.includes("x") }, where);
    return null;
  }

  #readdir(located: Located, where: Where): Array<[string, "file" | "dir"]> {
    switch (located.mount) {
      case "tmp":
        return this.#tmp.readdir(located.rel, where).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      case "skeleton":
        return SKELETON.get(located.full) ?? [];
      case "none":
        throw fail("ENOENT", where);
      case "package": {
        const entries = this.#files.list(located.full);
        if (entries === undefined) {
          this.#host(located, where);
          throw fail("ENOTDIR", where);
        }
        return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      }
    }
  }

  /** mkdir; with `recursive`, the first directory created (Node's return value), as an absolute path. */
  #mkdir(where: Where, recursive: boolean): string | null {
    const located = this.#locate(where);
    // Outside /tmp, Linux reports an existing directory before a read-only file system.
    if (located.mount !== "tmp" && located.mount !== "none" && this.#exists(where.path as string)) {
      if (recursive) return null;
      throw fail("EEXIST", where);
    }
    const first = this.#tmp.mkdir(this.#writable(where), recursive, where);
    return first === undefined ? null : posix.join(TMP_ROOT, ...first);
  }

  #mutate(where: Where, change: (rel: string[], where: Where) => void): null {
    const located = this.#locate(where);
    if (located.mount === "tmp") change(located.rel, where);
    else if (located.mount === "none") throw fail("ENOENT", where);
    else throw fail("EROFS", where);
    return null;
  }

  /** fs.rm as Node 20 runs it: lstat first (ENOENT unless `force`), ERR_FS_EISDIR for a directory without `recursive`. */
  #rm(where: Where, recursive: boolean, force: boolean): null {
    const located = this.#locate(where);
    let stat: EntryStat;
    try {
      stat = this.#stat(located, where);
    } catch (error) {
      if (force && error instanceof FsError && error.code === "ENOENT") return null;
      throw error;
    }
    if (stat.kind === "dir" && !recursive) throw FsError.rmIsDirectory(where.path as string);
    const syscall = stat.kind === "dir" ? "rmdir" : "unlink";
    if (located.mount !== "tmp") throw fail("EROFS", { ...where, syscall });
    this.#tmp.removeTree(located.rel, { ...where, syscall });
    return null;
  }

  #rename(where: Where): null {
    const from = this.#locate(where);
    const to = this.#locate({ ...where, path: where.dest });
    if (from.mount === "none") throw fail("ENOENT", where);
    if (from.mount !== "tmp") throw fail("EROFS", where);
    if (to.mount !== "tmp") throw fail(to.mount === "none" && !SKELETON.has(posix.dirname(to.full)) ? "ENOENT" : "EXDEV", where);
    this.#tmp.rename(from.rel, to.rel, where);
    return null;
  }

  #copyFile(where: Where, exclusive: boolean): null {
    const bytes = this.#read(this.#locate(where), where);
    const target = this.#locate({ ...where, path: where.dest });
    if (target.mount !== "tmp") {
      if (target.mount === "none" && !SKELETON.has(posix.dirname(target.full))) throw fail("ENOENT", where);
      throw fail("EROFS", where);
    }
    this.#tmp.write(target.rel, bytes, { append: false, exclusive }, where);
    return null;
  }

  #access(where: Where, mode: number): null {
    const located = this.#locate(where);
    const stat = this.#stat(located, where);
    if (mode & W_OK && located.mount !== "tmp") throw fail("EROFS", where);
    // Files are 0644 (package) or created 0644 (/tmp): nothing is executable.
    if (mode & X_OK && stat.kind === "file") throw fail("EACCES", where);
    return null;
  }

  /** Only /tmp has room; the read-only file systems report none free. */
  #statfs(where: Where): FsStats & { type: number } {
    const located = this.#locate(where);
    this.#stat(located, where);
    const stats = located.mount === "tmp" ? this.#tmp.statfs() : { bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0 };
    return { type: EXT4_SUPER_MAGIC, ...stats };
  }

  #realpath(where: Where): string {
    const located = this.#locate(where);
    this.#stat(located, where);
    return located.full;
  }
}

/** A stable inode number for a guest path (FNV-1a): the host's own numbers stay on the host. */
function inodeOf(full: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < full.length; i += 1) hash = Math.imul(hash ^ full.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Stats of a read-only entry, owned by root as Lambda's /var/task and /opt are. */
function readOnlyStat(kind: "file" | "dir", size: number, permissions: number, mtimeMs: number, full: string): EntryStat {
  const ino = inodeOf(full);
  return {
    kind,
    size,
    mode: (kind === "dir" ? 0o040000 : 0o100000) | permissions,
    ino,
    nlink: 1,
    uid: 0,
    gid: 0,
    blocks: Math.ceil(size / 4096) * 8,
    atimeMs: mtimeMs,
    mtimeMs,
    ctimeMs: mtimeMs,
    birthtimeMs: mtimeMs,
  };
}
