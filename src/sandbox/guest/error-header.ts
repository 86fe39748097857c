// V8 begins an error's `stack` with its header, `Name: message`, formatted on first read (so a
// subclass's name set after super() shows); QuickJS's holds only the frames. Frameworks and loggers
// print `error.stack` as it is (koa logs an app's error so, express's error page shows it), and
// lost the message. So the error constructors are wrapped: an error made by code gets V8's stack.
// Errors QuickJS raises itself (a TypeError for a call of undefined) keep frames only; the
// runtime's own printing adds their header (error-text.ts).

const NATIVE_ERRORS = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError"];

/** V8's ErrorUtils::ToString, which heads a stack. */
function header(error: { name?: unknown; message?: unknown }): string {
  const name = error.name === undefined ? "Error" : String(error.name);
  const message = error.message === undefined ? "" : String(error.message);
  if (name === "") return message;
  return message === "" ? name : `${name}: ${message}`;
}

/** `error` with a stack that reads as V8's: the header on first read, then QuickJS's frames. */
function withHeader(error: object): object {
  const own = Object.getOwnPropertyDescriptor(error, "stack");
  if (typeof own?.value !== "string") return error;
  // The first two frames are Reflect.construct's and the wrapper's own.
  const frames = own.value.split("\n").slice(2).join("\n").trimEnd();
  let text: string | undefined;
  Object.defineProperty(error, "stack", {
    configurable: true,
    enumerable: false,
    get(this: Error) {
      text ??= frames === "" ? header(this) : `${header(this)}\n${frames}`;
      return text;
    },
    set(this: Error, value: unknown) {
      Object.defineProperty(this, "stack", { value, writable: true, configurable: true, enumerable: false });
    },
  });
  return error;
}

/** Wraps the global error constructors; returns QuickJS's own Error, whose stacks stay frames only. */
export function installErrorHeaders(): ErrorConstructor {
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
