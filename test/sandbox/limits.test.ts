/** Lambda's quotas as the sandbox enforces them: timeout, memory, stack, payload sizes, configuration. */
import { describe, expect, it } from "vitest";
import {
  EVENT_PAYLOAD_MAX_BYTES,
  PayloadTooLargeError,
  RESPONSE_MAX_BYTES,
  type Sandbox,
  SYNC_PAYLOAD_MAX_BYTES,
} from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { environmentFor, errorOf, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

describe("timeout", () => {
  it("stops a busy loop at the deadline and ends the environment", async () => {
    const env = await environmentFor(sandbox, { "index.js": "exports.handler = async () => { while (true) {} };" }, { timeoutSeconds: 1 });
    const started = Date.now();
    const result = await env.invoke("{}", { requestId: "req-spin" });
    const elapsed = Date.now() - started;
    const error = errorOf(result);
    expect(error.errorType).toBe("Sandbox.Timedout");
    expect(error.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(error.errorMessage).toBe("RequestId: req-spin Error: Task timed out after 1.00 seconds");
    expect(result.environmentGone).toBe(true);
    expect(env.usable).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
  });

  it("times out a never-settling promise while an interval keeps the loop alive", async () => {
    const files = { "index.js": "exports.handler = async () => { setInterval(() => {}, 50); await new Promise(() => {}); };" };
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 1 });
    const started = Date.now();
    const result = await env.invoke("{}");
    expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
    expect(result.environmentGone).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("answers null at once for a never-settling promise when the event loop is empty", async () => {
    // A plain (non-async) function: the runtime answers null once the event loop has nothing left.
    const files = { "index.js": "exports.handler = () => new Promise(() => {});" };
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 5 });
    const started = Date.now();
    const result = await env.invoke("{}");
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBe("null");
    expect(result.environmentGone).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    env.dispose();
  });

  it("times out a slow timer-driven handler and reports the configured timeout", async () => {
    const files = { "index.js": "exports.handler = () => new Promise((resolve) => setTimeout(() => resolve('late'), 5000));" };
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 2 });
    const started = Date.now();
    const error = errorOf(await env.invoke("{}"));
    expect(error.errorType).toBe("Sandbox.Timedout");
    expect(error.errorMessage).toMatch(/Task timed out after 2\.00 seconds$/);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe("memory", () => {
  it("ends a memory bomb with Runtime.OutOfMemory", async () => {
    const files = { "index.js": "exports.handler = async () => { const a = []; while (true) a.push('x'.repeat(1024) + a.length); };" };
    const env = await environmentFor(sandbox, files, { memorySizeMB: 128, timeoutSeconds: 10 });
    const result = await env.invoke("{}", { requestId: "req-oom" });
    const error = errorOf(result);
    expect(error.errorType).toBe("Runtime.OutOfMemory");
    expect(error.errorMessage).toBe("RequestId: req-oom Error: Runtime exited with error: signal: killed");
    expect(result.environmentGone).toBe(true);
    expect(env.usable).toBe(false);
  });

  it("ends a memory bomb that catches the out-of-memory error", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const a = [];",
        "  try { while (true) a.push(new Array(1024).fill(a.length)); } catch (e) { a.length = 0; return 'survived: ' + e.message; }",
        "};",
      ].join("\n"),
    };
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 10 });
    const result = await env.invoke("{}");
    expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
    expect(result.environmentGone).toBe(true);
  });

  // Allocation shapes a careless handler uses; each keeps what it made until it runs out.
  const shapes: Record<string, string> = {
    "100 MB strings": "k.push('x'.repeat(1e8) + k.length)",
    "1 MB strings": "k.push('y'.repeat(1024 * 1024) + k.length)",
    Float64Arrays: "k.push(new Float64Array(131072))",
    "arrays of numbers": "k.push(Array.from({ length: 65536 }, (_, i) => i + 0.5))",
    // Bytes the host writes into the guest's heap, whose allocation is refused there too.
    "4 MB of randomBytes": "k.push(require('node:crypto').randomBytes(4 << 20))",
  };
  for (const memorySizeMB of [128, 512]) {
    for (const [shape, keep] of Object.entries(shapes)) {
      it(`holds ${memorySizeMB} MB against ${shape}: Runtime.OutOfMemory near the limit, never past it`, async () => {
        const files = { "index.js": `const k = []; exports.handler = async () => { for (;;) ${keep}; };` };
        const env = await environmentFor(sandbox, files, { memorySizeMB, timeoutSeconds: 30 });
        const result = await env.invoke("{}");
        expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
        expect(result.environmentGone).toBe(true);
        const limit = memorySizeMB * 1024 * 1024;
        expect(env.peakMemoryBytes).toBeLessThanOrEqual(limit);
        // A 100 MB string cannot land in the last 100 MB; the other shapes fill it.
        expect(env.peakMemoryBytes).toBeGreaterThan(shape === "100 MB strings" ? limit - 3e8 : limit * 0.8);
      });
    }
  }

  it("lets a larger memory size hold more", async () => {
    const files = { "index.js": "exports.handler = async (e) => { const s = 'y'.repeat(e.mb * 1024 * 1024); return s.length; };" };
    const small = await environmentFor(sandbox, files, { memorySizeMB: 128, timeoutSeconds: 10 });
    expect(errorOf(await small.invoke('{"mb":200}')).errorType).toBe("Runtime.OutOfMemory");
    const large = await environmentFor(sandbox, files, { memorySizeMB: 512, timeoutSeconds: 10 });
    expect(resultOf(await large.invoke('{"mb":200}'))).toBe(200 * 1024 * 1024);
    large.dispose();
  });
});

