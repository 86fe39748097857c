/** Module loading inside the sandbox: Node's CommonJS and ESM resolution over the package in /var/task. */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, errorOf, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

describe("CommonJS", () => {
  it("resolves node_modules packages by main, exports conditions, subpath and scope", async () => {
    const files = {
      "index.js": [
        "const greet = require('greet');",
        "const extra = require('greet/lib/extra');",
        "const util = require('@acme/util');",
        "exports.handler = async () => ({ greet: greet('x'), extra, util: util.kind, resolved: require.resolve('@acme/util') });",
      ].join("\n"),
      "node_modules/greet/package.json": JSON.stringify({ name: "greet", main: "lib/main.js" }),
      "node_modules/greet/lib/main.js": "module.exports = (n) => 'greetings, ' + n;",
      "node_modules/greet/lib/extra.js": "module.exports = 'extra';",
      "node_modules/@acme/util/package.json": JSON.stringify({
        name: "@acme/util",
        exports: { ".": { import: "./esm.mjs", require: "./cjs.js" } },
      }),
      "node_modules/@acme/util/cjs.js": "exports.kind = 'cjs';",
      "node_modules/@acme/util/esm.mjs": "export const kind = 'esm';",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      greet: "greetings, x",
      extra: "extra",
      util: "cjs",
      resolved: "/var/task/node_modules/@acme/util/cjs.js",
    });
  });

  it("finds node_modules in parent directories and directory indexes", async () => {
    const files = {
      "src/handlers/api.js":
        "const shared = require('shared'); const lib = require('../lib');\nexports.handler = async () => [shared, lib.name];",
      "src/lib/index.js": "exports.name = 'lib-index';",
      "node_modules/shared/index.js": "module.exports = 'shared-root';",
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { handler: "src/handlers/api.handler" }))).toEqual(["shared-root", "lib-index"]);
  });

  it("gives each module its __filename, __dirname, module object and a shared cache", async () => {
    const files = {
      "index.js": [
        "const counter = require('./lib/counter');",
        "require('./lib/counter.js').bump();",
        "exports.handler = async () => ({ file: __filename, dir: __dirname, count: counter.count(), self: module.exports === exports,",
        "  libFile: counter.file, cached: Object.keys(require.cache).sort(), loaded: module.loaded, id: module.id,",
        "  thisIsExports: counter.thisIsExports });",
      ].join("\n"),
      "lib/counter.js":
        "let n = 0;\nexports.bump = () => { n += 1; };\nexports.count = () => n;\nexports.file = __filename;\nexports.thisIsExports = this === exports;",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      file: "/var/task/index.js",
      dir: "/var/task",
      count: 1,
      self: true,
      libFile: "/var/task/lib/counter.js",
      cached: ["/var/task/index.js", "/var/task/lib/counter.js"],
      loaded: true,
      id: "/var/task/index.js",
      thisIsExports: true,
    });
  });

  it("handles require cycles with partial exports, as Node does", async () => {
    const files = {
      "index.js": "const a = require('./a');\nexports.handler = async () => a.report();",
      "a.js": "exports.early = 'a-early';\nconst b = require('./b');\nexports.report = () => ({ bSawA: b.sawA, bLate: b.sawLate });",
      "b.js": "const a = require('./a');\nexports.sawA = a.early;\nexports.sawLate = a.report === undefined ? 'not yet' : 'defined';",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ bSawA: "a-early", bLate: "not yet" });
  });

  it("refuses to require an ES module with ERR_REQUIRE_ESM on nodejs18.x, whose Node predates require(esm)", async () => {
    const files = {
      "index.js": "exports.handler = async () => { try { return require('./esm.mjs').x; } catch (e) { return e.code; } };",
      "esm.mjs": "export const x = 1;",
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { runtime: "nodejs18.x" }))).toBe("ERR_REQUIRE_ESM");
    expect(resultOf(await invokeOnce(sandbox, files, {}, { runtime: "nodejs20.x" }))).toBe(1);
  });

  it("imports an ES module dynamically from CommonJS", async () => {
    const files = {
      "index.js": "exports.handler = async () => { const m = await import('./esm.mjs'); return { named: m.value, dflt: m.default }; };",
      "esm.mjs": "export const value = 42;\nexport default 'the default';",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ named: 42, dflt: "the default" });
  });

  it("loads the available Node built-ins as the globals they mirror", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => ({",
        "  buffer: require('buffer').Buffer === Buffer, nodeBuffer: require('node:buffer').Buffer === Buffer,",
        "  url: require('url').URL === URL, process: require('process') === process, console: require('console') === console,",
        "  timers: require('timers').setTimeout === setTimeout,",
        "});",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      buffer: true,
      nodeBuffer: true,
      url: true,
      process: true,
      console: true,
      timers: true,
    });
  });

  it("skips a shebang line and keeps line numbers in stack traces", async () => {
    const files = {
      "index.js": "#!/usr/bin/env node\nconst lib = require('./lib/fail');\nexports.handler = async () => lib.fail();",
      "lib/fail.js": "// line 1\n// line 2\nexports.fail = () => {\n  throw new Error('deep failure');\n};",
    };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorMessage).toBe("deep failure");
    expect(error.trace.some((line) => line.includes("/var/task/lib/fail.js:4"))).toBe(true);
    expect(error.trace.some((line) => line.includes("/var/task/index.js:3"))).toBe(true);
  });

  it("reports a syntax error in a required file as Runtime.UserCodeSyntaxError", async () => {
    const env = await environmentFor(sandbox, {
      "index.js": "require('./broken');\nexports.handler = async () => 1;",
      "broken.js": "let = = 1;",
    });
    expect(env.initError?.errorType).toBe("Runtime.UserCodeSyntaxError");
    env.dispose();
  });

  it("does not cache a module whose evaluation threw", async () => {
    const files = {
      "index.js": [
        "globalThis.attempts = 0;",
        "const attempt = () => { try { return require('./flaky'); } catch (e) { return e.message; } };",
        "exports.handler = async () => [attempt(), attempt(), globalThis.attempts];",
      ].join("\n"),
      "flaky.js":
        "globalThis.attempts += 1;\nif (globalThis.attempts < 2) throw new Error('first load fails');\nmodule.exports = 'second load works';",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual(["first load fails", "second load works", 2]);
  });

  it("finds a handler through a nested property path", async () => {
    const files = { "index.js": "exports.api = { v1: { handler: async () => 'nested' } };" };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { handler: "index.api.v1.handler" }))).toBe("nested");
  });
});

