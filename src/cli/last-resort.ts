/**
 * `isolambda serve`'s last resort: an exception or a rejection that nothing handled is logged as
 * one line and the server keeps answering, instead of Node ending the process and every function
 * behind it. Every path a function's output takes is checked before it is written (the doors'
 * shared/http-validate.ts), so this catches only a bug nobody has found yet. Only the CLI installs
 * it: the tests start the server in-process without it, so none of them can pass because of it.
 */

/** The error's first line and the frame that threw it. */
export function lastResortLine(kind: "uncaught exception" | "unhandled rejection", error: unknown): string {
  const [first = String(error), frame] = error instanceof Error && error.stack !== undefined ? error.stack.split("\n") : [String(error)];
  const where = frame === undefined ? "" : ` (${frame.trim()})`;
  return `isolambda: ${kind}, still serving (a bug in isolambda; please report it): ${first}${where}`;
}

export function installLastResort(log: (line: string) => void = (line) => console.error(line)): void {
  process.on("uncaughtException", (error) => log(lastResortLine("uncaught exception", error)));
  process.on("unhandledRejection", (reason) => log(lastResortLine("unhandled rejection", reason)));
}
