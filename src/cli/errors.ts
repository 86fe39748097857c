/**
 * How the command line fails: one readable line on stderr and exit code 1, never a stack trace for
 * a mistake the user can fix (a bad config, an unknown function, no server running).
 */
import { ConfigError } from "../config/index.js";
import { FunctionFolderError } from "../functions/folder.js";
import { err } from "./style.js";

/** A failure whose message is already meant for the user. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** No server at `endpoint`: fetch and the SDK both report a refused connection somewhere in the cause chain. */
export function isConnectionRefused(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e !== undefined && e !== null; e = e.cause as typeof e) {
    if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "EHOSTUNREACH") return true;
    if (e === e.cause) break;
  }
  return false;
}

export function notRunning(endpoint: string): CliError {
  return new CliError(`no isolambda server at ${endpoint}; start one with \`isolambda serve\` (or pass --endpoint)`);
}

function userMessage(error: unknown): string | undefined {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof FunctionFolderError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE" || code === "EACCES" || code === "ENOENT") return (error as Error).message;
  return undefined;
}

/** The last word of every command: the message, and exit code 1. */
export function report(error: unknown): void {
  const message = userMessage(error);
  console.error(message === undefined ? error : `${err(["bold", "red"], "isolambda:")} ${message}`);
  process.exitCode = 1;
}
