// node:fs and node:fs/promises inside the sandbox. The file system itself is on the host side
// (src/sandbox/executor/file-system.ts): one host function takes an operation, its arguments as JSON and
// bytes to write, and answers with plain values or a file's bytes. This side only shapes Node's
// API over it: argument checks, encodings, Buffers, Stats and Dirent objects, errors with Node's
// code / errno / syscall / path, callbacks and promises, and read / write streams over node:stream.

import type { StreamModule } from "readable-stream/lib/stream.js";
import type { HostCapabilities } from "../shared/guest-protocol.js";
import { constants, Dirent, StatFs, type StatInfo, Stats } from "./fs-entries.js";
import { createFileStreams, type FileHelpers } from "./fs-streams.js";

/** An error with Node's code, and for a system call's failure its errno, syscall, path and dest. */
type NodeError = Error & { code?: string; errno?: number; syscall?: string; path?: string; dest?: string };

/** What the host says of a failed operation (src/sandbox/executor/file-system.ts). */
interface SystemErrorInfo {
  message: string;
  errno: number;
  code: string;
  syscall: string;
  path?: string;
  dest?: string;
}

/** Options as optionsOf gives them: the defaults, and whatever else the caller passed. */
type Options<D> = D & Record<string, unknown>;

/** A function as the loops below call it, whatever its own parameters. */
type Callable = (...args: unknown[]) => unknown;

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

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name}`;
  if (typeof value === "object") return value.constructor?.name ? `an instance of ${value.constructor.name}` : "an object";
  return `type ${typeof value} (${JSON.stringify(value)})`;
}

function nodeError(ErrorClass: new (message: string) => Error, code: string, message: string): NodeError {
  const error: NodeError = new ErrorClass(message);
  error.code = code;
  return error;
}

function invalidArgType(name: string, expected: string, value: unknown): NodeError {
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}. Received ${describe(value)}`);
}

/** An Error shaped as Node's uvException: own errno, code, syscall, path and dest. */
function systemError(info: SystemErrorInfo): NodeError {
  const error: NodeError = new Error(info.message);
  error.errno = info.errno;
  error.code = info.code;
  error.syscall = info.syscall;
  if (info.path !== undefined) error.path = info.path;
  if (info.dest !== undefined) error.dest = info.dest;
  return error;
}

