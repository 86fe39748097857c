/**
 * Web frameworks with their Lambda adapters, unmodified packages deployed with their node_modules
 * through the API: express 5 + serverless-http, express 4 + @vendia/serverless-express, fastify +
 * @fastify/aws-lambda and koa + @koa/router + serverless-http. Every exchange goes through each
 * event shape the adapter takes, and the sandbox's answer must equal what the same handler source
 * answers in the test's own Node (the Date header aside), besides the values the API must give.
 * Three of them also serve real HTTP requests through fetch: behind ALB doors (with and without
 * multi-value headers) and a function URL.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { useServer } from "../api/server.js";
import { deployPackaged, invoke, invokeOk } from "./deploy.js";
import { EVENT_SHAPES } from "./http-events.js";
import { handlerInNode } from "./in-node.js";
import { installedPackage } from "./package-closure.js";
import { EXCHANGES, EXPRESS4_VENDIA, EXPRESS5_SERVERLESS_HTTP, fastifyApp, KOA } from "./web-frameworks.js";

const api = useServer({
  doors: parseConfig({
    doors: [
      { type: "alb", port: 0, rules: [{ priority: 1, path: "/*", target: "compat-fastify" }] },
      { type: "alb", port: 0, multiValueHeaders: true, rules: [{ priority: 1, path: "/*", target: "compat-koa" }] },
      { type: "url", port: 0, target: "compat-express5" },
    ],
  }).doors,
});

type Shape = keyof typeof EVENT_SHAPES;

interface Framework {
  name: string;
  fn: string;
  packages: string[];
  source: string;
  /** Real name → installed name, for a package installed under an npm alias. */
  aliases?: Record<string, string>;
  /** The package whose version the app reports. */
  versionOf: string;
  shapes: Shape[];
  /**
   * serverless-http leaves out a list of Set-Cookie values (koa's cookies set one) from an ALB
   * answer without multi-value headers, which has one value a header: Node's answer lacks it too.
   */
  noCookieListOnAlb?: true;
}

const ALL_SHAPES: Shape[] = ["API Gateway v1", "API Gateway v2", "ALB", "ALB multi-value"];

const FRAMEWORKS: Framework[] = [
  {
    name: "express 5 + serverless-http",
    fn: "compat-express5",
    packages: ["express5", "serverless-http"],
    source: EXPRESS5_SERVERLESS_HTTP,
    aliases: { express: "express5" },
    versionOf: "express5",
    shapes: ALL_SHAPES,
  },
  {
    name: "express 4 + @vendia/serverless-express",
    fn: "compat-vendia",
    packages: ["express", "@vendia/serverless-express"],
    source: EXPRESS4_VENDIA,
    versionOf: "express",
    shapes: ALL_SHAPES,
  },
  {
    name: "fastify 5 + @fastify/aws-lambda",
    fn: "compat-fastify",
    packages: ["fastify", "@fastify/aws-lambda"],
    source: fastifyApp({}),
    versionOf: "fastify",
    shapes: ["API Gateway v1", "API Gateway v2", "ALB"],
  },
  {
    // Its README's option for a target group with multi-value headers, which it otherwise ignores.
    name: "fastify 5 + @fastify/aws-lambda with albMultiValueHeaders",
    fn: "compat-fastify-multi-value",
    packages: ["fastify", "@fastify/aws-lambda"],
    source: fastifyApp({ albMultiValueHeaders: true }),
    versionOf: "fastify",
    shapes: ["ALB multi-value"],
  },
  {
    name: "koa 3 + @koa/router + serverless-http",
    fn: "compat-koa",
    packages: ["koa", "@koa/router", "serverless-http"],
    source: KOA,
    versionOf: "koa",
    shapes: ALL_SHAPES,
    noCookieListOnAlb: true,
  },
];

interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

function versionOf(installed: string): string {
  return (JSON.parse(readFileSync(path.join(installedPackage(installed), "package.json"), "utf8")) as { version: string }).version;
}

/** Without the Date header, which says when each answer was made. */
function comparable(result: ProxyResult): ProxyResult {
  const { date: _date, ...headers } = result.headers ?? {};
  const { date: _dates, ...multiValueHeaders } = result.multiValueHeaders ?? {};
  return { ...result, ...(result.headers && { headers }), ...(result.multiValueHeaders && { multiValueHeaders }) };
}

