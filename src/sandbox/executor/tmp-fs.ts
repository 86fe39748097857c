/**
 * An execution environment's /tmp: a tree of files and directories in the executor worker's memory,
 * never on the host's disk, so no path the handler writes can name a host file. It lives and dies
 * with its environment (kept across warm invocations, as Lambda keeps /tmp) and is capped by
 * EphemeralStorage.Size the way a disk is: in 4 KiB blocks (a file takes its size rounded up, a
 * directory one block) and in inodes (one per 16 KiB of capacity, ext4's default ratio), so that
 * neither large files nor a flood of empty ones can outgrow the cap; past it, ENOSPC.
 *
 * Paths arrive as segments below /tmp, already normalised (no "." or ".."); `Where` carries the
 * path as the handler gave it, for Node's error messages.
 */
import { fail, type Where } from "./fs-errors.js";

const BLOCK_BYTES = 4096;
const BYTES_PER_INODE = 16 * 1024;
/** Linux NAME_MAX. */
const NAME_MAX_BYTES = 255;
/** Node's default modes after Lambda's umask (022); /tmp itself is world-writable. */
const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;
const ROOT_MODE = 0o040777;
/** Lambda runs handlers as sbx_user1051. */
export const SANDBOX_UID = 993;
export const SANDBOX_GID = 990;

interface Meta {
  ino: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

interface FileNode extends Meta {
  kind: "file";
  /** Capacity grows by doubling, so repeated appends stay linear; `size` bytes of it are the file. */
  data: Uint8Array;
  size: number;
}

interface DirNode extends Meta {
  kind: "dir";
  entries: Map<string, TmpNode>;
}

type TmpNode = FileNode | DirNode;

export interface EntryStat {
  kind: "file" | "dir";
  size: number;
  mode: number;
  ino: number;
  nlink: number;
  uid: number;
  gid: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

const blocksOf = (node: TmpNode) => (node.kind === "dir" ? 1 : Math.ceil(node.size / BLOCK_BYTES));

export class TmpFs {
  readonly #root: DirNode;
  readonly #totalBlocks: number;
  readonly #totalInodes: number;
  #usedBlocks = 0;
  #usedInodes = 0;
  #nextIno = 1000;

  constructor(capBytes: number) {
    this.#totalBlocks = Math.floor(capBytes / BLOCK_BYTES);
    this.#totalInodes = Math.max(1, Math.floor(capBytes / BYTES_PER_INODE));
    this.#root = this.#dir(ROOT_MODE);
  }

  /** Bytes the files and directories take, in blocks, as `df` would count them. */
  get usedBytes(): number {
    return this.#usedBlocks * BLOCK_BYTES;
  }

  /** statfs(2) of /tmp: its capacity and what is free, in blocks and inodes. */
  statfs(): FsStats {
    return {
      bsize: BLOCK_BYTES,
      blocks: this.#totalBlocks,
      bfree: this.#totalBlocks - this.#usedBlocks,
      bavail: this.#totalBlocks - this.#usedBlocks,
      files: this.#totalInodes,
      ffree: this.#totalInodes - this.#usedInodes,
    };
  }

  #meta(mode: number): Meta {
    const now = Date.now();
    return { ino: this.#nextIno++, mode, atimeMs: now, mtimeMs: now, ctimeMs: now, birthtimeMs: now };
  }

  #dir(mode = DIR_MODE): DirNode {
    return { kind: "dir", entries: new Map(), ...this.#meta(mode) };
  }

  /** Takes an inode and `blocks` blocks, or fails with ENOSPC as a full disk does. */
  #allocate(inodes: number, blocks: number, where: Where): void {
    if (this.#usedInodes + inodes > this.#totalInodes || this.#usedBlocks + blocks > this.#totalBlocks) throw fail("ENOSPC", where);
    this.#usedInodes += inodes;
    this.#usedBlocks += blocks;
  }

  #release(node: TmpNode): void {
    if (node.kind === "dir") for (const child of node.entries.values()) this.#release(child);
    this.#usedInodes -= 1;
    this.#usedBlocks -= blocksOf(node);
  }

