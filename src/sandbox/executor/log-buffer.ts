/**
 * One phase's log output in Lambda's text format. A handler that spams the console keeps the
 * first LOG_HEAD_BYTES and the last LOG_TAIL_BYTES (what LogType Tail returns); the rest is
 * counted, not kept, so host memory stays bounded whatever the handler does.
 */
import { LOG_HEAD_BYTES, LOG_TAIL_BYTES } from "../shared/limits.js";

export class LogBuffer {
  #head = "";
  #tail = "";
  #dropped = 0;

  constructor(readonly requestId: string) {}

  /** Level "" is process.stdout/stderr output, which Lambda keeps as written: no prefix, no newline added. */
  write(level: string, message: string, time = Date.now()): void {
    const line = level === "" ? message : `${new Date(time).toISOString()}\t${this.requestId}\t${level}\t${message}\n`;
    if (this.#dropped === 0 && this.#head.length + line.length <= LOG_HEAD_BYTES) {
      this.#head += line;
      return;
    }
    this.#dropped += line.length;
    this.#tail = (this.#tail + line).slice(-LOG_TAIL_BYTES);
  }

  text(): string {
    if (this.#dropped === 0) return this.#head;
    const kept = this.#tail.length;
    return `${this.#head}[isolambda] ${this.#dropped - kept} characters of log output dropped\n${this.#tail}`;
  }
}
