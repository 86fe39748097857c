/** The function URL door over real HTTP: fetch against its listener, a real server behind it. */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import type { UrlEvent } from "../../src/doors/url/event.js";
import { startServer } from "../../src/server.js";
import { useServer, zipOf } from "../api/server.js";
import { useGate } from "../loopback.js";

const FUNCTIONS = ["echo", "fails", "slow", "malformed", "throttled", "stream", "prelude", "plain-stream", "bare"] as const;
const door = (fn: string, invokeMode = "BUFFERED") => ({ type: "url", port: 0, target: fn, invokeMode });
const api = useServer({
  doors: parseConfig({
    doors: [...FUNCTIONS.map((fn) => door(fn, fn.includes("stream") || fn === "prelude" ? "RESPONSE_STREAM" : "BUFFERED"))],
  }).doors,
});
const urlOf = (fn: (typeof FUNCTIONS)[number]) => api.door(FUNCTIONS.indexOf(fn));
/** Where "stream" waits between its writes. */
const gate = useGate();

beforeAll(async () => {
  await api.create(
    "echo",
    "exports.handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: ['a=1', 'b=2'], body: JSON.stringify(event) });",
  );
  await api.create("fails", "exports.handler = async () => { throw new TypeError('broken'); };");
  await api.client.send(
    new CreateFunctionCommand({
      FunctionName: "slow",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Timeout: 1,
      Code: { ZipFile: zipOf({ "index.js": "exports.handler = () => new Promise((r) => setTimeout(r, 3000));" }) },
    }),
  );
  await api.create("malformed", "exports.handler = async () => ({ statusCode: 'soon' });");
  await api.create("throttled", "exports.handler = async () => 'never';");
  await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "throttled", ReservedConcurrentExecutions: 0 }));
  await api.create(
    "stream",
    `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
      stream.setContentType("text/plain");
      stream.write("first ");
      await fetch(${JSON.stringify(gate.url)});
      stream.end("second");
    });`,
  );
  await api.create(
    "prelude",
    `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
      stream = awslambda.HttpResponseStream.from(stream, { statusCode: 418, headers: { "x-tea": "pot" }, cookies: ["c=1"] });
      stream.write("short ");
      await new Promise((r) => setTimeout(r, 50));
      stream.end("and stout");
    });`,
  );
  await api.create("plain-stream", "exports.handler = async () => ({ statusCode: 202, body: 'not streamed' });");
  await api.create("bare", "exports.handler = async () => 'Hello, world!';");
});

describe("function URL door", () => {
  it("delivers a payload 2.0 event and sends the response with its cookies", async () => {
    const res = await fetch(`${urlOf("echo")}/my/path?parameter1=value1&parameter1=value2`, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: "cookie1=a; cookie2=b", "x-custom": "yes" },
      body: "Hello from client!",
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const event = (await res.json()) as UrlEvent;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2",
      cookies: ["cookie1=a", "cookie2=b"],
      queryStringParameters: { parameter1: "value1,value2" },
      body: "Hello from client!",
      isBase64Encoded: false,
      requestContext: { accountId: "000000000000", http: { method: "POST", path: "/my/path", sourceIp: "127.0.0.1" }, stage: "$default" },
    });
    expect(event.headers["x-custom"]).toBe("yes");
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.requestContext.requestId).toBe(res.headers.get("x-amzn-requestid"));
  });

  it("sends binary request bodies base64-encoded", async () => {
    const bytes = new Uint8Array([0, 159, 146, 150, 255]);
    const res = await fetch(urlOf("echo"), { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes });
    const event = await res.json();
    expect(event).toMatchObject({ isBase64Encoded: true, body: Buffer.from(bytes).toString("base64") });
  });

  it("answers a bare string as documented: 200, application/json, the JSON text", async () => {
    const res = await fetch(urlOf("bare"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('"Hello, world!"');
  });

  it("maps a function error, a timeout and a malformed response to 502, a throttle to 429, and logs why", async () => {
    const fails = await fetch(urlOf("fails"));
    expect(fails.status).toBe(502);
    expect(await fails.text()).toBe("Internal Server Error");
    expect(api.doorLog.at(-1)).toMatch(/url door \(fails\): 502 .*function error TypeError: broken/);

    const slow = await fetch(urlOf("slow"));
    expect(slow.status).toBe(502);
    expect(api.doorLog.at(-1)).toMatch(/url door \(slow\): 502 .*timed out/);

    const malformed = await fetch(urlOf("malformed"));
    expect(malformed.status).toBe(502);
    expect(api.doorLog.at(-1)).toMatch(/invalid response: statusCode "soon" is not an HTTP status/);

    const throttled = await fetch(urlOf("throttled"));
    expect(throttled.status).toBe(429);
    expect(api.doorLog.at(-1)).toMatch(/url door \(throttled\): 429 .*throttled \(ReservedFunctionConcurrentInvocationLimitExceeded\)/);
  });

  it("refuses a request body over Lambda's 6 MB payload quota with 413", async () => {
    const res = await fetch(urlOf("echo"), { method: "POST", body: new Uint8Array(6 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it("streams in RESPONSE_STREAM mode: the first bytes arrive while the handler still runs", async () => {
    // The handler waits at the closed gate after its first write, until that write has come through.
    gate.close();
    const res = await fetch(urlOf("stream"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe("first ");
    gate.open();
    let text = decoder.decode(first.value);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
    expect(text).toBe("first second");
  });

  it("takes status, headers and cookies of a streamed response from its prelude", async () => {
    const res = await fetch(urlOf("prelude"));
    expect(res.status).toBe(418);
    expect(res.headers.get("x-tea")).toBe("pot");
    expect(res.headers.getSetCookie()).toEqual(["c=1"]);
    expect(await res.text()).toBe("short and stout");
  });

  it("answers a handler that does not stream, behind a RESPONSE_STREAM URL, with its response", async () => {
    const res = await fetch(urlOf("plain-stream"));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("not streamed");
  });
});

describe("closing a door", () => {
  it("lets a response stream under way finish, then closes", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "isolambda-close-"));
    const doors = parseConfig({ doors: [{ type: "url", port: 0, target: "url-stream", invokeMode: "RESPONSE_STREAM" }] }).doors;
    const server = await startServer({
      port: 0,
      host: "127.0.0.1",
      dataDir,
      functionsDir: "functions",
      executors: 1,
      doors,
      onDoorLog: () => {},
    });
    try {
      const res = await fetch(server.doors[0]?.url ?? "");
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value);
      const closed = server.close();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
      await closed;
      expect(text.trim().split("\n")).toHaveLength(6);
      expect(text.endsWith("done\n")).toBe(true);
      await expect(fetch(server.doors[0]?.url ?? "")).rejects.toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
