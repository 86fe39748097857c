/** Lambda's Node.js handler contract: how handlers are found, called, and how they answer or fail. */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, errorOf, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

describe("handler module formats", () => {
  it("runs a CommonJS exports.handler", async () => {
    const result = await invokeOnce(sandbox, { "index.js": "exports.handler = async (e) => ({ sum: e.a + e.b });" }, { a: 2, b: 3 });
    expect(resultOf(result)).toEqual({ sum: 5 });
    expect(result.environmentGone).toBe(false);
  });

  it("runs module.exports = { handler }", async () => {
    const files = { "index.js": "async function handler(e) { return e.s.toUpperCase(); }\nmodule.exports = { handler };" };
    expect(resultOf(await invokeOnce(sandbox, files, { s: "abc" }))).toBe("ABC");
  });

  it("runs an ES module .mjs with export const handler", async () => {
    const files = { "index.mjs": "export const handler = async (e) => ({ doubled: e.n * 2, esm: typeof require === 'undefined' });" };
    expect(resultOf(await invokeOnce(sandbox, files, { n: 21 }))).toEqual({ doubled: 42, esm: true });
  });

  it("treats .js as an ES module under package.json type module", async () => {
    const files = {
      "package.json": JSON.stringify({ type: "module" }),
      "index.js": "export async function handler() { return { meta: typeof import.meta, esm: typeof module === 'undefined' }; }",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ meta: "object", esm: true });
  });

  it("supports top-level await in an ES module handler", async () => {
    const files = {
      "index.mjs": [
        "const config = await new Promise((resolve) => setTimeout(() => resolve({ base: 40 }), 5));",
        "export const handler = async (e) => config.base + e.n;",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files, { n: 2 }))).toBe(42);
  });

  it("requires relative CommonJS files and JSON from CommonJS", async () => {
    const files = {
      "index.js": [
        "const { greet } = require('./lib/greet');",
        "const data = require('./data.json');",
        "const same = require('./lib/greet.js');",
        "exports.handler = async () => ({ text: greet(data.name), version: data.version, cached: same.greet === greet });",
      ].join("\n"),
      "lib/greet.js": "exports.greet = (name) => 'hi ' + name;",
      "data.json": JSON.stringify({ name: "ada", version: 3 }),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ text: "hi ada", version: 3, cached: true });
  });

  it("imports relative ES modules and a CommonJS file's default and named exports from ESM", async () => {
    const files = {
      "index.mjs": [
        "import { add } from './math.mjs';",
        "import legacy, { named } from './legacy.cjs';",
        "export const handler = async () => ({ add: add(2, 3), named: named(), fromDefault: legacy.named(), other: legacy.other });",
      ].join("\n"),
      "math.mjs": "export const add = (a, b) => a + b;",
      "legacy.cjs": "exports.named = () => 'named-ok';\nexports.other = 7;",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ add: 5, named: "named-ok", fromDefault: "named-ok", other: 7 });
  });

  it("finds a handler in a nested path dir/file.handler", async () => {
    const files = { "src/handlers/api.js": "exports.main = async () => ({ file: __filename, dir: __dirname });" };
    const result = await invokeOnce(sandbox, files, {}, { handler: "src/handlers/api.main" });
    expect(resultOf(result)).toEqual({ file: "/var/task/src/handlers/api.js", dir: "/var/task/src/handlers" });
  });
});

