// node:fs and node:fs/promises inside the sandbox. The file system itself is on the host side
// (src/sandbox/file-system.ts): one host function takes an operation, its arguments as JSON and
// bytes to write, and answers with plain values or a file's bytes. This side only shapes Node's
// API over it: argument checks, encodings, Buffers, Stats and Dirent objects, errors with Node's
// code / errno / syscall / path, callbacks and promises, and read / write streams over node:stream.

import { createFileStreams } from "./fs-streams.js";

const constants = Object.freeze({
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

// Operations a handler may find but that this file system does not offer (no descriptors, no
// links, no permissions): calling one says so instead of failing somewhere deeper.
const NOT_IMPLEMENTED = [
  "open",
  "close",
  "read",
  "write",
  "fstat",
  "ftruncate",
  "fsync",
  "truncate",
  "symlink",
  "link",
  "readlink",
  "chmod",
  "chown",
  "utimes",
  "opendir",
  "cp",
];

function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name}`;
  if (typeof value === "object") return value.constructor?.name ? `an instance of ${value.constructor.name}` : "an object";
  return `type ${typeof value} (${JSON.stringify(value)})`;
}

function nodeError(ErrorClass, code, message) {
  const error = new ErrorClass(message);
  error.code = code;
  return error;
}

function invalidArgType(name, expected, value) {
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}. Received ${describe(value)}`);
}

