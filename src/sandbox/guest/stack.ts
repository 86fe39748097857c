// V8's stack trace API (Error.captureStackTrace, Error.prepareStackTrace, Error.stackTraceLimit),
// which QuickJS lacks and packages call at import (depd, and so express and body-parser). Only this
// small function is evaluated at boot; the CallSites are built by builtins/call-sites.js on first use.

import type { Builtin } from "./builtin-modules.js";
import { installErrorHeaders } from "./error-header.js";
import { STACK_MAPPER, type StackMapper } from "./error-text.js";

export function installStackTraceApi(builtin: Builtin, mapStack: StackMapper): void {
  const NativeError = installErrorHeaders(mapStack);
  Object.defineProperty(globalThis, STACK_MAPPER, { value: mapStack, configurable: true });
  Error.stackTraceLimit = 10;
  Object.defineProperty(Error, "captureStackTrace", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function captureStackTrace(target: object, constructorOpt?: AnyFunction) {
      // QuickJS writes the frames of the Error made here; the first is this function's own.
      const frames = new NativeError().stack as string;
      builtin("call-sites").capture(target, constructorOpt, frames.slice(frames.indexOf("\n") + 1), mapStack);
    },
  });
}
