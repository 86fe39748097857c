// process.stdout and process.stderr: minimal writables whose output goes to the log as written,
// without the prefix console adds, as in Lambda (structured loggers such as Powertools for AWS
// Lambda write JSON lines this way). `log(text)` is the host's raw log.

import { quietListeners } from "../quiet-listeners.js";

type Callback = () => void;

/** What process.stdout and process.stderr are: enough of a Writable for loggers. */
export interface Output {
  fd: number;
  isTTY: false;
  writable: true;
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean;
  end(chunk?: unknown, encoding?: unknown, callback?: unknown): Output;
  on(): Output;
  once(): Output;
  off(): Output;
  removeListener(): Output;
  emit(): boolean;
}

export function createOutput(fd: number, log: (text: string) => void): Output {
  return {
    fd,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      const text =
        typeof chunk === "string"
          ? chunk
          : globalThis.Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? encoding : "utf8");
      log(text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(done as Callback);
      return true;
    },
    end(chunk, encoding, callback) {
      if (chunk !== undefined && typeof chunk !== "function") this.write(chunk, encoding, callback);
      return this;
    },
    ...quietListeners,
    emit: () => false,
  };
}