describe("engine hygiene", () => {
  it("frees an environment cleanly after its heap grew inside a promise job", async () => {
    // quickjs-emscripten#240: growing wasm memory inside a promise job used to leak a context, and
    // freeing the runtime then aborted the WebAssembly module (reported on the worker's stderr).
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      const files = {
        "index.js":
          "exports.handler = async (e) => { await null; const a = []; for (let i = 0; i < e.n; i++) a.push({ i }); return 'x'.repeat(e.n * 20); };",
      };
      const env = await environmentFor(sandbox, files, { timeoutSeconds: 10 });
      expect((await env.invoke('{"n":200000}')).payload.length).toBe(4_000_002);
      env.dispose();
      // The worker handles messages in order: once another environment has answered, the disposal is done.
      const other = await environmentFor(sandbox, { "index.js": "exports.handler = async () => 'next';" });
      expect(resultOf(await other.invoke("{}"))).toBe("next");
      other.dispose();
    } finally {
      process.stderr.write = write;
    }
    expect(written.filter((text) => text.includes("Aborted("))).toEqual([]);
  });
});

describe("stack", () => {
  it("turns unbounded recursion into a catchable RangeError and keeps the environment", async () => {
    const files = {
      "index.js": [
        "function f() { return f() + 1; }",
        "exports.handler = async (e) => {",
        "  if (e.mode === 'catch') { try { f(); } catch (err) { return { caught: err instanceof Error, after: f.name + ' ok' }; } }",
        "  if (e.mode === 'throw') return f();",
        "  return 'still alive';",
        "};",
      ].join("\n"),
    };
    const env = await environmentFor(sandbox, files);
    const caught = resultOf(await env.invoke('{"mode":"catch"}'));
    expect(caught).toEqual({ caught: true, after: "f ok" });
    const thrown = await env.invoke('{"mode":"throw"}');
    const error = errorOf(thrown);
    expect(error.errorType).toBe("RangeError");
    expect(error.errorMessage).toBe("Maximum call stack size exceeded");
    expect(error.trace[0]).toBe("RangeError: Maximum call stack size exceeded");
    expect(thrown.environmentGone).toBe(false);
    expect(env.usable).toBe(true);
    expect(resultOf(await env.invoke("{}"))).toBe("still alive");
    env.dispose();
  });
});