/** An Error shaped as Node's uvException: own errno, code, syscall, path and dest. */
function systemError(info) {
  const error = new Error(info.message);
  error.errno = info.errno;
  error.code = info.code;
  error.syscall = info.syscall;
  if (info.path !== undefined) error.path = info.path;
  if (info.dest !== undefined) error.dest = info.dest;
  return error;
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

class Stats extends RegularKinds {
  constructor(s) {
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

class StatFs {
  constructor(s) {
    Object.assign(this, s);
  }
}

const kind = Symbol("type");

class Dirent extends RegularKinds {
  constructor(name, type, parentPath) {
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

/** `stream()` gives node:stream, evaluated only when a handler first makes a file stream. */
export function createFs(host, stream) {
  const call = (op, args, bytes) => {
    const answer = host.fs(op, JSON.stringify(args), bytes);
    if (typeof answer !== "string") return answer;
    const parsed = JSON.parse(answer);
    if (parsed.error) throw systemError(parsed.error);
    return parsed.value;
  };

  const toPath = (value, name = "path") => {
    let path = value;
    if (typeof value !== "string") {
      if (value instanceof Uint8Array) path = Buffer.from(value).toString("utf8");
      else if (value !== null && typeof value === "object" && typeof value.href === "string" && typeof value.protocol === "string") {
        if (value.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
        path = decodeURIComponent(value.pathname);
      } else throw invalidArgType(name, "of type string or an instance of Buffer or URL", value);
    }
    if (path.includes("\0")) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_VALUE",
        `The argument '${name}' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(path)}`,
      );
    }
    return path;
  };

  const optionsOf = (options, defaults) => {
    if (options == null) return { ...defaults };
    if (typeof options === "string") return { ...defaults, encoding: options };
    if (typeof options !== "object") throw invalidArgType("options", "of type object", options);
    return { ...defaults, ...options };
  };

  const checkEncoding = (encoding) => {
    if (encoding == null || encoding === "buffer" || Buffer.isEncoding(encoding)) return;
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'encoding' is invalid encoding. Received '${encoding}'`);
  };

  const bytesOf = (data, encoding) => {
    if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  };

  /** The exact bytes as an ArrayBuffer, the form that crosses to the host. */
  const transfer = (bytes) =>
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

  const encode = (text, encoding) => (encoding === "buffer" ? Buffer.from(text) : text);

  const writeWith = (defaultFlag) => (path, data, options) => {
    const o = optionsOf(options, { encoding: "utf8", flag: defaultFlag });
    checkEncoding(o.encoding);
    call("write", { path: toPath(path), flag: String(o.flag) }, transfer(bytesOf(data, o.encoding)));
  };

  const statWith = (op) => (path, options) => {
    try {
      return new Stats(call(op, { path: toPath(path) }));
    } catch (error) {
      if (options?.throwIfNoEntry === false && error.code === "ENOENT") return undefined;
      throw error;
    }
  };

  const readdirSync = (path, options) => {
    const o = optionsOf(options, { encoding: "utf8", withFileTypes: false, recursive: false });
    checkEncoding(o.encoding);
    const root = toPath(path);
    const results = [];
    const walk = (dir, prefix) => {
      for (const [name, type] of call("readdir", { path: dir })) {
        const relative = prefix ? `${prefix}/${name}` : name;
        results.push(o.withFileTypes ? new Dirent(encode(name, o.encoding), type, dir) : encode(relative, o.encoding));
        if (o.recursive && type === "dir") walk(`${dir}/${name}`, relative);
      }
    };
    walk(root, "");
    return results;
  };

  const randomSuffix = () => {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => alphabet[b % alphabet.length]).join("");
  };

  const realpathSync = (path, options) => encode(call("realpath", { path: toPath(path) }), optionsOf(options, {}).encoding);
  realpathSync.native = realpathSync;

  const sync = {
    readFileSync(path, options) {
      const o = optionsOf(options, { encoding: null, flag: "r" });
      checkEncoding(o.encoding);
      const data = Buffer.from(call("read", { path: toPath(path) }));
      return o.encoding && o.encoding !== "buffer" ? data.toString(o.encoding) : data;
    },
    writeFileSync: writeWith("w"),
    appendFileSync: writeWith("a"),
    existsSync(path) {
      try {
        return call("exists", { path: toPath(path) });
      } catch {
        return false;
      }
    },
    statSync: statWith("stat"),
    lstatSync: statWith("lstat"),
    readdirSync,
    mkdirSync(path, options) {
      const recursive = typeof options === "object" && options !== null && Boolean(options.recursive);
      const first = call("mkdir", { path: toPath(path), recursive });
      return recursive && first !== null ? first : undefined;
    },
    mkdtempSync(prefix, options) {
      const base = toPath(prefix, "prefix");
      for (;;) {
        const path = base + randomSuffix();
        try {
          call("mkdir", { path, recursive: false });
          return encode(path, optionsOf(options, {}).encoding);
        } catch (error) {
          if (error.code !== "EEXIST") throw error;
        }
      }
    },
    rmSync(path, options) {
      call("rm", { path: toPath(path), recursive: Boolean(options?.recursive), force: Boolean(options?.force) });
    },
    rmdirSync(path, options) {
      // Node's deprecated recursive rmdir removes like rm -r.
      if (options?.recursive) call("rm", { path: toPath(path), recursive: true, force: false });
      else call("rmdir", { path: toPath(path) });
    },
    unlinkSync(path) {
      call("unlink", { path: toPath(path) });
    },
    renameSync(oldPath, newPath) {
      call("rename", { path: toPath(oldPath, "oldPath"), dest: toPath(newPath, "newPath") });
    },
    copyFileSync(src, dest, mode = 0) {
      call("copyFile", { path: toPath(src, "src"), dest: toPath(dest, "dest"), exclusive: (mode & constants.COPYFILE_EXCL) !== 0 });
    },
    accessSync(path, mode = constants.F_OK) {
      call("access", { path: toPath(path), mode });
    },
    realpathSync,
    statfsSync(path) {
      return new StatFs(call("statfs", { path: toPath(path) }));
    },
  };

  const fs = { constants, Stats, Dirent };
  const promises = { constants };
  for (const [syncName, fn] of Object.entries(sync)) {
    const name = syncName.slice(0, -"Sync".length);
    fs[syncName] = fn;
    // Callbacks run after the caller's code, as Node's do, never inside the call.
    fs[name] = (...args) => {
      const callback = args.pop();
      if (typeof callback !== "function") throw invalidArgType("cb", "of type function", callback);
      let result;
      let failure = null;
      try {
        result = fn(...args);
      } catch (error) {
        failure = error;
      }
      queueMicrotask(() => (failure ? callback(failure) : callback(null, result)));
    };
    if (name !== "exists") promises[name] = async (...args) => fn(...args);
  }
  // The deprecated fs.exists answers with a bare boolean.
  fs.exists = (path, callback) => {
    const found = sync.existsSync(path);
    queueMicrotask(() => callback(found));
  };
  fs.realpath.native = fs.realpath;
  // Descriptors 1 and 2 are the function's log, as standard output and error are in Lambda: loggers
  // write to them (pino through sonic-boom). There are no other descriptors (open() is absent).
  const STDIO = { 1: "stdout", 2: "stderr" };
  const stdioWriteSync = (fd, data, offsetOrPosition, lengthOrEncoding) => {
    const stream = STDIO[fd];
    if (stream === undefined) {
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The fs.writeSync() method is not implemented in isolambda");
    }
    const bytes =
      typeof data === "string"
        ? Buffer.from(data, typeof lengthOrEncoding === "string" ? lengthOrEncoding : "utf8")
        : bytesOf(data).subarray(
            offsetOrPosition ?? 0,
            lengthOrEncoding === undefined ? undefined : (offsetOrPosition ?? 0) + lengthOrEncoding,
          );
    process[stream].write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    return bytes.byteLength;
  };
  fs.writeSync = stdioWriteSync;
  fs.write = (fd, data, ...rest) => {
    const callback = rest.pop();
    let failure;
    let written;
    try {
      written = stdioWriteSync(fd, data, ...rest);
    } catch (error) {
      failure = error;
    }
    queueMicrotask(() => (failure ? callback(failure) : callback(null, written, data)));
  };
  fs.fsyncSync = (fd) => {
    if (STDIO[fd] === undefined)
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The fs.fsyncSync() method is not implemented in isolambda");
  };
  for (const name of NOT_IMPLEMENTED) {
    const missing = (method) => () => {
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `The ${method} method is not implemented in isolambda`);
    };
    fs[name] ??= missing(`fs.${name}()`);
    fs[`${name}Sync`] ??= missing(`fs.${name}Sync()`);
    if (name !== "close") promises[name] ??= missing(`fsPromises.${name}()`);
  }
  // fs.ReadStream and fs.WriteStream are classes (libraries test `instanceof fs.ReadStream`: destroy,
  // under koa and send), made with node:stream on first use.
  let fileStreams;
  const streamClasses = () => {
    fileStreams ??= createFileStreams(stream(), { call, toPath, optionsOf, checkEncoding, transfer, bytesOf });
    return fileStreams;
  };
  for (const name of ["ReadStream", "WriteStream"]) {
    Object.defineProperty(fs, name, { enumerable: true, configurable: true, get: () => streamClasses()[name] });
  }
  fs.createReadStream = (path, options) => new (streamClasses().ReadStream)(path, options);
  fs.createWriteStream = (path, options) => new (streamClasses().WriteStream)(path, options);
  fs.promises = promises;
  return fs;
}
