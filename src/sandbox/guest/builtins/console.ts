// node:console's Console class: a console writing to the streams it is given, with the global
// console's formatting. Structured loggers (Powertools for AWS Lambda) build one over
// process.stdout and process.stderr to write raw JSON lines.

import type { Builtin } from "../builtin-modules.js";

/** What a Console writes to: anything with write(). */
interface Writable {
  write(text: string): unknown;
}

/** new Console(stdout, stderr) or new Console({ stdout, stderr }). */
interface ConsoleOptions {
  stdout?: Writable;
  stderr?: Writable;
}

const isWritable = (value: unknown): value is Writable => typeof (value as Writable | undefined)?.write === "function";

/** The Console class for one environment; `load` is the builtins/ loader. */
export function createConsoleClass(load: Builtin) {
  const format = load("format").createFormatter(load);

  return class Console {
    #stdout: Writable;
    #stderr: Writable;
    #indent = "";
    #counts = new Map<string, number>();
    #timers = new Map<string, number>();
    constructor(stdout: unknown, stderr?: unknown) {
      const options = (
        stdout !== null && typeof stdout === "object" && !isWritable(stdout) ? stdout : { stdout, stderr }
      ) as ConsoleOptions;
      if (!isWritable(options.stdout)) {
        throw Object.assign(new TypeError('The "stdout" argument must be an instance of Stream'), { code: "ERR_CONSOLE_WRITABLE_STREAM" });
      }
      this.#stdout = options.stdout;
      this.#stderr = isWritable(options.stderr) ? options.stderr : options.stdout;
      // Node binds every method to its console, so `const { log } = new Console(...)` works.
      const self = this as unknown as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(Console.prototype)) {
        const method = self[name];
        if (name !== "constructor" && typeof method === "function") self[name] = method.bind(this);
      }
    }
    #write(stream: Writable, args: unknown[]) {
      const text = format(args);
      stream.write(`${this.#indent ? text.replace(/^/gm, this.#indent) : text}\n`);
    }
    log(...args: unknown[]) {
      this.#write(this.#stdout, args);
    }
    info(...args: unknown[]) {
      this.#write(this.#stdout, args);
    }
    debug(...args: unknown[]) {
      this.#write(this.#stdout, args);
    }
    dir(value: unknown) {
      this.#write(this.#stdout, [value]);
    }
    table(value: unknown) {
      this.#write(this.#stdout, [value]);
    }
    warn(...args: unknown[]) {
      this.#write(this.#stderr, args);
    }
    error(...args: unknown[]) {
      this.#write(this.#stderr, args);
    }
    trace(...args: unknown[]) {
      this.#write(this.#stderr, [`Trace: ${format(args)}\n${(new Error().stack ?? "").split("\n").slice(2).join("\n")}`.trimEnd()]);
    }
    assert(condition: unknown, ...args: unknown[]) {
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
    group(...args: unknown[]) {
      if (args.length > 0) this.#write(this.#stdout, args);
      this.#indent += "  ";
    }
    groupCollapsed(...args: unknown[]) {
      this.group(...args);
    }
    groupEnd() {
      this.#indent = this.#indent.slice(2);
    }
    time(label = "default") {
      this.#timers.set(label, performance.now());
    }
    timeLog(label = "default", ...args: unknown[]) {
      this.#write(this.#stdout, [`${label}: ${this.#elapsed(label)}`, ...args]);
    }
    timeEnd(label = "default") {
      this.#write(this.#stdout, [`${label}: ${this.#elapsed(label)}`]);
      this.#timers.delete(label);
    }
    #elapsed(label: string) {
      const start = this.#timers.get(label);
      return start === undefined ? "(no such label)" : `${(performance.now() - start).toFixed(3)}ms`;
    }
  };
}