describe("ES modules", () => {
  it("sets import.meta.url, filename and dirname", async () => {
    const files = {
      "src/app.mjs":
        "export const handler = async () => ({ url: import.meta.url, filename: import.meta.filename, dirname: import.meta.dirname });",
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { handler: "src/app.handler" }))).toEqual({
      url: "file:///var/task/src/app.mjs",
      filename: "/var/task/src/app.mjs",
      dirname: "/var/task/src",
    });
  });

  it("keeps line numbers of ES modules in stack traces", async () => {
    const files = { "index.mjs": "// one\n// two\nexport const handler = async () => {\n  throw new TypeError('esm failure');\n};" };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.trace[0]).toBe("TypeError: esm failure");
    expect(error.trace.some((line) => line.includes("/var/task/index.mjs:4"))).toBe(true);
  });

  it("resolves packages through the import condition and JSON modules", async () => {
    const files = {
      "index.mjs": [
        "import { kind } from '@acme/util';",
        "import config from './config.json' with { type: 'json' };",
        "import cjsDefault, { helper } from 'legacy';",
        "export const handler = async () => ({ kind, config, helper: helper(), viaDefault: cjsDefault.helper() });",
      ].join("\n"),
      "config.json": JSON.stringify({ region: "eu", retries: 3 }),
      "node_modules/@acme/util/package.json": JSON.stringify({ exports: { import: "./esm.mjs", default: "./cjs.js" } }),
      "node_modules/@acme/util/cjs.js": "exports.kind = 'cjs';",
      "node_modules/@acme/util/esm.mjs": "export const kind = 'esm';",
      "node_modules/legacy/index.js": "module.exports = { helper: () => 'legacy-helper' };",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      kind: "esm",
      config: { region: "eu", retries: 3 },
      helper: "legacy-helper",
      viaDefault: "legacy-helper",
    });
  });

  it("imports Node built-ins by name", async () => {
    const files = {
      "index.mjs": [
        "import { Buffer as B } from 'node:buffer';",
        "import processModule from 'node:process';",
        "import { URL as U } from 'url';",
        "export const handler = async () => ({ buffer: B === Buffer, process: processModule === process, url: U === URL });",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ buffer: true, process: true, url: true });
  });

  it("treats .js as ESM under a nested package.json with type module", async () => {
    const files = {
      "index.mjs": "import { where } from './lib/where.js';\nexport const handler = async () => where;",
      "lib/package.json": JSON.stringify({ type: "module" }),
      "lib/where.js": "export const where = typeof module === 'undefined' ? 'esm' : 'cjs';",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toBe("esm");
  });

  it("detects ES module syntax in a .js file no package.json type speaks for, as Node 20.19+ does, and leaves CommonJS that merely mentions the words", async () => {
    const files = {
      "index.js": [
        "import { kind } from './lib/esm.js';",
        "import cjs from './lib/cjs.js';",
        "const { ready } = await import('./lib/tla.js');",
        "export const handler = async () => ({ kind, cjs, ready, esm: typeof module === 'undefined' });",
      ].join("\n"),
      "lib/esm.js": "export const kind = typeof require === 'undefined' ? 'esm' : 'cjs';",
      // `import`, `export` and `await` inside strings and an async function: still CommonJS.
      "lib/cjs.js":
        "const words = 'import x from y; export default 1';\nmodule.exports = { words: words.length, run: async () => await 1, kind: typeof module };",
      "lib/tla.js": "export const ready = await Promise.resolve('top-level await');",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      kind: "esm",
      cjs: { words: 33, kind: "object" },
      ready: "top-level await",
      esm: true,
    });
  });

  it("evaluates a shared module once across importers", async () => {
    const files = {
      "index.mjs":
        "import { a } from './a.mjs';\nimport { b } from './b.mjs';\nimport { evaluations } from './shared.mjs';\nexport const handler = async () => [a, b, evaluations()];",
      "a.mjs": "import { tick } from './shared.mjs';\nexport const a = tick();",
      "b.mjs": "import { tick } from './shared.mjs';\nexport const b = tick();",
      "shared.mjs":
        "globalThis.sharedEvaluations = (globalThis.sharedEvaluations ?? 0) + 1;\nlet n = 0;\nexport const tick = () => ++n;\nexport const evaluations = () => globalThis.sharedEvaluations;",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual([1, 2, 1]);
  });

  it("reports HandlerNotFound when the handler is only inside a default export", async () => {
    const env = await environmentFor(sandbox, { "index.mjs": "export default { handler: async () => 1 };" });
    expect(env.initError?.errorType).toBe("Runtime.HandlerNotFound");
    expect(env.initError?.errorMessage).toBe("index.handler is undefined or not exported");
    env.dispose();
  });
});

