import type { HostCapabilities } from "../shared/guest-protocol.js";

/** Maps a stack's frames to the original sources (stackMapper). */
export type StackMapper = (text: string) => string;

/** What errorText reads of an error: anything with a name and a message. */
export interface ErrorLike {
  name: string;
  message: string;
  stack?: unknown;
}

/**
 * Node prints an error as its stack, whose first line is `Name: message`. QuickJS's stack holds only
 * frames; one written by Error.captureStackTrace (stack.ts) carries V8's header already.
 */
export function errorText(error: ErrorLike, mapStack?: StackMapper): string {
  const head = `${error.name}: ${error.message}`;
  let stack = error.stack ? String(error.stack).trimEnd() : "";
  if (stack === "") return head;
  if (mapStack !== undefined) stack = mapStack(stack);
  return stack.startsWith("    at ") ? `${head}\n${stack}` : stack;
}

/** Under NODE_OPTIONS=--enable-source-maps (Lambda's switch), the host maps a stack's frames to the original sources. */
export function stackMapper(host: HostCapabilities, env: Record<string, string | undefined> | undefined): StackMapper | undefined {
  return /(?:^|\s)--enable-source-maps(?:\s|$)/.test(env?.NODE_OPTIONS ?? "") ? (text) => host.mapStack(text) : undefined;
}