describe("payload sizes", () => {
  it("refuses a 50 MB response with Function.ResponseSizeTooLarge", async () => {
    const files = { "index.js": "exports.handler = async (e) => e.small ? 'ok' : 'x'.repeat(50 * 1024 * 1024);" };
    // The string, its JSON and the copy read out of the guest do not fit in 128 MB, as in Lambda.
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 10, memorySizeMB: 512 });
    const result = await env.invoke("{}");
    const error = errorOf(result);
    expect(error.errorType).toBe("Function.ResponseSizeTooLarge");
    expect(error.errorMessage).toMatch(/^Response payload size \(\d+ bytes\) exceeded maximum allowed payload size \(6291556 bytes\)\.$/);
    const bytes = Number(/\((\d+) bytes\)/.exec(error.errorMessage)?.[1]);
    expect(bytes).toBeGreaterThan(RESPONSE_MAX_BYTES);
    // An oversized response is the function's error, not the environment's end.
    expect(result.environmentGone).toBe(false);
    expect(resultOf(await env.invoke('{"small":true}'))).toBe("ok");
    env.dispose();
  });

  it("accepts a response just under the limit and refuses one just over it", async () => {
    // JSON adds the two quotes around a string result.
    const files = { "index.js": "exports.handler = async (e) => 'z'.repeat(e.n);" };
    const env = await environmentFor(sandbox, files, { timeoutSeconds: 10 });
    const fits = await env.invoke(JSON.stringify({ n: RESPONSE_MAX_BYTES - 2 }));
    expect(fits.functionError).toBeUndefined();
    expect(fits.payload.length).toBe(RESPONSE_MAX_BYTES);
    const over = errorOf(await env.invoke(JSON.stringify({ n: RESPONSE_MAX_BYTES - 1 })));
    expect(over.errorType).toBe("Function.ResponseSizeTooLarge");
    expect(over.errorMessage).toContain(`(${RESPONSE_MAX_BYTES + 1} bytes)`);
    env.dispose();
  });

  it("rejects request payloads over 6 MB (RequestResponse) and 1 MB (Event)", async () => {
    const env = await environmentFor(sandbox, { "index.js": "exports.handler = async (e) => e.data.length;" }, { timeoutSeconds: 10 });
    const payload = (bytes: number) => {
      const skeleton = JSON.stringify({ data: "" });
      return JSON.stringify({ data: "a".repeat(bytes - skeleton.length) });
    };
    const sync = env.invoke(payload(SYNC_PAYLOAD_MAX_BYTES + 1));
    await expect(sync).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(sync).rejects.toMatchObject({ bytes: SYNC_PAYLOAD_MAX_BYTES + 1, limit: SYNC_PAYLOAD_MAX_BYTES });
    const event = env.invoke(payload(EVENT_PAYLOAD_MAX_BYTES + 1), { invocationType: "Event" });
    await expect(event).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(event).rejects.toMatchObject({ bytes: EVENT_PAYLOAD_MAX_BYTES + 1, limit: EVENT_PAYLOAD_MAX_BYTES });
    // A 2 MB payload is too large for Event, fine for RequestResponse.
    await expect(env.invoke(payload(2 * 1024 * 1024), { invocationType: "Event" })).rejects.toThrow(PayloadTooLargeError);
    expect(resultOf(await env.invoke(payload(2 * 1024 * 1024)))).toBe(2 * 1024 * 1024 - 11);
    // Exactly at the limit is allowed.
    expect(resultOf(await env.invoke(payload(EVENT_PAYLOAD_MAX_BYTES), { invocationType: "Event" }))).toBe(EVENT_PAYLOAD_MAX_BYTES - 11);
    // A refused request does not touch the environment.
    expect(env.usable).toBe(true);
    expect(env.busy).toBe(false);
    env.dispose();
  });

  it("counts payload bytes, not characters", async () => {
    const env = await environmentFor(sandbox, { "index.js": "exports.handler = async (e) => e.s.length;" });
    // 'é' is two bytes in UTF-8: 600k of them are 1.2 MB though only 600k characters.
    const event = JSON.stringify({ s: "é".repeat(600_000) });
    expect(event.length).toBeLessThan(EVENT_PAYLOAD_MAX_BYTES);
    await expect(env.invoke(event, { invocationType: "Event" })).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(resultOf(await env.invoke(event))).toBe(600_000);
    env.dispose();
  });
});

describe("configuration", () => {
  const codeDir = () => writePackage({ "index.js": "exports.handler = async () => 1;" });

  it("rejects memory sizes outside 128–10240 MB", async () => {
    await expect(sandbox.createEnvironment(configFor(codeDir(), { memorySizeMB: 64 }))).rejects.toThrow(RangeError);
    await expect(sandbox.createEnvironment(configFor(codeDir(), { memorySizeMB: 10241 }))).rejects.toThrow(
      "memorySizeMB must be between 128 and 10240",
    );
    await expect(sandbox.createEnvironment(configFor(codeDir(), { memorySizeMB: Number.NaN }))).rejects.toThrow(RangeError);
  });

  it("rejects timeouts outside 1–900 seconds", async () => {
    await expect(sandbox.createEnvironment(configFor(codeDir(), { timeoutSeconds: 0 }))).rejects.toThrow(RangeError);
    await expect(sandbox.createEnvironment(configFor(codeDir(), { timeoutSeconds: 901 }))).rejects.toThrow(
      "timeoutSeconds must be between 1 and 900",
    );
  });
});