describe("handler file lookup", () => {
  it("prefers index.js, then index.mjs, then index.cjs", async () => {
    const all = {
      "index.js": "exports.handler = async () => 'js';",
      "index.mjs": "export const handler = async () => 'mjs';",
      "index.cjs": "exports.handler = async () => 'cjs';",
    };
    expect(resultOf(await invokeOnce(sandbox, all))).toBe("js");
    const { "index.js": _js, ...withoutJs } = all;
    expect(resultOf(await invokeOnce(sandbox, withoutJs))).toBe("mjs");
    expect(resultOf(await invokeOnce(sandbox, { "index.cjs": all["index.cjs"] }))).toBe("cjs");
  });
});

describe("package.json exports and imports", () => {
  it("resolves subpath exports and patterns for require and import, hides what exports leaves out, and maps #imports", async () => {
    const files = {
      "index.mjs": [
        "import { createRequire } from 'node:module';",
        "import { kind as adapter } from 'fw/adapter';",
        "import { name as jwt } from 'fw/jwt/sign';",
        "const require = createRequire(import.meta.url);",
        "export const handler = async () => {",
        "  let hidden;",
        "  try { require('fw/dist/secret.js'); hidden = 'loaded'; } catch (e) { hidden = e.message.split('\\n')[0]; }",
        "  return { adapter, jwt, required: require('fw/adapter').kind, internal: require('fw').internal,",
        "    resolved: require.resolve('fw/jwt/verify'), hidden };",
        "};",
      ].join("\n"),
      "node_modules/fw/package.json": JSON.stringify({
        name: "fw",
        exports: {
          ".": { types: "./index.d.ts", require: "./main.cjs" },
          "./adapter": { types: "./a.d.ts", import: "./dist/adapter.mjs", require: "./dist/adapter.cjs" },
          "./jwt/*": { import: "./dist/jwt/*.mjs", require: "./dist/jwt/*.cjs" },
        },
        imports: { "#util": { node: "./dist/util.cjs", default: "./nowhere.js" } },
      }),
      "node_modules/fw/main.cjs": "exports.internal = require('#util');",
      "node_modules/fw/dist/adapter.mjs": "export const kind = 'esm-adapter';",
      "node_modules/fw/dist/adapter.cjs": "exports.kind = 'cjs-adapter';",
      "node_modules/fw/dist/jwt/sign.mjs": "export const name = 'sign';",
      "node_modules/fw/dist/jwt/verify.cjs": "exports.name = 'verify';",
      "node_modules/fw/dist/util.cjs": "module.exports = 'util-from-imports';",
      "node_modules/fw/dist/secret.js": "module.exports = 'secret';",
    };
    const out = resultOf(await invokeOnce(sandbox, files)) as Record<string, string>;
    expect(out).toMatchObject({
      adapter: "esm-adapter",
      jwt: "sign",
      required: "cjs-adapter",
      internal: "util-from-imports",
      resolved: "/var/task/node_modules/fw/dist/jwt/verify.cjs",
    });
    expect(out.hidden).toMatch(/^Cannot find module 'fw\/dist\/secret\.js'/);
  });
});

