// console as Lambda's Node.js runtime has it: each call becomes one log line
// `timestamp\trequestId\tLEVEL\tmessage`; the host adds timestamp and request id. A function that
// logs JSON (LoggingConfig) has its level methods from builtins/json-log.ts instead.
import type { HostCapabilities } from "../shared/guest-protocol.js";

/** The console method writing at `level`. */
export type LevelMethod = (level: string) => (...args: unknown[]) => void;

export function installConsole(host: HostCapabilities, format: (args: unknown[]) => string, json?: LevelMethod): void {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const emit: LevelMethod =
    json ??
    ((level) =>
      (...args) =>
        host.log(level, format(args)));
  const info = emit("INFO");
  const error = emit("ERROR");
  const console: GuestConsole = {
    log: info,
    info,
    warn: emit("WARN"),
    error,
    debug: emit("DEBUG"),
    // The runtime interface client's own level, in both formats.
    fatal: emit("FATAL"),
    // The runtime interface client writes a trace's arguments alone in JSON; the text line keeps
    // Node's `Trace:` and the frames, without the stack's own `Error` header.
    trace:
      json?.("TRACE") ??
      ((...args) => host.log("TRACE", `Trace: ${format(args)}\n${(new Error().stack ?? "").replace(/^Error\n?/, "")}`.trimEnd())),
    dir: (value) => info(value),
    table: (value) => info(value),
    assert: (condition, ...args) => {
      if (!condition) error(`Assertion failed${args.length ? `: ${format(args)}` : ""}`);
    },
    count: (label = "default") => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      info(`${label}: ${n}`);
    },
    countReset: (label = "default") => counts.delete(label),
    time: (label = "default") => timers.set(label, host.now()),
    timeLog: (label = "default", ...args) => info(`${label}: ${elapsed(label)}`, ...args),
    timeEnd: (label = "default") => {
      info(`${label}: ${elapsed(label)}`);
      timers.delete(label);
    },
    group: info,
    groupEnd: () => {},
  };
  const elapsed = (label: string) => {
    const start = timers.get(label);
    return start === undefined ? "(no such label)" : `${(host.now() - start).toFixed(3)}ms`;
  };
  globalThis.console = console;
}
