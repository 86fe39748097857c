// V8's stack trace API (Error.captureStackTrace, Error.prepareStackTrace, Error.stackTraceLimit),
// which QuickJS lacks and packages call at import (depd, and so express and body-parser). Only this
// small function is evaluated at boot; the CallSites are built by builtins/call-sites.js on first use.

export function installStackTraceApi(builtin, mapStack) {
  Error.stackTraceLimit = 10;
  Object.defineProperty(Error, "captureStackTrace", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function captureStackTrace(target, constructorOpt) {
      // QuickJS writes the frames of the Error made here; the first is this function's own.
      const frames = new Error().stack;
      builtin("call-sites").capture(target, constructorOpt, frames.slice(frames.indexOf("\n") + 1), mapStack);
    },
  });
}
