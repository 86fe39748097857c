/**
 * File system errors as Node reports them on Lambda (Linux): `code`, negative `errno`, `syscall`,
 * `path` and `dest` as the caller gave them, and libuv's message, e.g.
 * "ENOENT: no such file or directory, open '/tmp/x'". They cross to the guest as plain values.
 */

/** libuv's errno and description for the codes the sandbox's file system raises (Linux numbering). */
const ERRNO = {
  EPERM: [-1, "operation not permitted"],
  ENOENT: [-2, "no such file or directory"],
  EIO: [-5, "i/o error"],
  EACCES: [-13, "permission denied"],
  EBUSY: [-16, "resource busy or locked"],
  EEXIST: [-17, "file already exists"],
  EXDEV: [-18, "cross-device link not permitted"],
  ENOTDIR: [-20, "not a directory"],
  EISDIR: [-21, "illegal operation on a directory"],
  EINVAL: [-22, "invalid argument"],
  ENOSPC: [-28, "no space left on device"],
  EROFS: [-30, "read-only file system"],
  ENAMETOOLONG: [-36, "name too long"],
  ENOTEMPTY: [-39, "directory not empty"],
} as const;

export type FsErrorCode = keyof typeof ERRNO;

/** What the guest turns into a Node-style Error: every field is a plain value. */
export interface FsErrorInfo {
  message: string;
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  dest?: string;
}

export class FsError extends Error {
  readonly info: FsErrorInfo;

  constructor(
    code: FsErrorCode,
    syscall: string,
    /** As the caller gave it; left out where Node reports none (EISDIR on read, ENOSPC on write). */
    path?: string,
    dest?: string,
  ) {
    const [errno, description] = ERRNO[code];
    const where = path === undefined ? "" : ` '${path}'${dest === undefined ? "" : ` -> '${dest}'`}`;
    const message = `${code}: ${description}, ${syscall}${where}`;
    super(message);
    this.info = {
      message,
      code,
      errno,
      syscall,
      ...(path === undefined ? {} : { path }),
      ...(dest === undefined ? {} : { dest }),
    };
  }

  get code(): string {
    return this.info.code;
  }

  /**
   * fs.rm on a directory without `recursive`: Node raises its own SystemError, ERR_FS_EISDIR, with a
   * message of another form.
   */
  static rmIsDirectory(path: string): FsError {
    const error = new FsError("EISDIR", "rm", path);
    Object.assign(error.info, {
      message: `Path is a directory: rm returned EISDIR (is a directory) ${path}`,
      code: "ERR_FS_EISDIR",
      errno: 21,
    });
    return error;
  }
}

/** Where an operation happens, for its errors: the syscall Node names and the paths as given. */
export interface Where {
  syscall: string;
  /** Undefined where Node reports no path (EISDIR on read(2), ENOSPC on write(2)). */
  path?: string;
  dest?: string;
}

export function fail(code: FsErrorCode, where: Where): FsError {
  return new FsError(code, where.syscall, where.path, where.dest);
}
