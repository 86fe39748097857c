/**
 * Handlers that attack the sandbox: runaway CPU, memory and output, escapes to the host, and a
 * hard kill. After every case a brand-new environment of a normal function must still answer.
 */
import { symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { environmentFor, errorOf, expectHealthy, HELLO, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});
afterEach(async () => {
  await expectHealthy(sandbox);
});

describe("runaway handlers", () => {
  it("while (true) {} times out", async () => {
    const started = Date.now();
    const result = await invokeOnce(sandbox, { "index.js": "exports.handler = () => { for (;;) {} };" }, {}, { timeoutSeconds: 1 });
    expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
    expect(result.environmentGone).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("a loop in a promise job (after an await) times out the same way", async () => {
    const files = { "index.js": "exports.handler = async () => { await null; for (;;) {} };" };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 1 });
    expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
    expect(result.environmentGone).toBe(true);
  });

  it("a memory bomb runs out of memory", async () => {
    const files = { "index.js": "exports.handler = async () => { const a = []; for (;;) a.push({ n: a.length, s: 'm' + a.length }); };" };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 10 });
    expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
    expect(result.environmentGone).toBe(true);
  });

  it("a memory bomb in INIT fails the INIT", async () => {
    const env = await environmentFor(
      sandbox,
      { "index.js": "const a = []; for (;;) a.push('i'.repeat(64) + a.length);\nexports.handler = async () => 1;" },
      { timeoutSeconds: 10 },
    );
    expect(env.initError?.errorType).toBe("Runtime.OutOfMemory");
    expect(env.usable).toBe(false);
    const result = await env.invoke("{}");
    expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
  });

  it("deep recursion is a catchable error, not a crash", async () => {
    const result = await invokeOnce(sandbox, { "index.js": "function f() { return f() + 1; }\nexports.handler = async () => f();" });
    expect(errorOf(result).errorType).toBe("RangeError");
    expect(result.environmentGone).toBe(false);
  });

  it("deep recursion through JSON.stringify of a deeply nested result", async () => {
    const files = { "index.js": "exports.handler = async () => { let o = {}; for (let i = 0; i < 2e5; i++) o = { o }; return o; };" };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 10 });
    const error = errorOf(result);
    expect([error.errorType, error.errorMessage]).toEqual(["Error", "Unable to stringify response body"]);
    expect(result.environmentGone).toBe(false);
  });

  it("deeply nested source is a SyntaxError, not a host stack overflow", async () => {
    const files = {
      "index.js": [
        "const attempt = (source) => { try { eval(source); return 'parsed'; } catch (e) { return e.name; } };",
        "exports.handler = async () => [attempt('('.repeat(1e5) + '1' + ')'.repeat(1e5)), attempt('({a:'.repeat(1e5) + '1' + '})'.repeat(1e5)),",
        "  attempt('['.repeat(1e5) + ']'.repeat(1e5))];",
      ].join("\n"),
    };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 10 });
    expect(resultOf(result)).toEqual(["SyntaxError", "SyntaxError", "SyntaxError"]);
    expect(result.environmentGone).toBe(false);
  });

  it("a deeply nested handler file fails INIT with Runtime.UserCodeSyntaxError", async () => {
    const env = await environmentFor(sandbox, {
      "index.js": `exports.handler = async () => ${"[".repeat(100_000)}${"]".repeat(100_000)};`,
    });
    expect(env.initError?.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(env.initError?.errorMessage).toMatch(/^SyntaxError: stack overflow \(\/var\/task\/index.js:1:\d+\)$/);
    env.dispose();
  });

  it("a 50 MB string result is refused", async () => {
    const result = await invokeOnce(
      sandbox,
      { "index.js": "exports.handler = async () => 'r'.repeat(50 * 1024 * 1024);" },
      {},
      // The string, its JSON and the copy read out of the guest do not fit in 128 MB.
      { timeoutSeconds: 10, memorySizeMB: 512 },
    );
    expect(errorOf(result).errorType).toBe("Function.ResponseSizeTooLarge");
  });

  it("a promise that never settles, with an interval keeping the loop busy, times out", async () => {
    const files = { "index.js": "exports.handler = async () => { setInterval(() => {}, 10); return new Promise(() => {}); };" };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 1 });
    expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
  });

  it("console spam keeps the log bounded, with a marker for what was dropped", async () => {
    const files = { "index.js": "exports.handler = () => { const line = 'x'.repeat(100); for (;;) console.log(line); };" };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 1 });
    expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
    expect(result.logs.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(result.logs.length).toBeGreaterThan(1024 * 1024);
    expect(result.logs).toMatch(/^\[isolambda\] \d+ characters of log output dropped$/m);
  });

  it("200k log lines of 100 characters from a handler that finishes", async () => {
    const files = {
      "index.js":
        "exports.handler = async () => { const line = 'y'.repeat(100); for (let i = 0; i < 200000; i++) console.log(line); return 'done'; };",
    };
    const result = await invokeOnce(sandbox, files, {}, { timeoutSeconds: 30 });
    expect(resultOf(result)).toBe("done");
    expect(result.logs.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(result.logs).toContain("[isolambda]");
    // The tail of the output is kept: the last line is complete.
    expect(result.logs.endsWith(`\tINFO\t${"y".repeat(100)}\n`)).toBe(true);
  });

  it("an uncaught exception in a timer fails the invocation and ends the environment", async () => {
    const files = {
      "index.js":
        "exports.handler = (e, context, callback) => { setTimeout(() => { throw new TypeError('from timer'); }, 1); callback(null, 'ok'); };",
    };
    const result = await invokeOnce(sandbox, files);
    const error = errorOf(result);
    expect([error.errorType, error.errorMessage]).toEqual(["TypeError", "from timer"]);
    expect(result.environmentGone).toBe(true);
  });
});