function header(result: ProxyResult, name: string): string | undefined {
  return result.headers?.[name] ?? result.multiValueHeaders?.[name]?.join(",");
}

/** Set-Cookie wherever the event shape carries it: `cookies` (payload 2.0) or the headers. */
function setCookies(result: ProxyResult): string[] {
  const single = result.headers?.["set-cookie"];
  return [...(result.cookies ?? []), ...(result.multiValueHeaders?.["set-cookie"] ?? []), ...(single === undefined ? [] : [single])];
}

function bodyBytes(result: ProxyResult): Buffer {
  return Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
}

beforeAll(async () => {
  await Promise.all(
    FRAMEWORKS.map((framework) =>
      deployPackaged(api, framework.fn, { packages: framework.packages, files: { "index.js": framework.source } }),
    ),
  );
});

for (const framework of FRAMEWORKS) {
  describe(`${framework.name} inside the sandbox`, () => {
    const inNode = handlerInNode(framework.source, framework.aliases);
    const version = versionOf(framework.versionOf);
    for (const shape of framework.shapes) {
      it.each(EXCHANGES)(`${shape}: $what`, async (exchange) => {
        const event = EVENT_SHAPES[shape](exchange.request);
        const ours = (await invokeOk(api, framework.fn, event)) as ProxyResult;
        const nodes = (await inNode(event)) as ProxyResult;
        expect(comparable(ours)).toEqual(comparable(nodes));
        expect(ours.statusCode).toBe(exchange.status);
        if (exchange.json) expect(JSON.parse(bodyBytes(ours).toString())).toEqual(exchange.json(version, shape === "ALB"));
        if (exchange.text !== undefined) expect(bodyBytes(ours).toString()).toBe(exchange.text);
        if (exchange.bytes) {
          expect(ours.isBase64Encoded).toBe(true);
          expect([...bodyBytes(ours)]).toEqual(exchange.bytes);
        }
        if (exchange.request.path === "/hello/ada" && exchange.request.method === "GET") {
          expect(header(ours, "x-greeting")).toBe("hi");
          const cookieExpected = !(framework.noCookieListOnAlb && shape === "ALB");
          expect(setCookies(ours).some((cookie) => cookie.startsWith("seen=1;") && /HttpOnly/i.test(cookie))).toBe(cookieExpected);
        }
        if (exchange.status === 201) expect(header(ours, "location")).toBe("/items/7");
      });
    }
  });
}

