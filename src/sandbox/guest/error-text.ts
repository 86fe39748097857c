import type { HostCapabilities } from "../shared/guest-protocol.js";

/** Rewrites a stack's frames as Node prints them (stackMapper). */
export type StackMapper = (text: string) => string;

/** What errorText reads of an error: anything with a name and a message. */
export interface ErrorLike {
  name: string;
  message: string;
  stack?: unknown;
}

/** The environment's mapper, for the bundles that print errors (console, util): set at INIT by stack.ts. */
export const STACK_MAPPER = Symbol.for("isolambda.stackMapper");

const installedMapper = (): StackMapper | undefined => (globalThis as unknown as Record<symbol, StackMapper | undefined>)[STACK_MAPPER];

/**
 * Node prints an error as its stack, whose first line is `Name: message`. A stack with its header
 * was written as Node's already (error-header.ts, Error.captureStackTrace); one QuickJS wrote for
 * an error it raised itself holds only frames, mapped here.
 */
export function errorText(error: ErrorLike, mapStack: StackMapper | undefined = installedMapper()): string {
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ? String(error.stack).trimEnd() : "";
  if (stack === "") return head;
  if (!stack.startsWith("    at ")) return stack;
  return `${head}\n${mapStack === undefined ? stack : mapStack(stack)}`;
}

/**
 * The frames as Node prints them, rewritten by the host: columns on a file's first line counted in
 * the file's own text (QuickJS counts the loader's wrapper there) and, under
 * NODE_OPTIONS=--enable-source-maps (Lambda's switch), positions in the original sources.
 */
export function stackMapper(host: HostCapabilities, env: Record<string, string | undefined> | undefined): StackMapper {
  const sourceMaps = /(?:^|\s)--enable-source-maps(?:\s|$)/.test(env?.NODE_OPTIONS ?? "");
  return (text) => (sourceMaps || text.includes(":1:") ? host.mapStack(text, sourceMaps) : text);
}
