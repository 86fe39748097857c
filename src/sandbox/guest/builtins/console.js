// node:console's Console class: a console writing to the streams it is given, with the global
// console's formatting. Structured loggers (Powertools for AWS Lambda) build one over
// process.stdout and process.stderr to write raw JSON lines.

/** The Console class for one environment; `load` is the builtins/ loader. */
export function createConsoleClass(load) {
  const format = load("format").createFormatter(load);

  return class Console {
    #stdout;
    #stderr;
    #indent = "";
    #counts = new Map();
    #timers = new Map();
    constructor(stdout, stderr) {
      const options = stdout !== null && typeof stdout === "object" && typeof stdout.write !== "function" ? stdout : { stdout, stderr };
      if (typeof options.stdout?.write !== "function") {
        throw Object.assign(new TypeError('The "stdout" argument must be an instance of Stream'), { code: "ERR_CONSOLE_WRITABLE_STREAM" });
      }
      this.#stdout = options.stdout;
      this.#stderr = typeof options.stderr?.write === "function" ? options.stderr : options.stdout;
      // Node binds every method to its console, so `const { log } = new Console(...)` works.
      for (const name of Object.getOwnPropertyNames(Console.prototype)) {
        if (name !== "constructor" && typeof this[name] === "function") this[name] = this[name].bind(this);
      }
    }
    #write(stream, args) {
      const text = format(args);
      stream.write(`${this.#indent ? text.replace(/^/gm, this.#indent) : text}\n`);
    }
    log(...args) {
      this.#write(this.#stdout, args);
    }
    info(...args) {
      this.#write(this.#stdout, args);
    }
    debug(...args) {
      this.#write(this.#stdout, args);
    }
    dir(value) {
      this.#write(this.#stdout, [value]);
    }
    table(value) {
      this.#write(this.#stdout, [value]);
    }
    warn(...args) {
      this.#write(this.#stderr, args);
    }
    error(...args) {
      this.#write(this.#stderr, args);
    }
    trace(...args) {
      this.#write(this.#stderr, [`Trace: ${format(args)}\n${(new Error().stack ?? "").split("\n").slice(2).join("\n")}`.trimEnd()]);
    }
    assert(condition, ...args) {
      if (!condition) this.#write(this.#stderr, [`Assertion failed${args.length ? `: ${format(args)}` : ""}`]);
    }
    count(label = "default") {
      const n = (this.#counts.get(label) ?? 0) + 1;
      this.#counts.set(label, n);
      this.#write(this.#stdout, [`${label}: ${n}`]);
    }
    countReset(label = "default") {
      this.#counts.delete(label);
    }
    group(...args) {
      if (args.length > 0) this.#write(this.#stdout, args);
      this.#indent += "  ";
    }
    groupCollapsed(...args) {
      this.group(...args);
    }
    groupEnd() {
      this.#indent = this.#indent.slice(2);
    }
    time(label = "default") {
      this.#timers.set(label, performance.now());
    }
    timeLog(label = "default", ...args) {
      this.#write(this.#stdout, [`${label}: ${this.#elapsed(label)}`, ...args]);
    }
    timeEnd(label = "default") {
      this.#write(this.#stdout, [`${label}: ${this.#elapsed(label)}`]);
      this.#timers.delete(label);
    }
    #elapsed(label) {
      const start = this.#timers.get(label);
      return start === undefined ? "(no such label)" : `${(performance.now() - start).toFixed(3)}ms`;
    }
  };
}
