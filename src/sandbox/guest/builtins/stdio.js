// process.stdout and process.stderr: minimal writables whose output goes to the log as written,
// without the prefix console adds, as in Lambda (structured loggers such as Powertools for AWS
// Lambda write JSON lines this way). `log(text)` is the host's raw log.

export function createOutput(fd, log) {
  return {
    fd,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      const text =
        typeof chunk === "string" ? chunk : globalThis.Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8");
      log(text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(done);
      return true;
    },
    end(chunk, encoding, callback) {
      if (chunk !== undefined && typeof chunk !== "function") this.write(chunk, encoding, callback);
      return this;
    },
    on() {
      return this;
    },
    once() {
      return this;
    },
    off() {
      return this;
    },
    removeListener() {
      return this;
    },
    emit: () => false,
  };
}