describe("ways of answering", () => {
  it("takes an async handler's return value", async () => {
    const files = { "index.js": "exports.handler = async (e) => { await null; return { list: [1, 'two', null, true], nested: { e } }; };" };
    expect(resultOf(await invokeOnce(sandbox, files, { k: "v" }))).toEqual({ list: [1, "two", null, true], nested: { e: { k: "v" } } });
  });

  it("takes the value of a promise returned by a plain function", async () => {
    const files = { "index.js": "exports.handler = (e) => new Promise((resolve) => setTimeout(() => resolve('later:' + e.x), 10));" };
    expect(resultOf(await invokeOnce(sandbox, files, { x: 1 }))).toBe("later:1");
  });

  it("takes the result passed to callback(null, result)", async () => {
    const files = { "index.js": "exports.handler = (e, context, callback) => { setTimeout(() => callback(null, { cb: e.v }), 5); };" };
    expect(resultOf(await invokeOnce(sandbox, files, { v: 9 }))).toEqual({ cb: 9 });
  });

  it("reports callback(error) as a function error", async () => {
    const files = { "index.js": "exports.handler = (e, context, callback) => callback(new TypeError('cb failed'));" };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorType).toBe("TypeError");
    expect(error.errorMessage).toBe("cb failed");
  });

  it("supports legacy context.succeed, context.fail and context.done", async () => {
    const files = {
      "index.js": [
        "exports.handler = (e, context) => {",
        "  if (e.mode === 'succeed') context.succeed({ via: 'succeed' });",
        "  else if (e.mode === 'fail') context.fail(new Error('via fail'));",
        "  else if (e.mode === 'failEmpty') context.fail();",
        "  else if (e.mode === 'doneError') context.done(new RangeError('via done'));",
        "  else context.done(null, { via: 'done' });",
        "};",
      ].join("\n"),
    };
    const env = await environmentFor(sandbox, files);
    expect(resultOf(await env.invoke('{"mode":"succeed"}'))).toEqual({ via: "succeed" });
    expect(resultOf(await env.invoke('{"mode":"done"}'))).toEqual({ via: "done" });
    const failed = errorOf(await env.invoke('{"mode":"fail"}'));
    expect([failed.errorType, failed.errorMessage]).toEqual(["Error", "via fail"]);
    const doneError = errorOf(await env.invoke('{"mode":"doneError"}'));
    expect([doneError.errorType, doneError.errorMessage]).toEqual(["RangeError", "via done"]);
    // The runtime interface client turns fail() without an error into the string "handled".
    expect(errorOf(await env.invoke('{"mode":"failEmpty"}'))).toEqual({ errorType: "string", errorMessage: "handled", trace: [] });
    // Function errors from the handler do not end the environment.
    expect(env.usable).toBe(true);
    env.dispose();
  });

  it("keeps the first of two callback calls", async () => {
    const files = {
      "index.js": [
        "exports.handler = (e, context, callback) => {",
        "  callback(null, 'first');",
        "  callback(null, 'second');",
        "  callback(new Error('third'));",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toBe("first");
  });

  it("keeps the first answer when a callback handler also returns a promise", async () => {
    const files = {
      "index.js": "exports.handler = async (e, context, callback) => { callback(null, 'from-callback'); return 'from-promise'; };",
    };
    // The runtime interface client lets only the first of callback / succeed / fail / done through.
    expect(resultOf(await invokeOnce(sandbox, files))).toBe("from-callback");
  });

  it("answers null when a sync handler returns a value without calling the callback", async () => {
    const files = { "index.js": "exports.handler = (e) => ({ ignored: true });" };
    const result = await invokeOnce(sandbox, files);
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBe("null");
  });

  it("answers null for an undefined result", async () => {
    const files = { "index.js": "exports.handler = async () => undefined;" };
    const result = await invokeOnce(sandbox, files);
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBe("null");
  });

  it("answers JSON scalars and strings as JSON", async () => {
    const files = { "index.js": "exports.handler = async (e) => e.value;" };
    const env = await environmentFor(sandbox, files);
    expect((await env.invoke('{"value":"text"}')).payload).toBe('"text"');
    expect((await env.invoke('{"value":0}')).payload).toBe("0");
    expect((await env.invoke('{"value":false}')).payload).toBe("false");
    expect((await env.invoke("{}")).payload).toBe("null");
    env.dispose();
  });
});

describe("errors in Lambda's shape", () => {
  it("reports a thrown Error with its name, message and trace", async () => {
    const files = { "index.js": "exports.handler = async () => { throw new Error('boom'); };" };
    const result = await invokeOnce(sandbox, files);
    const error = errorOf(result);
    expect(error.errorType).toBe("Error");
    expect(error.errorMessage).toBe("boom");
    expect(error.trace[0]).toBe("Error: boom");
    expect(error.trace.length).toBeGreaterThan(1);
    expect(error.trace.join("\n")).toContain("/var/task/index.js");
    expect(result.environmentGone).toBe(false);
  });

  it("reports a synchronous throw the same way", async () => {
    const files = { "index.js": "exports.handler = () => { null.prop; };" };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorType).toBe("TypeError");
    expect(error.trace[0]).toBe(`TypeError: ${error.errorMessage}`);
  });

  it("uses a custom error class's name as errorType", async () => {
    const files = {
      "index.js": [
        "class ValidationError extends Error {",
        "  constructor(message) { super(message); this.name = 'ValidationError'; }",
        "}",
        "exports.handler = async () => { throw new ValidationError('field x is required'); };",
      ].join("\n"),
    };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorType).toBe("ValidationError");
    expect(error.errorMessage).toBe("field x is required");
    expect(error.trace[0]).toBe("ValidationError: field x is required");
  });

  it("reports a thrown string as errorType string with an empty trace", async () => {
    const files = { "index.js": "exports.handler = async () => { throw 'plain failure'; };" };
    expect(errorOf(await invokeOnce(sandbox, files))).toEqual({ errorType: "string", errorMessage: "plain failure", trace: [] });
  });

  it("reports a rejected promise from a plain function", async () => {
    const files = { "index.js": "exports.handler = () => Promise.reject(new SyntaxError('bad input'));" };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect([error.errorType, error.errorMessage, error.trace[0]]).toEqual(["SyntaxError", "bad input", "SyntaxError: bad input"]);
  });

  it("reports an unserialisable (circular) result", async () => {
    const files = { "index.js": "exports.handler = async () => { const a = { name: 'a' }; a.self = a; return a; };" };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorType).toBe("Error");
    expect(error.errorMessage).toBe("Unable to stringify response body");
  });

  it("reports a BigInt result as unserialisable", async () => {
    const files = { "index.js": "exports.handler = async () => ({ n: 10n });" };
    expect(errorOf(await invokeOnce(sandbox, files)).errorMessage).toBe("Unable to stringify response body");
  });
});