/** `stream()` gives node:stream, evaluated only when a handler first makes a file stream. */
export function createFs(host: HostCapabilities, stream: () => StreamModule): Record<string, unknown> {
  const call = <T = unknown>(op: string, args: object, bytes?: ArrayBuffer): T => {
    const answer = host.fs(op, JSON.stringify(args), bytes);
    if (typeof answer !== "string") return answer as T;
    const parsed = JSON.parse(answer);
    if (parsed.error) throw systemError(parsed.error);
    return parsed.value;
  };

  const toPath = (value: unknown, name = "path"): string => {
    let path = value as string;
    if (typeof value !== "string") {
      if (value instanceof Uint8Array) path = Buffer.from(value).toString("utf8");
      else if (
        value !== null &&
        typeof value === "object" &&
        typeof (value as URL).href === "string" &&
        typeof (value as URL).protocol === "string"
      ) {
        if ((value as URL).protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
        path = decodeURIComponent((value as URL).pathname);
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

  const optionsOf: FileHelpers["optionsOf"] = <D extends object>(options: unknown, defaults: D) => {
    if (options == null) return { ...defaults } as Options<D>;
    if (typeof options === "string") return { ...defaults, encoding: options } as Options<D>;
    if (typeof options !== "object") throw invalidArgType("options", "of type object", options);
    return { ...defaults, ...options } as Options<D>;
  };

  const checkEncoding = (encoding: unknown) => {
    if (encoding == null || encoding === "buffer" || Buffer.isEncoding(encoding as string)) return;
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'encoding' is invalid encoding. Received '${encoding}'`);
  };

  const bytesOf = (data: unknown, encoding?: string): Uint8Array => {
    if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  };

  /** The exact bytes as an ArrayBuffer, the form that crosses to the host. */
  const transfer = (bytes: Uint8Array): ArrayBuffer =>
    (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;

  const encode = (text: string, encoding: unknown) => (encoding === "buffer" ? Buffer.from(text) : text);

  const writeWith = (defaultFlag: string) => (path: unknown, data: unknown, options?: unknown) => {
    const o = optionsOf(options, { encoding: "utf8", flag: defaultFlag });
    checkEncoding(o.encoding);
    call("write", { path: toPath(path), flag: String(o.flag) }, transfer(bytesOf(data, o.encoding)));
  };

  const statWith = (op: string) => (path: unknown, options?: { throwIfNoEntry?: boolean }) => {
    try {
      return new Stats(call<StatInfo>(op, { path: toPath(path) }));
    } catch (error) {
      if (options?.throwIfNoEntry === false && (error as NodeError).code === "ENOENT") return undefined;
      throw error;
    }
  };

  const readdirSync = (path: unknown, options?: unknown) => {
    const o = optionsOf(options, { encoding: "utf8", withFileTypes: false, recursive: false });
    checkEncoding(o.encoding);
    const root = toPath(path);
    const results: (string | Buffer | Dirent)[] = [];
    const walk = (dir: string, prefix: string) => {
      for (const [name, type] of call<[string, string][]>("readdir", { path: dir })) {
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

  const realpathSync = (path: unknown, options?: unknown): string | Buffer =>
    encode(call<string>("realpath", { path: toPath(path) }), optionsOf(options, {}).encoding);
  realpathSync.native = realpathSync;

  const sync = {
    readFileSync(path: unknown, options?: unknown) {
      const o = optionsOf(options, { encoding: null as string | null, flag: "r" });
      checkEncoding(o.encoding);
      const data = Buffer.from(call<ArrayBuffer>("read", { path: toPath(path) }));
      return o.encoding && o.encoding !== "buffer" ? data.toString(o.encoding) : data;
    },
    writeFileSync: writeWith("w"),
    appendFileSync: writeWith("a"),
    existsSync(path: unknown): boolean {
      try {
        return call<boolean>("exists", { path: toPath(path) });
      } catch {
        return false;
      }
    },
    statSync: statWith("stat"),
    lstatSync: statWith("lstat"),
    readdirSync,
    mkdirSync(path: unknown, options?: unknown) {
      const recursive = typeof options === "object" && options !== null && Boolean((options as { recursive?: unknown }).recursive);
      const first = call<string | null>("mkdir", { path: toPath(path), recursive });
      return recursive && first !== null ? first : undefined;
    },
    mkdtempSync(prefix: unknown, options?: unknown) {
      const base = toPath(prefix, "prefix");
      for (;;) {
        const path = base + randomSuffix();
        try {
          call("mkdir", { path, recursive: false });
          return encode(path, optionsOf(options, {}).encoding);
        } catch (error) {
          if ((error as NodeError).code !== "EEXIST") throw error;
        }
      }
    },
    rmSync(path: unknown, options?: { recursive?: unknown; force?: unknown }) {
      call("rm", { path: toPath(path), recursive: Boolean(options?.recursive), force: Boolean(options?.force) });
    },
    rmdirSync(path: unknown, options?: { recursive?: unknown }) {
      // Node's deprecated recursive rmdir removes like rm -r.
      if (options?.recursive) call("rm", { path: toPath(path), recursive: true, force: false });
      else call("rmdir", { path: toPath(path) });
    },
    unlinkSync(path: unknown) {
      call("unlink", { path: toPath(path) });
    },
    renameSync(oldPath: unknown, newPath: unknown) {
      call("rename", { path: toPath(oldPath, "oldPath"), dest: toPath(newPath, "newPath") });
    },
    copyFileSync(src: unknown, dest: unknown, mode = 0) {
      call("copyFile", { path: toPath(src, "src"), dest: toPath(dest, "dest"), exclusive: (mode & constants.COPYFILE_EXCL) !== 0 });
    },
    accessSync(path: unknown, mode: number = constants.F_OK) {
      call("access", { path: toPath(path), mode });
    },
    realpathSync,
    statfsSync(path: unknown) {
      return new StatFs(call<object>("statfs", { path: toPath(path) }));
    },
  };

  const fs: Record<string, unknown> = { constants, Stats, Dirent };
  const promises: Record<string, unknown> = { constants };
  for (const [syncName, fn] of Object.entries(sync) as [string, Callable][]) {
    const name = syncName.slice(0, -"Sync".length);
    fs[syncName] = fn;
    // Callbacks run after the caller's code, as Node's do, never inside the call.
    fs[name] = (...args: unknown[]) => {
      const callback = args.pop();
      if (typeof callback !== "function") throw invalidArgType("cb", "of type function", callback);
      let result: unknown;
      let failure: unknown = null;
      try {
        result = fn(...args);
      } catch (error) {
        failure = error;
      }
      queueMicrotask(() => (failure ? callback(failure) : callback(null, result)));
    };
    if (name !== "exists") promises[name] = async (...args: unknown[]) => fn(...args);
  }
  // The deprecated fs.exists answers with a bare boolean.
  fs.exists = (path: unknown, callback: (found: boolean) => void) => {
    const found = sync.existsSync(path);
    queueMicrotask(() => callback(found));
  };
  (fs.realpath as { native?: unknown }).native = fs.realpath;
  // Descriptors 1 and 2 are the function's log, as standard output and error are in Lambda: loggers
  // write to them (pino through sonic-boom). There are no other descriptors (open() is absent).
  const STDIO: Record<number, "stdout" | "stderr"> = { 1: "stdout", 2: "stderr" };
  const stdioWriteSync = (fd: number, data: unknown, offsetOrPosition?: number, lengthOrEncoding?: number | string) => {
    const stream = STDIO[fd];
    if (stream === undefined) {
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The fs.writeSync() method is not implemented in isolambda");
    }
    const bytes =
      typeof data === "string"
        ? Buffer.from(data, typeof lengthOrEncoding === "string" ? lengthOrEncoding : "utf8")
        : bytesOf(data).subarray(
            offsetOrPosition ?? 0,
            lengthOrEncoding === undefined ? undefined : (offsetOrPosition ?? 0) + (lengthOrEncoding as number),
          );
    (process[stream] as { write(text: string): unknown }).write(
      Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
    );
    return bytes.byteLength;
  };
  fs.writeSync = stdioWriteSync;
  fs.write = (fd: number, data: unknown, ...rest: unknown[]) => {
    const callback = rest.pop() as Callable;
    let failure: unknown;
    let written: number | undefined;
    try {
      written = stdioWriteSync(fd, data, ...(rest as [number?, (number | string)?]));
    } catch (error) {
      failure = error;
    }
    queueMicrotask(() => (failure ? callback(failure) : callback(null, written, data)));
  };
  fs.fsyncSync = (fd: number) => {
    if (STDIO[fd] === undefined)
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The fs.fsyncSync() method is not implemented in isolambda");
  };
  for (const name of NOT_IMPLEMENTED) {
    const missing = (method: string) => () => {
      throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `The ${method} method is not implemented in isolambda`);
    };
    fs[name] ??= missing(`fs.${name}()`);
    fs[`${name}Sync`] ??= missing(`fs.${name}Sync()`);
    if (name !== "close") promises[name] ??= missing(`fsPromises.${name}()`);
  }
  // fs.ReadStream and fs.WriteStream are classes (libraries test `instanceof fs.ReadStream`: destroy,
  // under koa and send), made with node:stream on first use.
  let fileStreams: ReturnType<typeof createFileStreams> | undefined;
  const streamClasses = () => {
    fileStreams ??= createFileStreams(stream(), { call, toPath, optionsOf, checkEncoding, transfer, bytesOf });
    return fileStreams;
  };
  for (const name of ["ReadStream", "WriteStream"] as const) {
    Object.defineProperty(fs, name, { enumerable: true, configurable: true, get: () => streamClasses()[name] });
  }
  fs.createReadStream = (path: unknown, options?: unknown) => new (streamClasses().ReadStream)(path, options);
  fs.createWriteStream = (path: unknown, options?: unknown) => new (streamClasses().WriteStream)(path, options);
  fs.promises = promises;
  return fs;
}