describe("fastify behind the ALB door", () => {
  it("answers real HTTP requests: params, query, cookies, JSON and binary bodies, 404 and 500", async () => {
    const door = api.door(0);
    const hello = await fetch(`${door}/hello/ada?q=a%20b&tag=x&tag=y`, { headers: { "user-agent": "compat-door", cookie: "session=abc" } });
    expect(hello.status).toBe(200);
    expect(hello.headers.get("x-greeting")).toBe("hi");
    expect(hello.headers.get("set-cookie")).toBe("seen=1; Path=/; HttpOnly");
    // The door's target group sends one value a key, the last one, as ALB does without multi-value headers.
    expect(await hello.json()).toEqual({
      hello: "ada",
      q: "a b",
      tag: "y",
      agent: "compat-door",
      cookie: "session=abc",
      version: versionOf("fastify"),
    });

    const created = await fetch(`${door}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ qty: 3 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/items/7");
    expect(await created.json()).toEqual({ created: { qty: 3 } });

    const echo = await fetch(`${door}/echo`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(await echo.json()).toEqual({ length: 4, bytes: [0, 1, 2, 255] });

    const bytes = await fetch(`${door}/bytes`);
    expect(bytes.headers.get("content-type")).toBe("application/octet-stream");
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 255]);

    const boom = await fetch(`${door}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ statusCode: 500, error: "Internal Server Error", message: "kaboom" });

    const missing = await fetch(`${door}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ statusCode: 404, error: "Not Found", message: "Route GET:/nowhere not found" });
  });
});

describe("koa 3's web bodies", () => {
  it("sends a Blob, a WHATWG ReadableStream and a fetch Response as the body, as in Node", async () => {
    const source = `
      const Koa = require("koa");
      const app = new Koa();
      app.use((ctx) => {
        if (ctx.path === "/blob") ctx.body = new Blob(["blob body"], { type: "text/plain" });
        if (ctx.path === "/web") ctx.body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("web ")); c.enqueue(new TextEncoder().encode("stream")); c.close(); } });
        if (ctx.path === "/response") ctx.body = new Response("from a Response", { status: 202, headers: { "x-r": "1" } });
      });
      exports.handler = require("serverless-http")(app);`;
    await deployPackaged(api, "compat-koa-web", { packages: ["koa", "serverless-http"], files: { "index.js": source } });
    const inNode = handlerInNode(source);
    const answers = [];
    for (const path of ["/blob", "/web", "/response"]) {
      const event = EVENT_SHAPES["API Gateway v2"]({ method: "GET", path });
      const ours = (await invokeOk(api, "compat-koa-web", event)) as ProxyResult;
      // Under vitest, koa in the test's process types the Response body application/octet-stream;
      // Node in a plain process answers as the sandbox does (the expected values below).
      if (path !== "/response") expect(ours).toEqual(await inNode(event));
      answers.push([ours.statusCode, ours.body, ours.headers?.["content-type"]]);
    }
    expect(answers).toEqual([
      [200, "blob body", "text/plain; charset=utf-8"],
      [200, "web stream", "application/octet-stream"],
      [202, "from a Response", "text/plain;charset=UTF-8"],
    ]);
  });
});

describe("koa's own error log", () => {
  it("prints the thrown error's stack with its header, as in Node", async () => {
    const out = await invoke(api, "compat-koa", EVENT_SHAPES["API Gateway v2"]({ method: "GET", path: "/boom" }));
    expect(out.functionError).toBeUndefined();
    // koa's onerror: the stack indented two spaces, between blank lines, on stderr.
    expect(out.logTail).toMatch(/\tERROR\t\n {2}Error: kaboom\n {6}at /);
  });
});

describe("koa behind an ALB door with multi-value headers", () => {
  it("answers real HTTP requests: every value of a repeated query key, a list of cookies, a streamed body, HEAD, 404 and 500", async () => {
    const door = api.door(1);
    const hello = await fetch(`${door}/hello/ada?q=a%20b&tag=x&tag=y`, { headers: { "user-agent": "compat-door", cookie: "session=abc" } });
    expect(hello.status).toBe(200);
    expect(hello.headers.get("x-greeting")).toBe("hi");
    // Secure: serverless-http's request says its socket is encrypted, as behind a TLS listener.
    expect(hello.headers.getSetCookie()).toEqual(["seen=1; path=/; secure; httponly"]);
    expect(await hello.json()).toEqual({
      hello: "ada",
      q: "a b",
      tag: ["x", "y"],
      agent: "compat-door",
      cookie: "session=abc",
      version: versionOf("koa"),
    });

    const chunks = await fetch(`${door}/chunks`);
    expect(chunks.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await chunks.text()).toBe("abc");

    const head = await fetch(`${door}/hello/ada`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");

    const malformed = await fetch(`${door}/items`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toBe("malformed JSON");

    const boom = await fetch(`${door}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe("Internal Server Error");

    const missing = await fetch(`${door}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("Not Found");
  });
});

describe("express 5 behind a function URL", () => {
  it("answers real HTTP requests: params, repeated query keys, cookies both ways, JSON and binary bodies, 404 and 500", async () => {
    const url = api.door(2);
    const hello = await fetch(`${url}/hello/ada?q=a%20b&tag=x&tag=y`, { headers: { "user-agent": "compat-url", cookie: "session=abc" } });
    expect(hello.status).toBe(200);
    expect(hello.headers.get("x-greeting")).toBe("hi");
    expect(hello.headers.get("x-powered-by")).toBe("Express");
    expect(hello.headers.getSetCookie()).toEqual(["seen=1; Path=/; HttpOnly"]);
    expect(await hello.json()).toEqual({
      hello: "ada",
      q: "a b",
      tag: ["x", "y"],
      agent: "compat-url",
      cookie: "session=abc",
      version: versionOf("express5"),
    });

    const created = await fetch(`${url}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ qty: 3 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/items/7");
    expect(await created.json()).toEqual({ created: { qty: 3 } });

    const echo = await fetch(`${url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(await echo.json()).toEqual({ length: 4, bytes: [0, 1, 2, 255] });

    const bytes = await fetch(`${url}/bytes`);
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 255]);

    const chunks = await fetch(`${url}/chunks`);
    expect(await chunks.text()).toBe("abc");

    const boom = await fetch(`${url}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.text()).toContain("<pre>Internal Server Error</pre>");

    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("<pre>Cannot GET /nowhere</pre>");
  });
});
