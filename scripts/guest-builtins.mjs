// How the bundles under src/sandbox/guest/builtins/ are linked to one another: an esbuild plugin
// that answers some imports with a few lines instead of a bundled package.
import { fileURLToPath } from "node:url";

/** How every guest bundle is built: one script QuickJS evaluates, its value in `globalName`. */
export const GUEST_BUNDLE = {
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2023",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
};

/**
 * Packages that are themselves a Node built-in of the guest, by the built-in they become. Another
 * built-in importing one gets the environment's instance at run time instead of a bundled copy:
 * the code is evaluated once, and `instanceof EventEmitter` or `Buffer.isBuffer` holds across them.
 */
const SHARED = {
  buffer: "buffer",
  "safe-buffer": "buffer",
  events: "events",
  "readable-stream": "stream",
  string_decoder: "string_decoder",
  util: "util",
  "path-browserify": "path",
};

/** Which shared package a builtins/ bundle (by its name) is the home of, and so bundles itself. */
const HOME = {
  buffer: "buffer",
  events: "events",
  path: "path-browserify",
  stream: "readable-stream",
  "string-decoder": "string_decoder",
};

/** Imports answered by what the sandbox already has, instead of the package of that name. */
const STAND_INS = {
  process: "module.exports = globalThis.process;",
  // The `url` package's legacy code asks `qs` for what Node's querystring does.
  qs: `const qs = globalThis[Symbol.for("isolambda.require")]("node:querystring");
module.exports = { parse: (text) => qs.parse(text), stringify: (query) => qs.stringify(query) };`,
  // readable-stream asks for it only where the global is missing; the sandbox defines the global.
  "abort-controller": "module.exports = { AbortController: globalThis.AbortController, AbortSignal: globalThis.AbortSignal };",
  // ES5-era polyfills the `assert` package requires: QuickJS has these natively, and the
  // polyfills' intrinsic lookups cost more bytes than assert itself.
  "object.assign/polyfill": "module.exports = () => Object.assign;",
  "object-is/polyfill": "module.exports = () => Object.is;",
  "object-is": "module.exports = Object.is;",
  "is-nan": "module.exports = Number.isNaN;",
  "call-bind/callBound": `module.exports = (name) => {
  const [owner, , method] = name.split(".");
  const fn = globalThis[owner].prototype[method];
  return (self, ...args) => Reflect.apply(fn, self, args);
};`,
  // dc-polyfill picks Node's own diagnostics_channel by process.version; the sandbox has none, so
  // every patch applies over its reimplementation.
  "dc-polyfill/checks": `const no = () => false;
module.exports = { hasFullSupport: no, hasTracingChannel: no, hasDiagnosticsChannel: no, hasTopSubscribeUnsubscribe: no,
  hasGarbageCollectionBug: no, hasChannelStoreMethods: no, hasChUnsubscribeReturn: no, hasSyncUnsubscribeBug: no,
  hasTracingChannelHasSubscribers: no };`,
  "dc-polyfill/diagnostics_channel": 'module.exports = require("dc-polyfill/reimplementation");',
  // object-inspect's hook for Node's util.inspect.custom, which its browser build leaves out: an
  // object's own [util.inspect.custom](depth, options, inspect) decides how it prints, as in Node.
  "object-inspect/util.inspect": `const custom = Symbol.for("nodejs.util.inspect.custom");
const inspect = (value, options = {}) =>
  require("object-inspect")(value, { depth: options.depth === null ? Infinity : (options.depth ?? 2) + 1 });
function utilInspect(obj, { depth }) {
  const result = obj[custom](depth - 1, { depth: depth - 1 }, inspect);
  return typeof result === "string" ? result : require("object-inspect")(result, { depth });
}
utilInspect.custom = custom;
module.exports = utilInspect;`,
};

const SHARED_IMPORT = /^(buffer|safe-buffer|events|readable-stream|string_decoder|util|path-browserify)\/?$/;
const STAND_IN_IMPORT =
  /^(process\/?|qs|abort-controller|object\.assign\/polyfill|object-is\/polyfill|object-is|is-nan|call-bind\/callBound)$/;

/** The plugin for the bundle builtins/`bundle`.js. */
export const guestBuiltins = (bundle) => ({
  name: "isolambda-guest-builtins",
  setup(build) {
    build.onResolve({ filter: SHARED_IMPORT }, ({ path }) => {
      const name = path.replace(/\/$/, "");
      if (HOME[bundle] === name) return undefined;
      return { path: SHARED[name], namespace: "isolambda-builtin" };
    });
    build.onResolve({ filter: STAND_IN_IMPORT }, ({ path }) => ({ path: path.replace(/\/$/, ""), namespace: "isolambda-stand-in" }));
    build.onResolve({ filter: /^\.\/util\.inspect(\.js)?$/ }, ({ importer }) =>
      /[\\/]object-inspect[\\/]/.test(importer) ? { path: "object-inspect/util.inspect", namespace: "isolambda-stand-in" } : undefined,
    );
    build.onResolve({ filter: /^(\.\/checks\.js|diagnostics_channel)$/ }, ({ path, importer }) =>
      /[\\/]dc-polyfill[\\/]/.test(importer)
        ? {
            path: path === "diagnostics_channel" ? "dc-polyfill/diagnostics_channel" : "dc-polyfill/checks",
            namespace: "isolambda-stand-in",
          }
        : undefined,
    );
    // The package's exports map hides the file; the stand-in above is its only user.
    build.onResolve({ filter: /^dc-polyfill\/reimplementation$/ }, () => ({
      path: fileURLToPath(new URL("../node_modules/dc-polyfill/reimplementation.js", import.meta.url)),
    }));
    build.onLoad({ filter: /.*/, namespace: "isolambda-builtin" }, ({ path }) => ({
      contents: `module.exports = globalThis[Symbol.for("isolambda.require")]("node:${path}");`,
      loader: "js",
    }));
    // resolveDir: a stand-in may require a package of the project (object-inspect's requires object-inspect).
    build.onLoad({ filter: /.*/, namespace: "isolambda-stand-in" }, ({ path }) => ({
      contents: STAND_INS[path],
      loader: "js",
      resolveDir: process.cwd(),
    }));
  },
});
