// V8 begins an error's `stack` with its header, `Name: message`, formatted on first read (so a
// subclass's name set after super() shows); QuickJS's holds only the frames. Frameworks and loggers
// print `error.stack` as it is (koa logs an app's error so, express's error page shows it), and
// lost the message. So the error constructors are wrapped: an error made by code gets V8's stack,
// its frames as Node prints them (error-text.ts stackMapper: first-line columns, source maps).
// Errors QuickJS raises itself (a TypeError for a call of undefined) keep frames only; the
// runtime's own printing adds their header and maps them (error-text.ts).

import type { StackMapper } from "./error-text.js";

const NATIVE_ERRORS = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError"];

/** V8's ErrorUtils::ToString, which heads a stack. */
function header(error: { name?: unknown; message?: unknown }): string {
  const name = error.name === undefined ? "Error" : String(error.name);
  const message = error.message === undefined ? "" : String(error.message);
  if (name === "") return message;
  return message === "" ? name : `${name}: ${message}`;
}

/** QuickJS's stack of an error made by code, kept until its first read: the work of a header and of mapping is paid by errors whose stack is read. */
const frames = new WeakMap<object, string>();
let mapFrames: StackMapper = (text) => text;

function readStack(this: Error): string {
  const raw = frames.get(this);
  if (raw === undefined) return "";
  // The first two frames are Reflect.construct's and the wrapper's own.
  const own = raw.split("\n").slice(2).join("\n").trimEnd();
  const text = own === "" ? header(this) : `${header(this)}\n${mapFrames(own)}`;
  Object.defineProperty(this, "stack", { value: text, writable: true, configurable: true, enumerable: false });
  return text;
}

function writeStack(this: Error, value: unknown): void {
  Object.defineProperty(this, "stack", { value, writable: true, configurable: true, enumerable: false });
}

/** `error` with a stack that reads as V8's: the header on first read, then QuickJS's frames. */
function withHeader(error: object): object {
  const raw = (error as { stack?: unknown }).stack;
  if (typeof raw !== "string") return error;
  frames.set(error, raw);
  Object.defineProperty(error, "stack", { configurable: true, enumerable: false, get: readStack, set: writeStack });
  return error;
}

/** Wraps the global error constructors; returns QuickJS's own Error, whose stacks stay frames only. */
export function installErrorHeaders(mapStack: StackMapper): ErrorConstructor {
  mapFrames = mapStack;
  const NativeError = globalThis.Error;
  let ErrorWrapper: object | undefined;
  for (const name of NATIVE_ERRORS) {
    const Native = (globalThis as unknown as Record<string, unknown>)[name];
    if (typeof Native !== "function") continue;
    const Wrapper = new Proxy(Native, {
      construct: (target, args, newTarget) => withHeader(Reflect.construct(target, args, newTarget)),
      // Error("x") without new makes an error too.
      apply: (target, _this, args) => withHeader(Reflect.construct(target, args)),
    });
    Object.defineProperty(Native.prototype, "constructor", { value: Wrapper, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(globalThis, name, { value: Wrapper, writable: true, configurable: true, enumerable: false });
    // As in V8, TypeError's own prototype is the global Error.
    if (name === "Error") ErrorWrapper = Wrapper;
    else Object.setPrototypeOf(Native, ErrorWrapper as object);
  }
  return NativeError;
}
