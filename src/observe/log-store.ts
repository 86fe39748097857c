/**
 * Invocation logs on disk, per log group (`/aws/lambda/<function>`):
 * `<dataDir>/logs/<function>/current.log`, rotated to `previous.log` past a size, so a chatty
 * function never fills the disk. Each line is one invocation's log as a JSON record naming its log
 * stream (one per execution environment, as in CloudWatch Logs) and its time; `isolambda logs`
 * reads (and follows) the same files.
 *
 * A file stays open only while its function logs: it is closed after a few idle seconds, when more
 * than a bound of files are open (the least recently written first), and on DeleteFunction, so the
 * file descriptors held never grow with the number of functions ever invoked.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from "node:fs";
import path from "node:path";

/** Past this, current.log becomes previous.log: at most twice this much per function. */
const ROTATE_AT_BYTES = 10 * 1024 * 1024;
/**
 * Records are written in batches this often: one write per function per batch instead of one per
 * invocation (a write per invocation was ~5% of the main thread's time under load).
 */
const FLUSH_EVERY_MS = 20;
/**
 * Records are encoded into a batch buffer as they come. Appending them to one string cost more: at
 * every flush the long string was flattened, measured and encoded again. A batch is handed to the
 * file's stream once full or flushed, never reused, so a function that stopped logging holds none
 * (with hundreds of functions, a kept batch each cost ~30% of idle-environment density).
 */
const BATCH_BYTES = 16 * 1024;

export interface LogStoreOptions {
  /** A log file not written for this long is closed; the next record opens it again (~20 µs). */
  idleCloseMs?: number;
  /**
   * Most log files open at once. macOS starts processes with 256 descriptors, which the executors,
   * the registry and the connections share.
   */
  maxOpen?: number;
}

export interface LogRecord {
  /** Epoch milliseconds at which the invocation's log was complete. */
  time: number;
  stream: string;
  /** START … REPORT, newline-terminated. */
  message: string;
}

export function logDir(dataDir: string, functionName: string): string {
  return path.join(dataDir, "logs", functionName);
}

interface OpenLog {
  stream: WriteStream;
  bytes: number;
  /** Records not written yet, in order; then what `batch` holds. */
  sealed: Buffer[];
  batch: Buffer | undefined;
  used: number;
  /** When a record was last handed to the stream (epoch ms). */
  lastWrite: number;
}

export class LogStore {
  readonly #open = new Map<string, OpenLog>();
  #flushTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #idleCloseMs: number;
  readonly #maxOpen: number;

  constructor(
    private readonly dataDir: string,
    options: LogStoreOptions = {},
  ) {
    this.#idleCloseMs = options.idleCloseMs ?? 2_000;
    this.#maxOpen = options.maxOpen ?? 64;
  }

  append(functionName: string, stream: string, message: string): void {
    const log = this.#open.get(functionName) ?? this.#openLog(functionName);
    const record: LogRecord = { time: Date.now(), stream, message };
    const line = JSON.stringify(record);
    // A UTF-16 unit takes at most 3 bytes of UTF-8: room for that is room enough.
    const most = line.length * 3 + 1;
    if (log.batch !== undefined && log.used + most > log.batch.length) seal(log);
    if (most > BATCH_BYTES) log.sealed.push(Buffer.from(`${line}\n`));
    else {
      log.batch ??= Buffer.allocUnsafe(BATCH_BYTES);
      log.used += log.batch.write(line, log.used);
      log.batch[log.used++] = 0x0a;
    }
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_EVERY_MS);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    for (const functionName of [...this.#open.keys()]) this.#write(functionName);
  }

  /** Hands the function's pending records to its file; the log it wrote to. */
  #write(functionName: string): OpenLog | undefined {
    const open = this.#open.get(functionName);
    if (open === undefined) return undefined;
    seal(open);
    if (open.sealed.length === 0) return open;
    let log = open;
    if (log.bytes > ROTATE_AT_BYTES) {
      log.stream.end();
      const dir = logDir(this.dataDir, functionName);
      renameSync(path.join(dir, "current.log"), path.join(dir, "previous.log"));
      this.#open.delete(functionName);
      log = this.#openLog(functionName);
      log.sealed = open.sealed;
    }
    for (const chunk of log.sealed) {
      log.stream.write(chunk);
      log.bytes += chunk.length;
    }
    log.sealed = [];
    log.lastWrite = Date.now();
    return log;
  }

  #openLog(functionName: string): OpenLog {
    if (this.#open.size >= this.#maxOpen) {
      let oldest: string | undefined;
      let oldestWrite = Number.POSITIVE_INFINITY;
      for (const [name, log] of this.#open) {
        if (log.lastWrite < oldestWrite) [oldest, oldestWrite] = [name, log.lastWrite];
      }
      if (oldest !== undefined) void this.closeLog(oldest);
    }
    const dir = logDir(this.dataDir, functionName);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "current.log");
    const stream = createWriteStream(file, { flags: "a" });
    const bytes = existsSync(file) ? statSync(file).size : 0;
    const log: OpenLog = { stream, bytes, sealed: [], batch: undefined, used: 0, lastWrite: Date.now() };
    log.stream.on("error", (error) => console.error(`isolambda: cannot write ${file}: ${error.message}`));
    this.#open.set(functionName, log);
    this.#idleTimer ??= setInterval(() => this.#closeIdle(), this.#idleCloseMs).unref();
    return log;
  }

  #closeIdle(): void {
    const before = Date.now() - this.#idleCloseMs;
    for (const [functionName, log] of this.#open) {
      // A log with records still on their way is not idle.
      if (log.lastWrite <= before && log.sealed.length === 0 && log.used === 0 && log.stream.writableLength === 0) {
        void this.closeLog(functionName);
      }
    }
    if (this.#open.size === 0) {
      clearInterval(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  /** Writes the function's pending records and closes its file; resolves once the descriptor is closed. */
  closeLog(functionName: string): Promise<void> {
    const log = this.#write(functionName);
    if (log === undefined) return Promise.resolve();
    this.#open.delete(functionName);
    return endStream(log.stream);
  }

  async close(): Promise<void> {
    clearTimeout(this.#flushTimer);
    clearInterval(this.#idleTimer);
    this.#flush();
    await Promise.all([...this.#open.values()].map((log) => endStream(log.stream)));
    this.#open.clear();
  }
}

/** Ends the stream; resolves once its file descriptor is closed (or was never opened). */
function endStream(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    if (stream.closed) {
      resolve();
      return;
    }
    stream.once("close", () => resolve());
    stream.end();
  });
}

/** Hands the batch, as far as it is filled, to the sealed chunks; the next record starts a new one. */
function seal(log: OpenLog): void {
  if (log.batch === undefined || log.used === 0) return;
  log.sealed.push(log.batch.subarray(0, log.used));
  log.batch = undefined;
  log.used = 0;
}
