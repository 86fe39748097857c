/**
 * Invocation logs on disk, per log group: `<dataDir>/logs/<function>/current.log`, rotated to
 * `previous.log` past a size, so a chatty function never fills the disk. Writes go through one
 * append stream per function; `isolambda logs` reads (and follows) the same files.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from "node:fs";
import path from "node:path";

/** Past this, current.log becomes previous.log: at most twice this much per function. */
const ROTATE_AT_BYTES = 10 * 1024 * 1024;

export function logDir(dataDir: string, functionName: string): string {
  return path.join(dataDir, "logs", functionName);
}

interface OpenLog {
  stream: WriteStream;
  bytes: number;
}

export class LogStore {
  readonly #open = new Map<string, OpenLog>();

  constructor(private readonly dataDir: string) {}

  append(functionName: string, text: string): void {
    let log = this.#open.get(functionName) ?? this.#openLog(functionName);
    if (log.bytes > ROTATE_AT_BYTES) {
      log.stream.end();
      const dir = logDir(this.dataDir, functionName);
      renameSync(path.join(dir, "current.log"), path.join(dir, "previous.log"));
      log = this.#openLog(functionName);
    }
    log.stream.write(text);
    log.bytes += Buffer.byteLength(text);
  }

  #openLog(functionName: string): OpenLog {
    const dir = logDir(this.dataDir, functionName);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "current.log");
    const log = { stream: createWriteStream(file, { flags: "a" }), bytes: existsSync(file) ? statSync(file).size : 0 };
    log.stream.on("error", (error) => console.error(`isolambda: cannot write ${file}: ${error.message}`));
    this.#open.set(functionName, log);
    return log;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.values()].map((log) => new Promise<void>((resolve) => log.stream.end(resolve))));
    this.#open.clear();
  }
}
