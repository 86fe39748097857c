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
  /** Records not written yet. */
  pending: string;
}

export class LogStore {
  readonly #open = new Map<string, OpenLog>();
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly dataDir: string) {}

  append(functionName: string, stream: string, message: string): void {
    const log = this.#open.get(functionName) ?? this.#openLog(functionName);
    const record: LogRecord = { time: Date.now(), stream, message };
    log.pending += `${JSON.stringify(record)}\n`;
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_EVERY_MS);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    for (const [functionName, open] of this.#open) {
      if (open.pending === "") continue;
      let log = open;
      if (log.bytes > ROTATE_AT_BYTES) {
        log.stream.end();
        const dir = logDir(this.dataDir, functionName);
        renameSync(path.join(dir, "current.log"), path.join(dir, "previous.log"));
        log = this.#openLog(functionName);
        log.pending = open.pending;
      }
      log.stream.write(log.pending);
      log.bytes += Buffer.byteLength(log.pending);
      log.pending = "";
    }
  }

  #openLog(functionName: string): OpenLog {
    const dir = logDir(this.dataDir, functionName);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "current.log");
    const log = { stream: createWriteStream(file, { flags: "a" }), bytes: existsSync(file) ? statSync(file).size : 0, pending: "" };
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
