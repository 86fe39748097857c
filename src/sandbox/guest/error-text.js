/**
 * Node prints an error as its stack, whose first line is `Name: message`. QuickJS's stack holds only
 * frames; one written by Error.captureStackTrace (stack.js) carries V8's header already.
 */
export function errorText(error, mapStack) {
  const head = `${error.name}: ${error.message}`;
  let stack = error.stack ? String(error.stack).trimEnd() : "";
  if (stack === "") return head;
  if (mapStack !== undefined) stack = mapStack(stack);
  return stack.startsWith("    at ") ? `${head}\n${stack}` : stack;
}

/** Under NODE_OPTIONS=--enable-source-maps (Lambda's switch), the host maps a stack's frames to the original sources. */
export function stackMapper(host, env) {
  return /(?:^|\s)--enable-source-maps(?:\s|$)/.test(env?.NODE_OPTIONS ?? "") ? (text) => host.mapStack(text) : undefined;
}
