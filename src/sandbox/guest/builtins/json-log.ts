// Lambda's JSON log format (LoggingConfig LogFormat JSON), as the Node.js runtime interface client
// writes it (LogPatch.js): each console call is one line `{"timestamp","level","requestId","message"}`.
// A lone argument is the message as it is (an object stays an object, an Error becomes its
// errorType, errorMessage, stackTrace and own fields); several are util.format's string, with the
// first Error's errorType, errorMessage and stackTrace beside it. Calls below AWS_LAMBDA_LOG_LEVEL
// write nothing. Loaded at INIT by a function that logs JSON only.

import type { Builtin } from "../builtin-modules.js";
import type { LevelMethod } from "../console.js";
import { errorText, type StackMapper } from "../error-text.js";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
/**
 * Errors the replacer expands in one line before giving up: an error that refers to itself is
 * expanded anew at every visit (JSON's cycle check sees new objects), which runs until the stack
 * overflows in Node, seconds in QuickJS. Either way the line falls back to util.format's text.
 */
const MAX_EXPANSIONS = 1000;

export interface JsonLog {
  method: LevelMethod;
  /** The runtime's own error lines (Invoke Error, Uncaught Exception): console.error(error), source-mapped. */
  logError(error: Error, mapStack: StackMapper | undefined): void;
}

type LogRecord = { [key: string]: unknown };

const typeOf = (error: Error): unknown => (error as { constructor?: { name?: unknown } }).constructor?.name ?? "UnknownError";

export function createJsonLog(
  load: Builtin,
  /** Writes a whole line, as process.stdout does. */
  write: (line: string) => void,
  /** AWS_LAMBDA_LOG_LEVEL; TRACE (everything) when unset or unknown, as in the client. */
  level: string | undefined,
  /** The invocation's request id; undefined during INIT, which the record then leaves out. */
  requestId: () => string | undefined,
): JsonLog {
  let format: ((args: unknown[]) => string) | undefined;
  const formatted = (args: unknown[]) => {
    format ??= load("format").createFormatter(load);
    return format(args);
  };
  const lowest = Math.max(0, LEVELS.indexOf(String(level).toUpperCase()));

  const stringify = (record: LogRecord, mapStack: StackMapper | undefined): string => {
    const top = record.message;
    let expansions = 0;
    return JSON.stringify(record, (_key, value: unknown) => {
      if (!(value instanceof Error)) return value;
      if (++expansions > MAX_EXPANSIONS) throw new RangeError("circular error");
      const stack = (value as { stack?: unknown }).stack;
      return Object.assign(
        {
          errorType: typeOf(value),
          errorMessage: value.message,
          stackTrace: typeof stack === "string" ? errorText(value, value === top ? mapStack : undefined).split("\n") : stack,
        },
        value,
      );
    });
  };

  const line = (levelName: string, args: unknown[], mapStack?: StackMapper): string => {
    const record: LogRecord = { timestamp: new Date().toISOString(), level: levelName, requestId: requestId() };
    if (args.length <= 1) {
      const message = args[0];
      record.message = message;
      if (typeof message === "string") return JSON.stringify(record);
      try {
        return stringify(record, mapStack);
      } catch {
        record.message = formatted([message]);
        return JSON.stringify(record);
      }
    }
    record.message = formatted(args);
    const error = args.find((arg): arg is Error => arg instanceof Error);
    if (error !== undefined) {
      const stack = (error as { stack?: unknown }).stack;
      record.errorType = typeOf(error);
      record.errorMessage = error.message;
      record.stackTrace = typeof stack === "string" ? errorText(error).split("\n") : [];
    }
    return JSON.stringify(record);
  };

  const kept = (levelName: string) => LEVELS.indexOf(levelName) >= lowest;
  return {
    method: (levelName) => (kept(levelName) ? (...args) => write(`${line(levelName, args)}\n`) : () => {}),
    logError(error, mapStack) {
      if (kept("ERROR")) write(`${line("ERROR", [error], mapStack)}\n`);
    },
  };
}
