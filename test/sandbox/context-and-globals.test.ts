/** The handler's context object, the INIT/invoke lifecycle, and the Node.js globals a handler relies on. */
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { environmentFor, errorOf, invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";
import { runInNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const ISO = String.raw`\d{4}-\d\d-\d\dT[\d:.]+Z`;

describe("context", () => {
  const files = {
    "index.js": [
      "exports.handler = async (event, context) => {",
      "  const first = context.getRemainingTimeInMillis();",
      "  await new Promise((resolve) => setTimeout(resolve, 30));",
      "  const second = context.getRemainingTimeInMillis();",
      "  const { getRemainingTimeInMillis, succeed, fail, done, ...rest } = context;",
      "  return { ...rest, first, second, memoryType: typeof context.memoryLimitInMB,",
      "    legacy: [typeof succeed, typeof fail, typeof done], streamEnv: process.env.AWS_LAMBDA_LOG_STREAM_NAME };",
      "};",
    ].join("\n"),
  };

  it("describes the function and the invocation", async () => {
    const env = await environmentFor(sandbox, files, { functionName: "orders-api", timeoutSeconds: 5 });
    const requestId = "11111111-2222-4333-8444-555555555555";
    const ctx = resultOf(await env.invoke("{}", { requestId })) as Record<string, unknown>;
    expect(ctx.functionName).toBe("orders-api");
    expect(ctx.functionVersion).toBe("$LATEST");
    expect(ctx.invokedFunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:orders-api");
    expect(ctx.memoryLimitInMB).toBe("128");
    expect(ctx.memoryType).toBe("string");
    expect(ctx.awsRequestId).toBe(requestId);
    expect(ctx.logGroupName).toBe("/aws/lambda/orders-api");
    expect(ctx.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(ctx.logStreamName).toBe(ctx.streamEnv);
    expect(ctx.callbackWaitsForEmptyEventLoop).toBe(true);
    expect(ctx.legacy).toEqual(["function", "function", "function"]);
    const first = ctx.first as number;
    const second = ctx.second as number;
    expect(first).toBeLessThanOrEqual(5000);
    expect(first).toBeGreaterThan(3000);
    expect(second).toBeLessThan(first);
    expect(first - second).toBeGreaterThanOrEqual(25);
    env.dispose();
  });

  it("passes the invoked ARN, client context and identity through", async () => {
    const env = await environmentFor(sandbox, files, { functionName: "orders-api", functionVersion: "7" });
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:orders-api:live";
    const clientContext = { client: { installation_id: "abc" }, custom: { tenant: "t1" }, env: { locale: "fr" } };
    const identity = { cognitoIdentityId: "id-1", cognitoIdentityPoolId: "pool-1" };
    const first = resultOf(await env.invoke("{}", { invokedFunctionArn: arn, clientContext, identity })) as Record<string, unknown>;
    expect(first.invokedFunctionArn).toBe(arn);
    expect(first.functionVersion).toBe("7");
    expect(first.clientContext).toEqual(clientContext);
    expect(first.identity).toEqual(identity);
    expect(first.logStreamName).toMatch(/\/\[7\][0-9a-f]{32}$/);
    // Nothing leaks into the next invocation of the same environment.
    const second = resultOf(await env.invoke("{}")) as Record<string, unknown>;
    expect(second.invokedFunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:orders-api");
    expect(second.clientContext).toBeUndefined();
    expect(second.identity).toBeUndefined();
    expect(second.awsRequestId).not.toBe(first.awsRequestId);
    expect(second.logStreamName).toBe(first.logStreamName);
    env.dispose();
  });

  it("generates a request id when none is given", async () => {
    const result = await invokeOnce(sandbox, { "index.js": "exports.handler = async (e, context) => context.awsRequestId;" });
    expect(resultOf(result)).toBe(result.requestId);
    expect(result.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("the event", () => {
  const files = { "index.js": "exports.handler = async (event) => ({ event, size: JSON.stringify(event).length });" };

  it("reaches the handler whole, however long, whatever its characters and newlines", async () => {
    const env = await environmentFor(sandbox, files);
    try {
      // Within the executor's kept block (which grows up to 8 KB) and past it, on one environment.
      for (const size of [10, 2_000, 9_000, 300_000, 20, 300_000, 2_500]) {
        const text = 'ünïcødé ✓ 🚀 "quoted" \\ '.repeat(Math.ceil(size / 24)).slice(0, size);
        const event = { text, lines: ["a", "b"] };
        const wire = JSON.stringify(event, null, 2);
        expect(wire).toContain("\n");
        const result = resultOf(await env.invoke(wire)) as { event: unknown; size: number };
        expect(result.event).toEqual(event);
        expect(result.size).toBe(JSON.stringify(event).length);
      }
    } finally {
      env.dispose();
    }
  });
});

describe("callbackWaitsForEmptyEventLoop", () => {
  const files = {
    "index.js": [
      "globalThis.fired = 0;",
      "exports.handler = (event, context, callback) => {",
      "  if (event.mode === 'count') return callback(null, { fired: globalThis.fired });",
      "  if (event.mode === 'noWait') context.callbackWaitsForEmptyEventLoop = false;",
      "  setTimeout(() => { globalThis.fired += 1; console.log('timer fired'); }, 50);",
      "  if (event.mode === 'succeed') return context.succeed({ fired: globalThis.fired });",
      "  if (event.mode === 'error') return callback(new Error('early failure'));",
      "  callback(null, { fired: globalThis.fired });",
      "};",
    ].join("\n"),
  };

  it("waits, by default, for a pending timer before answering", async () => {
    const env = await environmentFor(sandbox, files);
    const result = await env.invoke('{"mode":"wait"}');
    expect(resultOf(result)).toEqual({ fired: 0 });
    expect(messagesAt(result.logs, "INFO")).toEqual(["timer fired"]);
    expect(result.durationMs).toBeGreaterThanOrEqual(40);
    expect(resultOf(await env.invoke('{"mode":"count"}'))).toEqual({ fired: 1 });
    env.dispose();
  });

  it("answers at once when false; the frozen timer runs during the next invocation", async () => {
    const env = await environmentFor(sandbox, files);
    const first = await env.invoke('{"mode":"noWait"}', { requestId: "req-first" });
    expect(resultOf(first)).toEqual({ fired: 0 });
    expect(first.logs).not.toContain("timer fired");
    // The next invocation waits for its own empty loop, so the leftover timer fires inside it.
    const second = await env.invoke('{"mode":"count"}', { requestId: "req-second" });
    expect(resultOf(second)).toEqual({ fired: 0 });
    expect(second.logs).toMatch(new RegExp(`^${ISO}\\treq-second\\tINFO\\ttimer fired$`, "m"));
    expect(resultOf(await env.invoke('{"mode":"count"}'))).toEqual({ fired: 1 });
    env.dispose();
  });

  it("does not wait for the loop with the legacy context.succeed", async () => {
    const env = await environmentFor(sandbox, files);
    const first = await env.invoke('{"mode":"succeed"}');
    expect(resultOf(first)).toEqual({ fired: 0 });
    expect(first.logs).not.toContain("timer fired");
    env.dispose();
  });

  it("reports callback(error) at once, without waiting for the loop", async () => {
    const env = await environmentFor(sandbox, files);
    const first = await env.invoke('{"mode":"error"}');
    expect(errorOf(first).errorMessage).toBe("early failure");
    expect(first.logs).not.toContain("timer fired");
    env.dispose();
  });
});

describe("INIT once per environment", () => {
  const files = {
    "index.js": [
      "globalThis.inits = (globalThis.inits ?? 0) + 1;",
      "let invocations = 0;",
      "exports.handler = async (event) => {",
      "  invocations += 1;",
      "  if (event.pollute) { Object.prototype.polluted = 1; event.__proto__.viaEvent = 'yes'; Array.prototype.extra = 2; }",
      "  return { inits: globalThis.inits, invocations, polluted: ({}).polluted ?? null, viaEvent: ({}).viaEvent ?? null,",
      "    extra: [].extra ?? null };",
      "};",
    ].join("\n"),
  };

  it("runs module code once and keeps globals across warm invocations", async () => {
    const env = await environmentFor(sandbox, files);
    expect(env.initDurationMs).toBeGreaterThan(0);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(resultOf(await env.invoke("{}")));
    expect(results.map((r) => (r as { inits: number }).inits)).toEqual([1, 1, 1]);
    expect(results.map((r) => (r as { invocations: number }).invocations)).toEqual([1, 2, 3]);
    env.dispose();
  });

  it("gives each environment fresh globals, even for the same version, and never touches the host", async () => {
    const codeDir = writePackage(files);
    const config = configFor(codeDir, { versionKey: "shared-version" });
    const a = await sandbox.createEnvironment(config);
    const b = await sandbox.createEnvironment(config);
    expect(resultOf(await a.invoke('{"pollute":true}'))).toEqual({ inits: 1, invocations: 1, polluted: 1, viaEvent: "yes", extra: 2 });
    expect(resultOf(await a.invoke("{}"))).toMatchObject({ invocations: 2, polluted: 1, viaEvent: "yes" });
    expect(resultOf(await b.invoke("{}"))).toEqual({ inits: 1, invocations: 1, polluted: null, viaEvent: null, extra: null });
    const c = await sandbox.createEnvironment(configFor(codeDir));
    expect(resultOf(await c.invoke("{}"))).toEqual({ inits: 1, invocations: 1, polluted: null, viaEvent: null, extra: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).viaEvent).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).extra).toBeUndefined();
    for (const env of [a, b, c]) env.dispose();
  });

  it("serves one invocation at a time per environment", async () => {
    const env = await environmentFor(sandbox, { "index.js": "exports.handler = (e) => new Promise((r) => setTimeout(() => r(e.n), 20));" });
    const first = env.invoke('{"n":1}');
    expect(env.busy).toBe(true);
    await expect(env.invoke('{"n":2}')).rejects.toThrow("one invocation at a time");
    expect(resultOf(await first)).toBe(1);
    expect(env.busy).toBe(false);
    expect(resultOf(await env.invoke('{"n":3}'))).toBe(3);
    env.dispose();
  });
});

describe("console", () => {
  it("writes Lambda's log line format with levels and util.format", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  console.log('hello');",
        "  console.info('info line');",
        "  console.warn('careful');",
        "  console.error('bad thing');",
        "  console.debug('debugging');",
        "  console.log('%s is %d years and %j', 'Bob', 42, { a: 1 });",
        "  console.log('100%% sure', 'extra', 3);",
        "  console.log({ a: { b: [1, 2] }, s: 'x' });",
        "  console.log({ a: { b: { c: { d: 1 } } } });",
        "  console.log([1, 'two', null, undefined]);",
        "  console.log('multi\\nline');",
        "  console.error(new TypeError('shown'));",
        "  return 'logged';",
        "};",
      ].join("\n"),
    };
    const requestId = "req-console-1";
    const result = await invokeOnce(sandbox, files, {}, {}, { requestId });
    expect(resultOf(result)).toBe("logged");
    expect(result.logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tINFO\\thello$`, "m"));
    expect(result.logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tWARN\\tcareful$`, "m"));
    expect(result.logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tERROR\\tbad thing$`, "m"));
    expect(result.logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tDEBUG\\tdebugging$`, "m"));
    const info = messagesAt(result.logs, "INFO");
    expect(info).toEqual([
      "hello",
      "info line",
      'Bob is 42 years and {"a":1}',
      "100% sure extra 3",
      "{ a: { b: [ 1, 2 ] }, s: 'x' }",
      "{ a: { b: { c: [Object] } } }",
      "[ 1, 'two', null, undefined ]",
      "multi",
    ]);
    // A multi-line message stays one log record: its continuation has no prefix.
    expect(result.logs).toContain("\tINFO\tmulti\nline\n");
    const errors = messagesAt(result.logs, "ERROR");
    expect(errors[0]).toBe("bad thing");
    expect(errors[1]).toBe("TypeError: shown");
  });

  it("keeps every line in order, whole, with its own time, however lines reach the host", async () => {
    const files = {
      "index.js": [
        "exports.handler = (event, context, callback) => {",
        // 2,000 lines of ~100 characters: the guest's output box goes to the host several times mid-turn.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own template literal, as source text
        "  for (let i = 0; i < 2000; i++) console.log(`line ${i} ${'x'.repeat(90)}`);",
        // The box's own separator and a NUL inside messages: these lines take the direct route.
        "  console.log('record\\u001eseparator');",
        "  process.stdout.write('raw stdout\\n');",
        "  console.warn('after raw');",
        "  const started = Date.now();",
        "  while (Date.now() - started < 20) {}",
        "  console.log('later');",
        "  callback(null, 'answered');",
        // Written after the answer in the same turn: still this invocation's, as in Lambda.
        "  console.log('after the answer');",
        "};",
      ].join("\n"),
    };
    const result = await invokeOnce(sandbox, files);
    expect(resultOf(result)).toBe("answered");
    const info = messagesAt(result.logs, "INFO");
    expect(info.slice(0, 2000)).toEqual(Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(90)}`));
    expect(info.slice(2000)).toEqual(["record\u001eseparator", "later", "after the answer"]);
    expect(result.logs).toContain("\tINFO\trecord\u001eseparator\nraw stdout\n");
    expect(messagesAt(result.logs, "WARN")).toEqual(["after raw"]);
    // Each line carries the time it was written, not the time the host read it.
    const times = result.logs
      .split("\n")
      .filter((line) => line.includes("\tafter raw") || line.includes("\tlater"))
      .map((line) => Date.parse(line.split("\t")[0] ?? ""));
    const [first = Number.NaN, second = Number.NaN] = times;
    expect(second - first).toBeGreaterThanOrEqual(20);
  });

  it("attributes INIT logs to the environment and invocation logs to their request", async () => {
    const files = {
      "index.js": "console.log('cold start');\nexports.handler = async (e) => { console.log('handling', e.n); return e.n; };",
    };
    const env = await environmentFor(sandbox, files);
    expect(env.initLogs).toMatch(new RegExp(`^${ISO}\\tundefined\\tINFO\\tcold start\\n$`));
    const a = await env.invoke('{"n":1}', { requestId: "r-a" });
    const b = await env.invoke('{"n":2}', { requestId: "r-b" });
    expect(a.logs).toMatch(new RegExp(`^${ISO}\\tr-a\\tINFO\\thandling 1\\n$`));
    expect(b.logs).toMatch(new RegExp(`^${ISO}\\tr-b\\tINFO\\thandling 2\\n$`));
    env.dispose();
  });
});

describe("process.env", () => {
  it("holds the function's variables and Lambda's reserved ones", async () => {
    const files = { "index.js": "exports.handler = async () => ({ ...process.env });" };
    const config = {
      functionName: "env-fn",
      environment: { STAGE: "test", TABLE: "orders" },
      region: "eu-west-1",
      handler: "index.handler",
    };
    const result = await invokeOnce(sandbox, files, {}, config, { traceId: "Root=1-5e1b4151-5ac6c58f5b5dbd6a3f2ac3f0;Sampled=1" });
    const env = resultOf(result) as Record<string, string>;
    expect(env.STAGE).toBe("test");
    expect(env.TABLE).toBe("orders");
    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe("env-fn");
    expect(env.AWS_LAMBDA_FUNCTION_VERSION).toBe("$LATEST");
    expect(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe("128");
    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(env.AWS_LAMBDA_LOG_GROUP_NAME).toBe("/aws/lambda/env-fn");
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env._HANDLER).toBe("index.handler");
    expect(env.LAMBDA_TASK_ROOT).toBe("/var/task");
    expect(env.TZ).toBe(":UTC");
    expect(env._X_AMZN_TRACE_ID).toBe("Root=1-5e1b4151-5ac6c58f5b5dbd6a3f2ac3f0;Sampled=1");
  });

  it("sets _X_AMZN_TRACE_ID per invocation", async () => {
    const env = await environmentFor(sandbox, { "index.js": "exports.handler = async () => process.env._X_AMZN_TRACE_ID ?? 'none';" });
    expect(resultOf(await env.invoke("{}", { traceId: "Root=1-a" }))).toBe("Root=1-a");
    expect(resultOf(await env.invoke("{}"))).toBe("none");
    expect(resultOf(await env.invoke("{}", { traceId: "Root=1-b" }))).toBe("Root=1-b");
    env.dispose();
  });
});

describe("timers and microtasks", () => {
  it("runs setTimeout, setInterval, clearTimeout, clearInterval and queueMicrotask in Node's order", async () => {
    const files = {
      "index.js": [
        "exports.handler = () => new Promise((resolve) => {",
        "  const order = [];",
        "  setTimeout((a, b) => order.push('timeout:' + a + b), 5, 'x', 'y');",
        "  const cancelled = setTimeout(() => order.push('cancelled timeout ran'), 1);",
        "  clearTimeout(cancelled);",
        "  let ticks = 0;",
        "  const interval = setInterval(() => {",
        "    ticks += 1;",
        "    order.push('tick' + ticks);",
        "    if (ticks === 3) {",
        "      clearInterval(interval);",
        "      setTimeout(() => resolve({ order, ticks }), 30);",
        "    }",
        "  }, 10);",
        "  queueMicrotask(() => order.push('microtask'));",
        "  Promise.resolve().then(() => order.push('promise'));",
        "  order.push('sync');",
        "});",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      order: ["sync", "microtask", "promise", "timeout:xy", "tick1", "tick2", "tick3"],
      ticks: 3,
    });
  });

  it("runs an immediate before a zero timeout, as Node does after I/O (where Lambda calls a handler), and chains immediates", async () => {
    const files = {
      "index.js": [
        "exports.handler = () => new Promise((resolve) => {",
        "  const order = [];",
        "  setTimeout(() => order.push('timeout 0'), 0);",
        "  setImmediate((a) => order.push('immediate ' + a), 'x');",
        "  const cancelled = setImmediate(() => order.push('cancelled immediate ran'));",
        "  clearImmediate(cancelled);",
        "  let chained = 0;",
        "  const next = () => (++chained < 500 ? setImmediate(next) : setTimeout(() => resolve({ order, chained }), 2));",
        "  next();",
        "});",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ order: ["immediate x", "timeout 0"], chained: 500 });
  });

  it("runs the immediates set before a timer fell due first, as Node's check phase comes before its timers phase", async () => {
    const files = {
      "index.js": [
        "exports.handler = () => new Promise((resolve) => {",
        "  const order = [];",
        "  setTimeout(() => order.push('timeout 1'), 1);",
        "  const start = Date.now();",
        "  while (Date.now() - start < 5);",
        "  setImmediate(() => order.push('immediate set after 5 ms'));",
        "  setTimeout(() => resolve(order), 20);",
        "});",
      ].join("\n"),
    };
    const node = await runInNode(files);
    expect(node).toEqual(["immediate set after 5 ms", "timeout 1"]);
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual(node);
  });

  it("keeps an unref'd timer from holding the invocation open", async () => {
    const files = {
      "index.js": [
        "exports.handler = (e, context, callback) => {",
        "  const t = setTimeout(() => console.log('unref fired'), 5000);",
        "  t.unref();",
        "  callback(null, { hasRef: t.hasRef() });",
        "};",
      ].join("\n"),
    };
    const result = await invokeOnce(sandbox, files);
    expect(resultOf(result)).toEqual({ hasRef: false });
    expect(result.durationMs).toBeLessThan(1000);
  });
});

describe("Web and Node globals", () => {
  it("builds Requests and Responses as web frameworks do: bodies, implied content types, cookies, re-wrapped bodies", async () => {
    const files = {
      "index.mjs": [
        "export const handler = async () => {",
        "  const req = new Request('https://example.com/items?x=1', { method: 'post', headers: { 'X-A': ' 1 ' },",
        "    body: new TextEncoder().encode(JSON.stringify({ n: 1 })) });",
        "  const copy = req.clone();",
        "  const text = new Request('https://example.com/', { method: 'PUT', body: 'plain' });",
        "  const res = new Response('hello', { status: 201, headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-b', 'y']] });",
        "  const rewrapped = new Response(res.body, res);",
        "  const chunks = [];",
        "  for await (const chunk of new Response('streamed').body) chunks.push(new TextDecoder().decode(chunk));",
        "  const errors = [];",
        "  for (const make of [() => new Request('/relative'), () => new Request('https://e.com/', { method: 'GET', body: 'x' }),",
        "    () => new Response('x', { status: 204 }), () => new Response(null, { status: 99 })]) {",
        "    try { make(); errors.push('none'); } catch (e) { errors.push(e.name); }",
        "  }",
        "  return {",
        "    method: req.method, url: req.url, header: req.headers.get('x-a'), json: await req.json(), used: req.bodyUsed,",
        "    copy: await copy.text(), textType: text.headers.get('content-type'), signal: typeof req.signal.aborted,",
        "    status: rewrapped.status, cookies: res.headers.getSetCookie(), entries: [...res.headers],",
        "    rewrapped: await rewrapped.text(), originalUsed: res.bodyUsed, chunks,",
        "    staticJson: await Response.json({ ok: true }).json(), jsonType: Response.json({}).headers.get('content-type'),",
        "    redirect: [Response.redirect('https://example.com/next', 301).status, Response.redirect('https://example.com/next').headers.get('location')],",
        "    nullBody: new Response(null).body, errors,",
        "  };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      method: "POST",
      url: "https://example.com/items?x=1",
      header: "1",
      json: { n: 1 },
      used: true,
      copy: '{"n":1}',
      textType: "text/plain;charset=UTF-8",
      signal: "boolean",
      status: 201,
      cookies: ["a=1", "b=2"],
      entries: [
        ["content-type", "text/plain;charset=UTF-8"],
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
        ["x-b", "y"],
      ],
      rewrapped: "hello",
      originalUsed: true,
      chunks: ["streamed"],
      staticJson: { ok: true },
      jsonType: "application/json",
      redirect: [301, "https://example.com/next"],
      nullBody: null,
      errors: ["TypeError", "TypeError", "TypeError", "RangeError"],
    });
  });

  it("round-trips non-ASCII text through TextEncoder and TextDecoder", async () => {
    const files = {
      "index.js": [
        "exports.handler = async (e) => {",
        "  const bytes = new TextEncoder().encode(e.text);",
        "  return { length: bytes.length, euro: Array.from(new TextEncoder().encode('€')), back: new TextDecoder().decode(bytes),",
        "    isU8: bytes instanceof Uint8Array, encoding: new TextDecoder().encoding };",
        "};",
      ].join("\n"),
    };
    const text = "héllo wörld € 😀 日本";
    expect(resultOf(await invokeOnce(sandbox, files, { text }))).toEqual({
      length: Buffer.byteLength(text),
      euro: [0xe2, 0x82, 0xac],
      back: text,
      isU8: true,
      encoding: "utf-8",
    });
  });

  it("parses URLs and query strings", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const u = new URL('https://user:pw@example.com:8080/p/a/t/h?query=string&a=1&a=2#hash');",
        "  const q = new URLSearchParams('x=1&y=hello+world&x=3&z=%C3%A9');",
        "  q.append('added', 'a b&c');",
        "  const rel = new URL('../up?k=v', 'https://example.com/one/two/three');",
        "  return { host: u.host, hostname: u.hostname, port: u.port, pathname: u.pathname, search: u.search, hash: u.hash,",
        "    username: u.username, protocol: u.protocol, origin: u.origin, a: u.searchParams.getAll('a'), query: u.searchParams.get('query'),",
        "    xs: q.getAll('x'), y: q.get('y'), z: q.get('z'), serialised: q.toString(), rel: rel.href };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      host: "example.com:8080",
      hostname: "example.com",
      port: "8080",
      pathname: "/p/a/t/h",
      search: "?query=string&a=1&a=2",
      hash: "#hash",
      username: "user",
      protocol: "https:",
      origin: "https://example.com:8080",
      a: ["1", "2"],
      query: "string",
      xs: ["1", "3"],
      y: "hello world",
      z: "é",
      serialised: "x=1&y=hello+world&x=3&z=%C3%A9&added=a+b%26c",
      rel: "https://example.com/one/up?k=v",
    });
  });

  it("encodes with btoa and decodes with atob", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  let invalid = null;",
        "  try { btoa('€'); } catch (e) { invalid = e.name; }",
        "  return { b64: btoa('hello, world'), back: atob('aGVsbG8sIHdvcmxk'), binary: atob(btoa('\\u00ff\\u0000\\u0080')).length, invalid };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      b64: Buffer.from("hello, world").toString("base64"),
      back: "hello, world",
      binary: 3,
      invalid: "InvalidCharacterError",
    });
  });

  it("deep-copies nested objects with Map and Date through structuredClone", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const original = { when: new Date(86400000), map: new Map([['k', { n: 1 }]]), set: new Set([1, 2]), nested: { list: [1, { x: 2 }] } };",
        "  const copy = structuredClone(original);",
        "  copy.nested.list[1].x = 99;",
        "  copy.map.get('k').n = 42;",
        "  let uncloneable = null;",
        "  try { structuredClone({ f() {} }); } catch (e) { uncloneable = e instanceof Error; }",
        "  return { isDate: copy.when instanceof Date, time: copy.when.getTime(), isMap: copy.map instanceof Map, mapValue: copy.map.get('k'),",
        "    originalMapValue: original.map.get('k'), isSet: copy.set instanceof Set, setSize: copy.set.size,",
        "    originalX: original.nested.list[1].x, copyX: copy.nested.list[1].x, distinct: copy !== original && copy.map !== original.map,",
        "    uncloneable };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      isDate: true,
      time: 86400000,
      isMap: true,
      mapValue: { n: 42 },
      originalMapValue: { n: 1 },
      isSet: true,
      setSize: 2,
      originalX: 2,
      copyX: 99,
      distinct: true,
      uncloneable: true,
    });
  });

  it("generates v4 UUIDs and random values with crypto", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const a = new Uint8Array(32);",
        "  const same = crypto.getRandomValues(a) === a;",
        "  const b = crypto.getRandomValues(new Uint32Array(8));",
        "  let tooBig = null;",
        "  try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e) { tooBig = e.name; }",
        "  return { uuids: [crypto.randomUUID(), crypto.randomUUID()], same, a: Array.from(a), b: Array.from(b), tooBig };",
        "};",
      ].join("\n"),
    };
    const out = resultOf(await invokeOnce(sandbox, files)) as { uuids: string[]; same: boolean; a: number[]; b: number[]; tooBig: string };
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(out.uuids[0]).toMatch(v4);
    expect(out.uuids[1]).toMatch(v4);
    expect(out.uuids[0]).not.toBe(out.uuids[1]);
    expect(out.same).toBe(true);
    expect(out.a).toHaveLength(32);
    // 32 random bytes are all zero with probability 2^-256.
    expect(out.a.some((x) => x !== 0)).toBe(true);
    expect(out.b).toHaveLength(8);
    expect(out.b.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    expect(new Set(out.b).size).toBeGreaterThan(1);
    expect(out.tooBig).not.toBeNull();
  });

  it("converts Buffers between utf8, base64 and hex", async () => {
    const files = {
      "index.js": [
        "exports.handler = async (e) => {",
        "  const buf = Buffer.from(e.text, 'utf8');",
        "  return { base64: buf.toString('base64'), hex: buf.toString('hex'), length: buf.length,",
        "    fromBase64: Buffer.from(buf.toString('base64'), 'base64').toString('utf8'),",
        "    fromHex: Buffer.from(buf.toString('hex'), 'hex').toString(), concat: Buffer.concat([Buffer.from('ab'), Buffer.from([0x63])]).toString(),",
        "    isBuffer: Buffer.isBuffer(buf), equals: buf.equals(Buffer.from(e.text)), json: buf.subarray(0, 2).toJSON() };",
        "};",
      ].join("\n"),
    };
    const text = "Grüße, 世界 ✓";
    const host = Buffer.from(text);
    expect(resultOf(await invokeOnce(sandbox, files, { text }))).toEqual({
      base64: host.toString("base64"),
      hex: host.toString("hex"),
      length: host.length,
      fromBase64: text,
      fromHex: text,
      concat: "abc",
      isBuffer: true,
      equals: true,
      json: { type: "Buffer", data: [...host.subarray(0, 2)] },
    });
  });
});

describe("fetch", () => {
  let server: Server;
  let baseUrl: string;
  const received: { method: string; url: string; body: string; headers: IncomingMessage["headers"] }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        received.push({ method: req.method ?? "", url: req.url ?? "", body, headers: req.headers });
        if (req.url === "/json") {
          res.writeHead(200, { "content-type": "application/json", "x-custom": "custom-value" });
          res.end(JSON.stringify({ ok: true, items: [1, 2, 3] }));
        } else if (req.url === "/echo") {
          res.writeHead(201, { "content-type": "text/plain" });
          res.end(`echo:${req.method}:${body}`);
        } else {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not here");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("reads status, headers and JSON and text bodies, and sends a POST body", async () => {
    const files = {
      "index.mjs": [
        "export const handler = async (event) => {",
        "  const a = await fetch(event.base + '/json');",
        "  const json = await a.json();",
        "  const b = await fetch(event.base + '/echo', { method: 'POST', headers: { 'content-type': 'application/json', 'x-from': 'guest' },",
        "    body: JSON.stringify({ name: 'ünïcode' }) });",
        "  const text = await b.text();",
        "  const c = await fetch(event.base + '/missing');",
        "  return { status: a.status, ok: a.ok, type: a.headers.get('content-type'), custom: a.headers.get('X-Custom'), json,",
        "    echoStatus: b.status, text, missing: [c.status, c.ok, await c.text()] };",
        "};",
      ].join("\n"),
    };
    received.length = 0;
    expect(resultOf(await invokeOnce(sandbox, files, { base: baseUrl }))).toEqual({
      status: 200,
      ok: true,
      type: "application/json",
      custom: "custom-value",
      json: { ok: true, items: [1, 2, 3] },
      echoStatus: 201,
      text: 'echo:POST:{"name":"ünïcode"}',
      missing: [404, false, "not here"],
    });
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /json", "POST /echo", "GET /missing"]);
    expect(received[1]?.body).toBe('{"name":"ünïcode"}');
    expect(received[1]?.headers["x-from"]).toBe("guest");
    expect(received[1]?.headers["content-type"]).toBe("application/json");
  });

  it("rejects with a TypeError when the connection fails", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const files = {
      "index.js": "exports.handler = async (e) => { try { await fetch(e.url); return 'unexpected'; } catch (err) { return err.name; } };",
    };
    expect(resultOf(await invokeOnce(sandbox, files, { url: `http://127.0.0.1:${port}/` }))).toBe("TypeError");
  });
});