describe("reaching for the host", () => {
  it("the Function constructor only sees the sandbox's own process", async () => {
    const files = {
      "index.js": [
        "const topLevel = this.constructor.constructor('return process')();",
        "exports.handler = async function () {",
        "  const viaThis = topLevel;",
        "  const viaFunction = Function('return globalThis.process')();",
        "  const viaModule = module.constructor.constructor('return this')();",
        "  return {",
        "    same: viaThis === process && viaFunction === process,",
        "    binding: typeof viaThis.binding, dlopen: typeof viaThis.dlopen, mainModule: typeof viaThis.mainModule,",
        "    kill: typeof viaThis.kill, exit: typeof viaThis.exit, pid: viaThis.pid, cwd: viaThis.cwd(),",
        "    globalRequire: typeof viaModule.require, hostProcess: typeof viaModule.process?.binding,",
        "  };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      same: true,
      binding: "undefined",
      dlopen: "undefined",
      mainModule: "undefined",
      kill: "undefined",
      exit: "function",
      pid: 1,
      cwd: "/var/task",
      globalRequire: "undefined",
      hostProcess: "undefined",
    });
  });

  it("host built-ins like child_process are not available", async () => {
    const files = {
      "index.js": [
        "const attempt = (name) => { try { require(name); return 'loaded'; } catch (e) { return { message: e.message, code: e.code }; } };",
        "exports.handler = async () => ({ child: attempt('child_process'), nodeChild: attempt('node:child_process'),",
        "  vm: attempt('vm'), cluster: attempt('cluster') });",
      ].join("\n"),
    };
    const out = resultOf(await invokeOnce(sandbox, files)) as Record<string, { message: string; code: string }>;
    // net, tls, http2, dgram and worker_threads load without sockets or threads (node-builtins.test.ts): using them throws.
    for (const name of ["child", "nodeChild", "vm", "cluster"]) {
      expect(out[name]?.message).toContain("not available in isolambda");
      expect(out[name]?.code).toBe("ERR_UNKNOWN_BUILTIN_MODULE");
    }
    expect(out.child?.message).toBe('Module "node:child_process" is not available in isolambda');
  });

  it("fs reaches no host file, however the path is spelled", async () => {
    const env = await environmentFor(sandbox, {
      "index.mjs": [
        "import { readFileSync, existsSync } from 'node:fs';",
        "const attempt = (path) => { try { return readFileSync(path, 'utf8'); } catch (e) { return e.code; } };",
        "export const handler = async () => ['/etc/passwd', '/proc/self/environ', '/var/task/../../etc/passwd', '../../etc/passwd',",
        "  '/tmp/../etc/hostname', 'file:///etc/passwd'].map((p) => [attempt(p), existsSync(p)]);",
      ].join("\n"),
    });
    const result = await env.invoke("{}");
    expect(result.payload).not.toContain("root:");
    expect(resultOf(result)).toEqual(Array.from({ length: 6 }, () => ["ENOENT", false]));
    env.dispose();
  });

  it("require cannot leave the package through relative or absolute paths", async () => {
    const files = {
      "index.js": [
        "const attempt = (name) => { try { require(name); return 'loaded'; } catch (e) { return e.code + ': ' + e.message; } };",
        "exports.handler = async () => [attempt('../../../etc/passwd'), attempt('/etc/passwd'), attempt('../../../../../../etc/hostname'),",
        "  attempt('/var/task/../../../etc/passwd')];",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual([
      "MODULE_NOT_FOUND: Cannot find module '../../../etc/passwd'",
      "MODULE_NOT_FOUND: Cannot find module '/etc/passwd'",
      "MODULE_NOT_FOUND: Cannot find module '../../../../../../etc/hostname'",
      "MODULE_NOT_FOUND: Cannot find module '/var/task/../../../etc/passwd'",
    ]);
  });

  it("a symlink in the package cannot lead out of it", async () => {
    const codeDir = writePackage({
      "index.js": [
        "const attempt = (name) => { try { return require(name); } catch (e) { return e.code; } };",
        "exports.handler = async () => ({ file: attempt('./escape.json'), dir: attempt('./outside/secret.json') });",
      ].join("\n"),
    });
    const outside = writePackage({ "secret.json": JSON.stringify({ secret: "host data" }) });
    symlinkSync(path.join(outside, "secret.json"), path.join(codeDir, "escape.json"));
    symlinkSync(outside, path.join(codeDir, "outside"));
    const env = await sandbox.createEnvironment(configFor(codeDir));
    expect(resultOf(await env.invoke("{}"))).toEqual({ file: "MODULE_NOT_FOUND", dir: "MODULE_NOT_FOUND" });
    env.dispose();
  });

  it("a handler path with .. is refused", async () => {
    for (const handler of ["../index.handler", "lib/../../index.handler", "index..handler"]) {
      const env = await environmentFor(sandbox, HELLO, { handler });
      const message = `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`;
      expect(env.initError?.errorType).toBe("Runtime.MalformedHandlerName");
      expect(env.initError?.errorMessage).toBe(message);
      expect(env.initError?.trace[0]).toBe(`Runtime.MalformedHandlerName: ${message}`);
      env.dispose();
    }
  });

  it("prototype pollution through the event stays inside the environment", async () => {
    const files = {
      "index.js": [
        "exports.handler = async (event) => {",
        "  event.__proto__.polluted = 'event';",
        "  Object.prototype.isAdmin = true;",
        "  Array.prototype.map = () => 'hijacked';",
        "  JSON.stringify = () => '\"hijacked\"';",
        "  return { polluted: ({}).polluted, admin: ({}).isAdmin };",
        "};",
      ].join("\n"),
    };
    const event = JSON.parse('{"__proto__": {"fromJson": 1}, "x": 1}') as Record<string, unknown>;
    const result = await invokeOnce(sandbox, files, event);
    // The handler replaced the JSON.stringify its own answer goes through (as in Node), nothing else.
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBe('"hijacked"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).fromJson).toBeUndefined();
    expect([1, 2].map((n) => n * 2)).toEqual([2, 4]);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  });

  it("overwriting the guest's own globals does not break the runtime's answer", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  globalThis.Promise = function FakePromise() {};",
        "  globalThis.Error = function () { return {}; };",
        "  console.log = () => { throw new Error('no logging'); };",
        "  return { ok: true };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ ok: true });
  });
});

describe("hard kill", () => {
  let server: Server;
  let url: string;
  let entered: () => void = () => {};

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.end("go");
      entered();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("killing the executor mid-invocation fails that invocation and its idle neighbours, then recovers", async () => {
    const busy = await environmentFor(
      sandbox,
      { "index.js": "exports.handler = async (e) => { await (await fetch(e.url)).text(); for (;;) {} };" },
      { timeoutSeconds: 10 },
    );
    const idle = await environmentFor(sandbox, HELLO);
    expect(resultOf(await idle.invoke("{}"))).toEqual({ hello: "world" });
    const running = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const started = Date.now();
    const pending = busy.invoke(JSON.stringify({ url }), { requestId: "req-killed" });
    await running;
    sandbox.killExecutor(0, "test kill");
    const result = await pending;
    const error = errorOf(result);
    expect(error.errorType).toBe("Runtime.ExitError");
    expect(error.errorMessage).toBe("RequestId: req-killed Error: Runtime exited: test kill");
    expect(result.environmentGone).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(busy.usable).toBe(false);
    expect(idle.usable).toBe(false);
    const late = await idle.invoke("{}");
    expect(errorOf(late).errorType).toBe("Runtime.ExitError");
    expect(late.environmentGone).toBe(true);
    busy.dispose();
    idle.dispose();
    const fresh = await environmentFor(sandbox, HELLO);
    expect(fresh.usable).toBe(true);
    expect(resultOf(await fresh.invoke('{"name":"after kill"}'))).toEqual({ hello: "after kill" });
    fresh.dispose();
  });
});