  #touch(node: TmpNode): void {
    node.mtimeMs = Date.now();
    node.ctimeMs = node.mtimeMs;
  }

  /** The directory holding the last segment: every segment before it must be a directory. */
  #parent(rel: readonly string[], where: Where): DirNode {
    let dir = this.#root;
    for (const name of rel.slice(0, -1)) {
      const next = dir.entries.get(name);
      if (next === undefined) throw fail("ENOENT", where);
      if (next.kind !== "dir") throw fail("ENOTDIR", where);
      dir = next;
    }
    return dir;
  }

  #find(rel: readonly string[], where: Where): TmpNode | undefined {
    if (rel.length === 0) return this.#root;
    return this.#parent(rel, where).entries.get(rel.at(-1) as string);
  }

  #get(rel: readonly string[], where: Where): TmpNode {
    const node = this.#find(rel, where);
    if (node === undefined) throw fail("ENOENT", where);
    return node;
  }

  #checkName(rel: readonly string[], where: Where): string {
    const name = rel.at(-1) as string;
    if (Buffer.byteLength(name) > NAME_MAX_BYTES) throw fail("ENAMETOOLONG", where);
    return name;
  }

  exists(rel: readonly string[]): boolean {
    try {
      return this.#find(rel, { syscall: "access" }) !== undefined;
    } catch {
      return false;
    }
  }

  stat(rel: readonly string[], where: Where): EntryStat {
    const node = this.#get(rel, where);
    return {
      kind: node.kind,
      size: node.kind === "file" ? node.size : BLOCK_BYTES,
      mode: node.mode,
      ino: node.ino,
      nlink: node.kind === "dir" ? 2 + [...node.entries.values()].filter((e) => e.kind === "dir").length : 1,
      uid: SANDBOX_UID,
      gid: SANDBOX_GID,
      // st_blocks counts 512-byte units.
      blocks: blocksOf(node) * (BLOCK_BYTES / 512),
      atimeMs: node.atimeMs,
      mtimeMs: node.mtimeMs,
      ctimeMs: node.ctimeMs,
      birthtimeMs: node.birthtimeMs,
    };
  }

  read(rel: readonly string[], where: Where): Uint8Array {
    const node = this.#get(rel, where);
    // Node opens a directory fine and fails on read(2), whose error carries no path.
    if (node.kind === "dir") throw fail("EISDIR", { syscall: "read" });
    node.atimeMs = Date.now();
    return node.data.slice(0, node.size);
  }

  /** writeFile / appendFile: `exclusive` is the `x` flag (EEXIST when the file is there). */
  write(rel: readonly string[], data: Uint8Array, options: { append: boolean; exclusive: boolean }, where: Where): void {
    if (rel.length === 0) throw fail("EISDIR", where);
    const parent = this.#parent(rel, where);
    const name = this.#checkName(rel, where);
    let node = parent.entries.get(name);
    if (node?.kind === "dir") throw fail("EISDIR", where);
    if (node !== undefined && options.exclusive) throw fail("EEXIST", where);
    if (node === undefined) {
      this.#allocate(1, 0, where);
      node = { kind: "file", data: new Uint8Array(0), size: 0, ...this.#meta(FILE_MODE) };
      parent.entries.set(name, node);
      this.#touch(parent);
    } else if (!options.append) {
      // O_TRUNC happens at open, before any write can fail.
      this.#usedBlocks -= blocksOf(node);
      node.size = 0;
      node.data = new Uint8Array(0);
    }
    const size = node.size + data.length;
    const growth = Math.ceil(size / BLOCK_BYTES) - blocksOf(node);
    // write(2) reports ENOSPC without a path.
    this.#allocate(0, growth, { syscall: "write" });
    if (size > node.data.length) {
      const grown = new Uint8Array(options.append ? Math.max(size, Math.min(node.data.length * 2, size + 64 * 1024 * 1024)) : size);
      grown.set(node.data.subarray(0, node.size));
      node.data = grown;
    }
    node.data.set(data, node.size);
    node.size = size;
    this.#touch(node);
  }

  readdir(rel: readonly string[], where: Where): Array<[string, "file" | "dir"]> {
    const node = this.#get(rel, where);
    if (node.kind !== "dir") throw fail("ENOTDIR", where);
    node.atimeMs = Date.now();
    return [...node.entries].map(([name, entry]) => [name, entry.kind]);
  }

  /** mkdir; with `recursive`, the segments of the first directory it created (undefined when none). */
  mkdir(rel: readonly string[], recursive: boolean, where: Where): string[] | undefined {
    if (!recursive) {
      if (rel.length === 0) throw fail("EEXIST", where);
      const parent = this.#parent(rel, where);
      const name = this.#checkName(rel, where);
      if (parent.entries.has(name)) throw fail("EEXIST", where);
      this.#allocate(1, 1, where);
      parent.entries.set(name, this.#dir());
      this.#touch(parent);
      return undefined;
    }
    let dir = this.#root;
    let first: string[] | undefined;
    for (let i = 0; i < rel.length; i += 1) {
      const name = rel[i] as string;
      const next = dir.entries.get(name);
      if (next?.kind === "file") throw fail(i === rel.length - 1 ? "EEXIST" : "ENOTDIR", where);
      if (next !== undefined) {
        dir = next;
        continue;
      }
      this.#checkName(rel.slice(0, i + 1), where);
      this.#allocate(1, 1, where);
      const made = this.#dir();
      dir.entries.set(name, made);
      this.#touch(dir);
      first ??= rel.slice(0, i + 1);
      dir = made;
    }
    return first;
  }

  unlink(rel: readonly string[], where: Where): void {
    if (rel.length === 0) throw fail("EISDIR", where);
    const parent = this.#parent(rel, where);
    const node = parent.entries.get(rel.at(-1) as string);
    if (node === undefined) throw fail("ENOENT", where);
    if (node.kind === "dir") throw fail("EISDIR", where);
    this.#remove(parent, rel.at(-1) as string, node);
  }

  rmdir(rel: readonly string[], where: Where): void {
    // /tmp is a mount point.
    if (rel.length === 0) throw fail("EBUSY", where);
    const parent = this.#parent(rel, where);
    const node = parent.entries.get(rel.at(-1) as string);
    if (node === undefined) throw fail("ENOENT", where);
    if (node.kind !== "dir") throw fail("ENOTDIR", where);
    if (node.entries.size > 0) throw fail("ENOTEMPTY", where);
    this.#remove(parent, rel.at(-1) as string, node);
  }

  /** fs.rm: a file, or a directory with all it holds when `recursive`. */
  removeTree(rel: readonly string[], where: Where): void {
    if (rel.length === 0) throw fail("EBUSY", { ...where, syscall: "rmdir" });
    const parent = this.#parent(rel, where);
    const node = parent.entries.get(rel.at(-1) as string);
    if (node === undefined) throw fail("ENOENT", where);
    this.#remove(parent, rel.at(-1) as string, node);
  }

  #remove(parent: DirNode, name: string, node: TmpNode): void {
    parent.entries.delete(name);
    this.#release(node);
    this.#touch(parent);
  }

  rename(from: readonly string[], to: readonly string[], where: Where): void {
    if (from.length === 0 || to.length === 0) throw fail("EBUSY", where);
    const source = this.#parent(from, where);
    const node = source.entries.get(from.at(-1) as string);
    if (node === undefined) throw fail("ENOENT", where);
    const target = this.#parent(to, where);
    const name = this.#checkName(to, where);
    // A directory cannot move into itself.
    if (node.kind === "dir" && to.length > from.length && from.every((segment, i) => to[i] === segment)) throw fail("EINVAL", where);
    const existing = target.entries.get(name);
    if (existing === node) return;
    if (existing !== undefined) {
      if (node.kind === "file" && existing.kind === "dir") throw fail("EISDIR", where);
      if (node.kind === "dir" && existing.kind === "file") throw fail("ENOTDIR", where);
      if (existing.kind === "dir" && existing.entries.size > 0) throw fail("ENOTEMPTY", where);
      this.#release(existing);
    }
    source.entries.delete(from.at(-1) as string);
    target.entries.set(name, node);
    node.ctimeMs = Date.now();
    this.#touch(source);
    this.#touch(target);
  }
}
