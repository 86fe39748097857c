// console as Lambda's Node.js runtime has it: each call becomes one log line
// `timestamp\trequestId\tLEVEL\tmessage`; the host adds timestamp and request id.
import type { HostCapabilities } from "../shared/guest-protocol.js";

export function installConsole(host: HostCapabilities, format: (args: unknown[]) => string): void {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const emit =
    (level: string) =>
    (...args: unknown[]) =>
      host.log(level, format(args));
  const info = emit("INFO");
  const console: GuestConsole = {
    log: info,
    info,
    warn: emit("WARN"),
    error: emit("ERROR"),
    debug: emit("DEBUG"),
    // The frames without the stack's own `Error` header.
    trace: (...args) => host.log("TRACE", `Trace: ${format(args)}\n${(new Error().stack ?? "").replace(/^Error\n?/, "")}`.trimEnd()),
    dir: (value) => info(value),
    table: (value) => info(value),
    assert: (condition, ...args) => {
      if (!condition) host.log("ERROR", `Assertion failed${args.length ? `: ${format(args)}` : ""}`);
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