describe("require() of ES modules", () => {
  it("returns the namespace as Node 20.19+ does, shares the instance with import(), and passes evaluation errors on", async () => {
    const files = {
      "index.js": [
        "const esm = require('esm-only');",
        "exports.handler = async () => {",
        "  const imported = await import('esm-only');",
        "  let failure; try { require('./broken.mjs'); } catch (e) { failure = [e.name, e.message]; }",
        "  let asyncFailure; try { require('./awaits.mjs'); } catch (e) { asyncFailure = e.code; }",
        "  return { named: esm.greet('x'), default: esm.default, same: esm === imported, count: esm.count(), again: require('esm-only') === esm,",
        "    cjsExports: require('./interop.mjs'), failure, asyncFailure };",
        "};",
      ].join("\n"),
      "node_modules/esm-only/package.json": JSON.stringify({ name: "esm-only", type: "module", exports: { ".": { node: "./index.js" } } }),
      "node_modules/esm-only/index.js":
        "let evaluations = 0; evaluations += 1;\nexport const greet = (n) => 'hi ' + n;\nexport const count = () => evaluations;\nexport default 'the default';",
      "broken.mjs": "throw new TypeError('broken at load');",
      "awaits.mjs": "await new Promise((r) => setTimeout(r, 1));\nexport const late = 1;",
      "interop.mjs": "const value = { interop: true };\nexport { value as 'module.exports' };",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      named: "hi x",
      default: "the default",
      same: true,
      count: 1,
      again: true,
      cjsExports: { interop: true },
      failure: ["TypeError", "broken at load"],
      asyncFailure: "ERR_REQUIRE_ASYNC_MODULE",
    });
  });
});
