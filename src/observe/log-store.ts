/**
 * Invocation logs on disk, per log group (`/aws/lambda/<function>`):
 * `<dataDir>/logs/<function>/current.log`, rotated to `previous.log` past a size, so a chatty
 * function never fills the disk. Each line is one invocation's log as a JSON record naming its log
 * stream (one per execution environment, as in CloudWatch Logs) and its time; `isolambda logs`
 * reads (and follows) the same files.
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
}

export class LogStore {
  readonly #open = new Map<string, OpenLog>();
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly dataDir: string) {}

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
    for (const [functionName, open] of this.#open) {
      seal(open);
      if (open.sealed.length === 0) continue;
      let log = open;
      if (log.bytes > ROTATE_AT_BYTES) {
        log.stream.end();
        const dir = logDir(this.dataDir, functionName);
        renameSync(path.join(dir, "current.log"), path.join(dir, "previous.log"));
        log = this.#openLog(functionName);
        log.sealed = open.sealed;
      }
      for (const chunk of log.sealed) {
        log.stream.write(chunk);
        log.bytes += chunk.length;
      }
      log.sealed = [];
    }
  }

  #openLog(functionName: string): OpenLog {
    const dir = logDir(this.dataDir, functionName);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "current.log");
    const stream = createWriteStream(file, { flags: "a" });
    const bytes = existsSync(file) ? statSync(file).size : 0;
    const log: OpenLog = { stream, bytes, sealed: [], batch: undefined, used: 0 };
    log.stream.on("error", (error) => console.error(`isolambda: cannot write ${file}: ${error.message}`));
    this.#open.set(functionName, log);
    return log;
  }

  async close(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flush();
    await Promise.all([...this.#open.values()].map((log) => new Promise<void>((resolve) => log.stream.end(resolve))));
    this.#open.clear();
  }
}

/** Hands the batch, as far as it is filled, to the sealed chunks; the next record starts a new one. */
function seal(log: OpenLog): void {
  if (log.batch === undefined || log.used === 0) return;
  log.sealed.push(log.batch.subarray(0, log.used));
  log.batch = undefined;
  log.used = 0;
}