describe("INIT errors", () => {
  async function initFailure(files: Record<string, string>, handler = "index.handler") {
    const env = await environmentFor(sandbox, files, { handler });
    expect(env.initError).toBeDefined();
    expect(env.usable).toBe(false);
    const result = await env.invoke("{}");
    expect(result.functionError).toBe("Unhandled");
    expect(result.environmentGone).toBe(true);
    const error = errorOf(result);
    expect(error).toEqual(env.initError);
    env.dispose();
    return error;
  }

  it("Runtime.HandlerNotFound for a missing export", async () => {
    const error = await initFailure({ "index.js": "exports.other = async () => 1;" });
    expect(error.errorType).toBe("Runtime.HandlerNotFound");
    expect(error.errorMessage).toBe("index.handler is undefined or not exported");
  });

  it("Runtime.HandlerNotFound for an export that is not a function", async () => {
    const error = await initFailure({ "index.mjs": "export const handler = { not: 'a function' };" });
    expect(error.errorType).toBe("Runtime.HandlerNotFound");
    expect(error.errorMessage).toBe("index.handler is not a function");
  });

  it("Runtime.ImportModuleError for a missing handler file", async () => {
    const error = await initFailure({ "other.js": "exports.handler = async () => 1;" });
    expect(error.errorType).toBe("Runtime.ImportModuleError");
    expect(error.errorMessage).toMatch(/^Error: Cannot find module 'index'/);
  });

  it("Runtime.ImportModuleError for a missing required module", async () => {
    const error = await initFailure({ "index.js": "const pad = require('left-pad');\nexports.handler = async () => pad('x', 3);" });
    expect(error.errorType).toBe("Runtime.ImportModuleError");
    expect(error.errorMessage).toMatch(/^Error: Cannot find module 'left-pad'/);
  });

  it("Node's ERR_MODULE_NOT_FOUND, unwrapped, for a missing import in ESM", async () => {
    // The runtime interface client wraps only CommonJS's MODULE_NOT_FOUND in Runtime.ImportModuleError.
    const file = await initFailure({ "index.mjs": "import { x } from './missing.mjs';\nexport const handler = async () => x;" });
    expect(file.errorType).toBe("Error");
    expect(file.errorMessage).toBe("Cannot find module '/var/task/missing.mjs' imported from /var/task/index.mjs");
    const pkg = await initFailure({ "index.mjs": "import pad from 'left-pad';\nexport const handler = async () => pad;" });
    expect(pkg.errorType).toBe("Error");
    expect(pkg.errorMessage).toBe("Cannot find package 'left-pad' imported from /var/task/index.mjs");
  });

  it("Runtime.UserCodeSyntaxError for a CommonJS syntax error", async () => {
    const error = await initFailure({ "index.js": "exports.handler = async ( => {;" });
    expect(error.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(error.errorMessage).toMatch(/^SyntaxError: /);
  });

  it("Runtime.UserCodeSyntaxError for an ES module syntax error", async () => {
    const error = await initFailure({ "index.mjs": "export const handler = async () => { return 1 +; };" });
    expect(error.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(error.errorMessage).toMatch(/^SyntaxError: /);
  });

  it("Runtime.MalformedHandlerName for a handler without a dot", async () => {
    const error = await initFailure({ "index.js": "exports.handler = async () => 1;" }, "index");
    expect(error.errorType).toBe("Runtime.MalformedHandlerName");
    expect(error.errorMessage).toBe("Bad handler");
  });

  it("reports an exception thrown by module top-level code", async () => {
    const error = await initFailure({ "index.js": "throw new TypeError('config missing');\nexports.handler = async () => 1;" });
    expect(error.errorType).toBe("TypeError");
    expect(error.errorMessage).toBe("config missing");
    expect(error.trace[0]).toBe("TypeError: config missing");
  });

  it("keeps the INIT logs of a failed INIT", async () => {
    const env = await environmentFor(sandbox, { "index.js": "console.log('starting up');\nthrow new Error('nope');" });
    expect(env.initLogs).toMatch(/\tINFO\tstarting up$/m);
    const result = await env.invoke("{}");
    expect(result.logs).toContain("starting up");
    expect(errorOf(result).errorMessage).toBe("nope");
    env.dispose();
  });
});
