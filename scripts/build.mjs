// Builds dist/: the TypeScript host with tsc, and the guest runtime (the JavaScript that runs
// inside QuickJS) with esbuild, bundled once here so no environment pays for bundling.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const started = performance.now();
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { stdio: "inherit" });
// package.json's bin: npm marks it executable at install, but every build writes it anew.
chmodSync("dist/cli.js", 0o755);

const guest = "src/sandbox/guest";
const common = {
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2023",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
};
await build({ ...common, entryPoints: [`${guest}/bootstrap.js`], globalName: "__boot", outfile: "dist/guest/bootstrap.js" });

// Packages that are themselves a Node built-in of the guest, by the built-in they become. Another
// built-in importing one gets the environment's instance at run time instead of a bundled copy:
// the code is evaluated once, and `instanceof EventEmitter` or `Buffer.isBuffer` holds across them.
const SHARED = {
  buffer: "buffer",
  "safe-buffer": "buffer",
  events: "events",
  "readable-stream": "stream",
  string_decoder: "string_decoder",
  util: "util",
  process: "process",
  "path-browserify": "path",
};
/** Which shared package a builtins/ file is the home of, and so bundles itself. */
const HOME = {
  "buffer.js": "buffer",
  "events.js": "events",
  "path.js": "path-browserify",
  "stream.js": "readable-stream",
  "string-decoder.js": "string_decoder",
};
/** The `url` package's legacy code asks `qs` for what Node's querystring does. */
const QS_AS_QUERYSTRING = `const qs = globalThis[Symbol.for("isolambda.require")]("node:querystring");
module.exports = { parse: (text) => qs.parse(text), stringify: (query) => qs.stringify(query) };`;

/**
 * Polyfill packages answered by what the sandbox has natively: QuickJS's own functions (the
 * intrinsic lookups of assert's ES5-era polyfills cost more bytes than assert itself) and the
 * sandbox's lazy globals.
 */
const NATIVE = {
  "object.assign/polyfill": "module.exports = () => Object.assign;",
  "object-is/polyfill": "module.exports = () => Object.is;",
  "object-is": "module.exports = Object.is;",
  "is-nan": "module.exports = Number.isNaN;",
  // readable-stream asks for it only where the global is missing; the sandbox defines the global.
  "abort-controller": "module.exports = { AbortController: globalThis.AbortController, AbortSignal: globalThis.AbortSignal };",
  "call-bind/callBound": `module.exports = (name) => {
  const [owner, , method] = name.split(".");
  const fn = globalThis[owner].prototype[method];
  return (self, ...args) => Reflect.apply(fn, self, args);
};`,
};

const sharedBuiltins = (file) => ({
  name: "isolambda-shared-builtins",
  setup(b) {
    b.onResolve(
      { filter: /^(buffer|safe-buffer|events|readable-stream|string_decoder|util|process|path-browserify|qs)\/?$/ },
      ({ path }) => {
        const name = path.replace(/\/$/, "");
        if (HOME[file] === name) return undefined;
        return { path: name === "qs" ? "qs" : SHARED[name], namespace: "isolambda-builtin" };
      },
    );
    b.onResolve(
      { filter: /^(object\.assign\/polyfill|object-is\/polyfill|object-is|is-nan|call-bind\/callBound|abort-controller)$/ },
      ({ path }) => ({
        path,
        namespace: "isolambda-native",
      }),
    );
    b.onLoad({ filter: /.*/, namespace: "isolambda-native" }, ({ path }) => ({ contents: NATIVE[path], loader: "js" }));
    b.onLoad({ filter: /.*/, namespace: "isolambda-builtin" }, ({ path }) => {
      if (path === "qs") return { contents: QS_AS_QUERYSTRING, loader: "js" };
      if (path === "process") return { contents: "module.exports = globalThis.process;", loader: "js" };
      return { contents: `module.exports = globalThis[Symbol.for("isolambda.require")]("node:${path}");`, loader: "js" };
    });
  },
});

for (const file of readdirSync(`${guest}/builtins`)) {
  await build({
    ...common,
    entryPoints: [`${guest}/builtins/${file}`],
    globalName: "__mod",
    outfile: `dist/guest/builtins/${file}`,
    plugins: [sharedBuiltins(file)],
  });
}
console.log(`build: dist/ ready in ${Math.round(performance.now() - started)} ms`);
