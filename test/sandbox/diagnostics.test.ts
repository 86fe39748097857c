/**
 * What a failing function says, as Lambda's Node.js runtime says it: V8's stack trace API
 * (captureStackTrace, prepareStackTrace and CallSites, stackTraceLimit), syntax errors with their
 * place, the `Invoke Error` log line, source-mapped traces under NODE_OPTIONS=--enable-source-maps,
 * and process.exit ending the environment as Runtime.ExitError.
 */
import { describe, expect, it } from "vitest";
import type { FunctionError, Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, errorOf, expectHealthy, invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";
import { bundleTypeScript } from "./ts-bundle.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

async function initFailure(files: Record<string, string>): Promise<FunctionError> {
  const env = await environmentFor(sandbox, files);
  try {
    expect(env.initError).toBeDefined();
    return env.initError as FunctionError;
  } finally {
    env.dispose();
  }
}

describe("Error.captureStackTrace and CallSites", () => {
  it("writes V8's stack, header and frames, on a plain object and on an error", async () => {
    const files = {
      "index.js": [
        "// The frames below are on the lines after this one.",
        "function capture() { const o = {}; Error.captureStackTrace(o); return o.stack; }",
        "exports.handler = async () => {",
        "  const e = new RangeError('too far'); Error.captureStackTrace(e);",
        "  return { plain: capture(), error: e.stack, descriptor: Object.getOwnPropertyDescriptor(e, 'stack').enumerable, limit: Error.stackTraceLimit };",
        "};",
      ].join("\n"),
    };
    const { plain, error, descriptor, limit } = resultOf(await invokeOnce(sandbox, files)) as {
      plain: string;
      error: string;
      descriptor: boolean;
      limit: number;
    };
    expect(plain.split("\n").slice(0, 3)).toEqual([
      "Error",
      "    at capture (/var/task/index.js:2:59)",
      "    at <anonymous> (/var/task/index.js:5:26)",
    ]);
    expect(error.split("\n").slice(0, 2)).toEqual(["RangeError: too far", "    at <anonymous> (/var/task/index.js:4:63)"]);
    expect(descriptor).toBe(false);
    expect(limit).toBe(10);
  });

  it("leaves out the frames down to constructorOpt, and the trace keeps one header", async () => {
    const files = {
      "index.js": [
        "class HttpError extends Error {",
        "  constructor(status, message) { super(message); this.name = 'HttpError'; this.status = status; Error.captureStackTrace(this, HttpError); }",
        "}",
        "function createError() { return new HttpError(404, 'missing'); }",
        "exports.handler = async () => { throw createError(); };",
      ].join("\n"),
    };
    const error = errorOf(await invokeOnce(sandbox, files));
    expect(error.errorType).toBe("HttpError");
    expect(error.trace.slice(0, 3)).toEqual([
      "HttpError: missing",
      "    at createError (/var/task/index.js:4:46)",
      "    at <anonymous> (/var/task/index.js:5:50)",
    ]);
  });

  it("hands prepareStackTrace V8's CallSites and makes its value the stack", async () => {
    const files = {
      "index.js": [
        "function sites() {",
        "  const prepare = Error.prepareStackTrace;",
        "  Error.prepareStackTrace = (_, callSites) => callSites;",
        "  const holder = {}; Error.captureStackTrace(holder);",
        "  Error.prepareStackTrace = prepare;",
        "  return holder.stack;",
        "}",
        "const describe = (c) => ({ fn: c.getFunctionName(), file: c.getFileName(), line: c.getLineNumber(), column: c.getColumnNumber(),",
        "  native: c.isNative(), top: c.isToplevel(), eval: c.isEval(), ctor: c.isConstructor(), type: c.getTypeName(), method: c.getMethodName(),",
        "  self: c.getThis() === undefined, origin: c.getEvalOrigin() ?? null, text: c.toString() });",
        "exports.handler = async () => {",
        "  const direct = sites().slice(0, 2).map(describe);",
        "  const viaNative = [1].map(function mapper() { return sites(); })[0].slice(0, 3).map(describe);",
        "  const viaEval = eval('sites()').slice(0, 2).map(describe);",
        "  Error.prepareStackTrace = (error, callSites) => error.name + '@' + (callSites.length > 0);",
        "  const custom = new TypeError('x'); Error.captureStackTrace(custom);",
        "  Error.prepareStackTrace = undefined;",
        "  return { direct, viaNative, viaEval, custom: custom.stack };",
        "};",
      ].join("\n"),
    };
    const at = (fn: string | null, file: string | undefined, line: number | null, column: number | null, text: string, extra = {}) => ({
      fn,
      file,
      line,
      column,
      native: false,
      top: fn === null,
      eval: false,
      ctor: false,
      type: null,
      method: null,
      self: true,
      origin: null,
      text,
      ...extra,
    });
    const { direct, viaNative, viaEval, custom } = resultOf(await invokeOnce(sandbox, files)) as Record<string, unknown>;
    expect(direct).toEqual([
      at("sites", "/var/task/index.js", 4, 45, "sites (/var/task/index.js:4:45)"),
      at(null, "/var/task/index.js", 12, 23, "/var/task/index.js:12:23"),
    ]);
    expect(viaNative).toEqual([
      at("sites", "/var/task/index.js", 4, 45, "sites (/var/task/index.js:4:45)"),
      at("mapper", "/var/task/index.js", 13, 49, "mapper (/var/task/index.js:13:49)"),
      at("map", undefined, null, null, "map (native)", { native: true }),
    ]);
    expect(viaEval).toEqual([
      at("sites", "/var/task/index.js", 4, 45, "sites (/var/task/index.js:4:45)"),
      at("eval", undefined, 1, 6, "eval (eval at <anonymous> (/var/task/index.js:14:23), <anonymous>:1:6)", {
        eval: true,
        top: false,
        origin: "eval at <anonymous> (/var/task/index.js:14:23)",
      }),
    ]);
    expect(custom).toBe("TypeError@true");
  });

  it("honours Error.stackTraceLimit", async () => {
    const files = {
      "index.js": [
        "// The frames below are on the lines after this one.",
        "const capture = (limit) => { Error.stackTraceLimit = limit; const o = { name: 'Limited', message: 'm' }; Error.captureStackTrace(o); return o.stack; };",
        "exports.handler = async () => { const out = [capture(1), capture(0)]; Error.stackTraceLimit = 10; return out; };",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual(["Limited: m\n    at capture (/var/task/index.js:2:129)", "Limited: m"]);
  });

  it("gives depd's getStack the caller's file and line (how express, body-parser and http-errors find their callers)", async () => {
    const files = {
      "index.js": [
        "function prepareObjectStackTrace(obj, stack) { return stack; }",
        "function getStack() {",
        "  const limit = Error.stackTraceLimit; const obj = {}; const prep = Error.prepareStackTrace;",
        "  Error.prepareStackTrace = prepareObjectStackTrace; Error.stackTraceLimit = Math.max(10, limit);",
        "  Error.captureStackTrace(obj);",
        "  const stack = obj.stack.slice(1);",
        "  Error.prepareStackTrace = prep; Error.stackTraceLimit = limit;",
        "  return stack;",
        "}",
        "function depd() { const site = getStack()[1]; return [site.getFileName(), site.getLineNumber(), site.getFunctionName()]; }",
        "const atLoad = depd();",
        "exports.handler = async () => ({ atLoad, prepare: typeof Error.prepareStackTrace });",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ atLoad: ["/var/task/index.js", 11, null], prepare: "undefined" });
  });
});

describe("syntax errors say where they are", () => {
  it("a CommonJS handler: Lambda's type and message, with the file, line and column, and Node's frame", async () => {
    const error = await initFailure({ "index.js": "exports.handler = async () => 1;\nconst config = {\n  region us\n};" });
    expect(error).toEqual({
      errorType: "Runtime.UserCodeSyntaxError",
      errorMessage: "SyntaxError: expecting '}' (/var/task/index.js:3:10)",
      trace: ["Runtime.UserCodeSyntaxError: SyntaxError: expecting '}' (/var/task/index.js:3:10)", "    at /var/task/index.js:3:10"],
    });
  });

  it("counts the first line's columns from the file's own text, in CommonJS and ES modules", async () => {
    const cjs = await initFailure({ "index.js": "const a = {b c};" });
    expect(cjs.errorMessage).toBe("SyntaxError: expecting '}' (/var/task/index.js:1:14)");
    expect(cjs.trace[1]).toBe("    at /var/task/index.js:1:14");
    // One the code throws is located by its stack's frame (QuickJS's column: the call's parenthesis).
    const thrown = await initFailure({ "index.js": "throw new SyntaxError('bad config');" });
    expect(thrown.errorMessage).toBe("SyntaxError: bad config (/var/task/index.js:1:22)");
    const esm = await initFailure({ "index.mjs": "const a = {b c};" });
    expect(esm.errorMessage).toBe("SyntaxError: expecting '}' (/var/task/index.mjs:1:14)");
    const shebang = await initFailure({ "index.js": "#!/usr/bin/env node\nconst a = {b c};" });
    expect(shebang.errorMessage).toBe("SyntaxError: expecting '}' (/var/task/index.js:2:14)");
  });

  it("names the required file that does not parse, and an ES module's line", async () => {
    const nested = await initFailure({
      "index.js": "require('./lib/config');\nexports.handler = async () => 1;",
      "lib/config.js": "\n\n  x y",
    });
    expect(nested.trace).toEqual([
      "Runtime.UserCodeSyntaxError: SyntaxError: expecting ';' (/var/task/lib/config.js:3:5)",
      "    at /var/task/lib/config.js:3:5",
    ]);
    const esm = await initFailure({ "index.mjs": "export const handler = async () => {\n  return 1 +;\n};" });
    expect(esm.errorMessage).toBe("SyntaxError: unexpected token in expression: ';' (/var/task/index.mjs:2:13)");
  });

  it("a SyntaxError thrown at load (JSON.parse) is located by its frame", async () => {
    const error = await initFailure({ "index.js": "exports.handler = async () => 1;\nJSON.parse('{');" });
    expect(error.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(error.trace[1]).toBe("    at /var/task/index.js:2:11");
  });
});

describe("the Invoke Error log line", () => {
  const invokeError = (logs: string): Record<string, unknown> => {
    const lines = messagesAt(logs, "ERROR").filter((line) => line.startsWith("Invoke Error \t"));
    expect(lines).toHaveLength(1);
    return JSON.parse((lines[0] as string).slice("Invoke Error \t".length)) as Record<string, unknown>;
  };

  it("logs a thrown error as the runtime interface client does: type, message, enumerable fields, stack lines", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const error = new Error('boom'); error.code = 'E_BOOM'; error.detail = { id: 7 };",
        "  throw error;",
        "};",
      ].join("\n"),
    };
    const result = await invokeOnce(sandbox, files);
    const error = errorOf(result);
    expect(invokeError(result.logs)).toEqual({
      errorType: "Error",
      errorMessage: "boom",
      code: "E_BOOM",
      detail: { id: 7 },
      stack: error.trace,
    });
    expect(error.trace.slice(0, 2)).toEqual(["Error: boom", "    at <anonymous> (/var/task/index.js:2:26)"]);
    // `<timestamp>\t<requestId>\tERROR\tInvoke Error \t{...}`
    const line = result.logs.split("\n").find((l) => l.includes("Invoke Error")) as string;
    expect(line.split("\t").slice(1, 4)).toEqual([result.requestId, "ERROR", "Invoke Error "]);
  });

  it("logs a callback's error and a rejected string as an Error made of it", async () => {
    const viaCallback = await invokeOnce(sandbox, {
      "index.js": "exports.handler = (e, c, callback) => callback(new TypeError('bad input'));",
    });
    expect(invokeError(viaCallback.logs)).toMatchObject({ errorType: "TypeError", errorMessage: "bad input" });
    const rejected = await invokeOnce(sandbox, { "index.js": "exports.handler = async () => { throw 'plain text'; };" });
    expect(JSON.parse(rejected.payload)).toEqual({ errorType: "string", errorMessage: "plain text", trace: [] });
    expect(invokeError(rejected.logs)).toMatchObject({ errorType: "Error", errorMessage: "plain text" });
  });

  it("a successful invocation and a timeout log no Invoke Error; an uncaught exception and a failed INIT log theirs", async () => {
    const ok = await invokeOnce(sandbox, { "index.js": "exports.handler = async () => 1;" });
    expect(messagesAt(ok.logs, "ERROR")).toEqual([]);
    const timeout = await invokeOnce(sandbox, { "index.js": "exports.handler = async () => { for (;;); };" }, {}, { timeoutSeconds: 1 });
    expect(JSON.parse(timeout.payload).errorType).toBe("Sandbox.Timedout");
    expect(messagesAt(timeout.logs, "ERROR")).toEqual([]);
    const uncaught = await invokeOnce(sandbox, {
      "index.js": "exports.handler = () => new Promise(() => setTimeout(() => { throw new Error('late'); }, 1));",
    });
    const [line] = messagesAt(uncaught.logs, "ERROR");
    expect(line?.startsWith("Uncaught Exception \t")).toBe(true);
    expect(JSON.parse((line as string).split("\t")[1] as string)).toMatchObject({ errorType: "Error", errorMessage: "late" });
    const env = await environmentFor(sandbox, { "index.js": "throw new Error('no config');" });
    expect(messagesAt(env.initLogs, "ERROR")[0]).toMatch(
      /^Uncaught Exception \t\{"errorType":"Error","errorMessage":"no config","stack":\["Error: no config",/,
    );
    env.dispose();
  });
});

describe("source maps under NODE_OPTIONS=--enable-source-maps", () => {
  const source = [
    "interface Order { id: string; quantity: number }",
    "",
    "function check(order: Order): void {",
    "  if (order.quantity < 1) {",
    "    throw new RangeError('order ' + order.id + ' has no items');",
    "  }",
    "}",
    "",
    "function where(): string {",
    "  const holder: { stack?: string } = {};",
    "  Error.captureStackTrace(holder);",
    "  return holder.stack?.split('\\n')[1] ?? '';",
    "}",
    "",
    "export const handler = async (event: Order) => {",
    "  console.log(where());",
    "  check(event);",
    "  return 'ok';",
    "};",
  ].join("\n");
  const bundle = (sourcemap: "external" | "inline", minify: boolean) => bundleTypeScript(source, sourcemap, minify);

  it("maps the trace, the Invoke Error line and a captured stack to the TypeScript source", async () => {
    const files = bundle("external", false);
    const mapped = await invokeOnce(sandbox, files, { id: "a1", quantity: 0 }, { environment: { NODE_OPTIONS: "--enable-source-maps" } });
    const error = errorOf(mapped);
    expect(error.trace.slice(0, 3)).toEqual([
      "RangeError: order a1 has no items",
      "    at check (/var/task/src/handler.ts:5:15)",
      "    at handler (/var/task/src/handler.ts:17:3)",
    ]);
    expect(messagesAt(mapped.logs, "INFO")).toEqual(["    at where (/var/task/src/handler.ts:11:9)"]);
    const logged = messagesAt(mapped.logs, "ERROR")[0] as string;
    expect((JSON.parse(logged.split("\t")[1] as string) as { stack: string[] }).stack.slice(0, 2)).toEqual(error.trace.slice(0, 2));

    const plain = errorOf(await invokeOnce(sandbox, files, { id: "a1", quantity: 0 }));
    expect(plain.trace[1]).toMatch(/^ {4}at check \(\/var\/task\/index\.js:\d+:\d+\)$/);
  });

  it("reads an inline map of a minified bundle, whose code is all on the wrapper's first line", async () => {
    const files = bundle("inline", true);
    expect(Object.keys(files)).toEqual(["index.js"]);
    const error = errorOf(
      await invokeOnce(
        sandbox,
        files,
        { id: "b2", quantity: 0 },
        { environment: { NODE_OPTIONS: "--max-old-space-size=100 --enable-source-maps" } },
      ),
    );
    expect(error.trace[1]).toMatch(/^ {4}at \S+ \(\/var\/task\/src\/handler\.ts:5:15\)$/);
  });

  it("a broken map leaves the trace as it is", async () => {
    const files = {
      "index.js": "'use strict';\nexports.handler = async () => { throw new Error('x'); };\n//# sourceMappingURL=index.js.map",
      "index.js.map": "{not json",
    };
    const error = errorOf(await invokeOnce(sandbox, files, {}, { environment: { NODE_OPTIONS: "--enable-source-maps" } }));
    expect(error.trace[1]).toBe("    at <anonymous> (/var/task/index.js:2:48)");
  });
});

describe("process.exit", () => {
  it("ends the invocation as Runtime.ExitError with the exit status, uncatchably, and the environment with it", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  console.log('before');",
        "  try { process.exit(3); } catch { console.log('caught'); } finally { console.log('finally'); }",
        "  console.log('after');",
        "  return 'not reached';",
        "};",
      ].join("\n"),
    };
    const env = await environmentFor(sandbox, files);
    const result = await env.invoke("{}", { requestId: "11111111-2222-3333-4444-555555555555" });
    expect(result.functionError).toBe("Unhandled");
    expect(JSON.parse(result.payload)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: "RequestId: 11111111-2222-3333-4444-555555555555 Error: Runtime exited with error: exit status 3",
      trace: ["Runtime.ExitError: RequestId: 11111111-2222-3333-4444-555555555555 Error: Runtime exited with error: exit status 3"],
    });
    expect(messagesAt(result.logs, "INFO")).toEqual(["before"]);
    expect(messagesAt(result.logs, "ERROR")).toEqual([]);
    expect(result.environmentGone).toBe(true);
    expect(env.usable).toBe(false);
    env.dispose();
    await expectHealthy(sandbox);
  });

  it("exit() without a code takes process.exitCode; status 0 is Lambda's exit without a reason", async () => {
    const withCode = await invokeOnce(sandbox, {
      "index.js": "exports.handler = () => { process.exitCode = 2; setTimeout(() => process.exit(), 1); };",
    });
    expect(JSON.parse(withCode.payload).errorMessage).toMatch(/ Error: Runtime exited with error: exit status 2$/);
    const zero = await invokeOnce(sandbox, { "index.js": "exports.handler = async () => process.exit(0);" });
    expect(JSON.parse(zero.payload).errorMessage).toMatch(/^RequestId: \S+ Error: Runtime exited without providing a reason$/);
    expect(zero.environmentGone).toBe(true);
  });

  it("at INIT, fails the INIT with Runtime.ExitError", async () => {
    const error = await initFailure({ "index.js": "if (!process.env.TABLE) process.exit(1);\nexports.handler = async () => 1;" });
    expect(error.errorType).toBe("Runtime.ExitError");
    expect(error.errorMessage).toBe("RequestId: undefined Error: Runtime exited with error: exit status 1");
  });
});
