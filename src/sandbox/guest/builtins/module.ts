// node:module, the part a handler uses: createRequire (ES module bundles call it to get a
// CommonJS require), builtinModules and isBuiltin, with Node 20's list of built-in names.

const builtinModules = [
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "inspector",
  "inspector/promises",
  "module",
  "net",
  "os",
  "path",
  "path/posix",
  "path/win32",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "readline/promises",
  "repl",
  "stream",
  "stream/consumers",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "sys",
  "timers",
  "timers/promises",
  "tls",
  "trace_events",
  "tty",
  "url",
  "util",
  "util/types",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
  "zlib",
];

const isBuiltin = (name: unknown) => builtinModules.includes(String(name).replace(/^node:/, ""));

/** `makeRequire(dir)` is the module loader's require for files in `dir`. */
export function createModule<R>(makeRequire: (dir: string) => R) {
  function createRequire(filename: unknown): R {
    const href = filename instanceof URL ? (filename as URL).href : String(filename);
    let file = href;
    if (href.startsWith("file:")) file = decodeURIComponent(new URL(href).pathname);
    else if (!href.startsWith("/")) {
      throw Object.assign(
        new TypeError(`The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received '${href}'`),
        {
          code: "ERR_INVALID_ARG_VALUE",
        },
      );
    }
    // A directory given with its trailing slash resolves from inside it, as in Node.
    const dir = file.endsWith("/") ? file.slice(0, -1) || "/" : file.slice(0, file.lastIndexOf("/")) || "/";
    return makeRequire(dir);
  }
  return { createRequire, builtinModules: [...builtinModules], isBuiltin };
}
