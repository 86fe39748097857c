// fs.ReadStream and fs.WriteStream over node:stream. As Node's behave from outside: opened after
// the caller's code has attached its listeners ('open', 'ready', or 'error' for a missing file),
// `path`, `bytesRead` / `bytesWritten`. A read stream reads its file once, then hands it out in
// highWaterMark chunks.

import type { StreamModule } from "readable-stream/lib/stream.js";

type Callback = (error?: unknown) => void;

/** fs.ts's helpers for the host's file operations. */
export interface FileHelpers {
  /** One operation on the host: its value, or a file's bytes. */
  call<T = unknown>(op: string, args: object, bytes?: ArrayBuffer): T;
  toPath(value: unknown, name?: string): string;
  /** The caller's options (an object, an encoding's name, or none) over the defaults. */
  optionsOf<D extends object>(options: unknown, defaults: D): D & Record<string, unknown>;
  checkEncoding(encoding: unknown): void;
  /** The exact bytes as an ArrayBuffer, the form that crosses to the host. */
  transfer(bytes: Uint8Array): ArrayBuffer;
  bytesOf(data: unknown, encoding?: string): Uint8Array;
}

/** The classes over `stream` (node:stream), with fs.ts's helpers for the host's file operations. */
export function createFileStreams(stream: StreamModule, { call, toPath, optionsOf, checkEncoding, transfer, bytesOf }: FileHelpers) {
  class ReadStream extends stream.Readable {
    declare path: string;
    declare bytesRead: number;
    #data!: Uint8Array;
    #offset = 0;
    #range: { start: number; end: number; highWaterMark: number };
    constructor(path: unknown, options?: unknown) {
      const o = optionsOf(options, { encoding: null, highWaterMark: 64 * 1024, start: 0, end: Number.POSITIVE_INFINITY });
      checkEncoding(o.encoding);
      super({ highWaterMark: o.highWaterMark, encoding: o.encoding ?? undefined });
      this.#range = o;
      this.path = toPath(path);
      this.bytesRead = 0;
    }
    _construct(callback: Callback) {
      try {
        const whole = Buffer.from(call<ArrayBuffer>("read", { path: this.path }));
        this.#data = whole.subarray(this.#range.start, Math.min(whole.length, this.#range.end + 1));
      } catch (error) {
        callback(error);
        return;
      }
      callback();
      this.emit("open", 3);
      this.emit("ready");
    }
    _read() {
      if (this.#offset >= this.#data.length) {
        this.push(null);
        return;
      }
      const chunk = this.#data.subarray(this.#offset, this.#offset + this.#range.highWaterMark);
      this.#offset += chunk.length;
      this.bytesRead = this.#offset;
      this.push(chunk);
    }
  }

  class WriteStream extends stream.Writable {
    declare path: string;
    declare bytesWritten: number;
    #flags: string;
    constructor(path: unknown, options?: unknown) {
      const o = optionsOf(options, { encoding: "utf8", flags: "w" });
      checkEncoding(o.encoding);
      super({ decodeStrings: true, defaultEncoding: o.encoding });
      this.#flags = String(o.flags);
      this.path = toPath(path);
      this.bytesWritten = 0;
    }
    _construct(callback: Callback) {
      try {
        // Opening creates the file (and with "w" empties it) before anything is written.
        call("write", { path: this.path, flag: this.#flags }, new ArrayBuffer(0));
      } catch (error) {
        callback(error);
        return;
      }
      callback();
      this.emit("open", 3);
      this.emit("ready");
    }
    _write(chunk: Uint8Array, _encoding: string, callback: Callback) {
      try {
        call("write", { path: this.path, flag: "a" }, transfer(bytesOf(chunk)));
        this.bytesWritten += chunk.length;
        callback();
      } catch (error) {
        callback(error);
      }
    }
  }

  // The bundle's minifier renames classes; Node's names show in logs and inspect.
  for (const [name, Class] of Object.entries({ ReadStream, WriteStream })) Object.defineProperty(Class, "name", { value: name });
  return { ReadStream, WriteStream };
}
