// What node:fs answers with, beside bytes and strings: its constants, Stats, StatFs and Dirent,
// shaped as Node's from what the host says of a file (src/sandbox/executor/file-system.ts).

export const constants = Object.freeze({
  F_OK: 0,
  R_OK: 4,
  W_OK: 2,
  X_OK: 1,
  COPYFILE_EXCL: 1,
  COPYFILE_FICLONE: 2,
  COPYFILE_FICLONE_FORCE: 4,
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 64,
  O_EXCL: 128,
  O_TRUNC: 512,
  O_APPEND: 1024,
  S_IFMT: 0o170000,
  S_IFREG: 0o100000,
  S_IFDIR: 0o040000,
  S_IFLNK: 0o120000,
});

/** What the host says of a file for Stats. */
export interface StatInfo {
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  ino: number;
  size: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

/** The kinds of file that cannot exist here (no links, devices, pipes or sockets), for Stats and Dirent. */
class RegularKinds {
  isSymbolicLink() {
    return false;
  }
  isBlockDevice() {
    return false;
  }
  isCharacterDevice() {
    return false;
  }
  isFIFO() {
    return false;
  }
  isSocket() {
    return false;
  }
}

export class Stats extends RegularKinds {
  declare dev: number;
  declare mode: number;
  declare nlink: number;
  declare uid: number;
  declare gid: number;
  declare rdev: number;
  declare blksize: number;
  declare ino: number;
  declare size: number;
  declare blocks: number;
  declare atimeMs: number;
  declare mtimeMs: number;
  declare ctimeMs: number;
  declare birthtimeMs: number;
  declare atime: Date;
  declare mtime: Date;
  declare ctime: Date;
  declare birthtime: Date;
  constructor(s: StatInfo) {
    super();
    this.dev = 2049;
    this.mode = s.mode;
    this.nlink = s.nlink;
    this.uid = s.uid;
    this.gid = s.gid;
    this.rdev = 0;
    this.blksize = 4096;
    this.ino = s.ino;
    this.size = s.size;
    this.blocks = s.blocks;
    this.atimeMs = s.atimeMs;
    this.mtimeMs = s.mtimeMs;
    this.ctimeMs = s.ctimeMs;
    this.birthtimeMs = s.birthtimeMs;
    this.atime = new Date(s.atimeMs);
    this.mtime = new Date(s.mtimeMs);
    this.ctime = new Date(s.ctimeMs);
    this.birthtime = new Date(s.birthtimeMs);
  }
  isFile() {
    return (this.mode & constants.S_IFMT) === constants.S_IFREG;
  }
  isDirectory() {
    return (this.mode & constants.S_IFMT) === constants.S_IFDIR;
  }
}

export class StatFs {
  constructor(s: object) {
    Object.assign(this, s);
  }
}

const kind = Symbol("type");

export class Dirent extends RegularKinds {
  declare name: string | Buffer;
  declare parentPath: string;
  declare path: string;
  declare [kind]: string;
  constructor(name: string | Buffer, type: string, parentPath: string) {
    super();
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    this[kind] = type;
  }
  isFile() {
    return this[kind] === "file";
  }
  isDirectory() {
    return this[kind] === "dir";
  }
}
