/**
 * The same small API written for each web framework with its Lambda adapter, as their READMEs
 * show it: route params, a repeated query key, headers and cookies both ways, a JSON body in and
 * out (201 with Location), a malformed JSON body (400), a binary body in and out, a thrown error
 * (500) and an unknown route (404).
 */

import type { HttpRequest } from "./http-events.js";

/** express 4 and 5 share the app; express 5 also catches an async handler's rejection. */
function expressApp(throwing: string): string {
  return `
  const express = require("express");
  const app = express();
  // Production mode: express's error page without the stack, whose frames differ between engines.
  app.set("env", "production");
  app.use(express.json());
  app.use(express.raw({ type: "application/octet-stream" }));
  app.get("/hello/:name", (req, res) => {
    res.set("x-greeting", "hi").cookie("seen", "1", { httpOnly: true });
    res.json({ hello: req.params.name, q: req.query.q, tag: req.query.tag, agent: req.get("user-agent"), cookie: req.get("cookie"), version: require("express/package.json").version });
  });
  app.post("/items", (req, res) => res.status(201).location("/items/7").json({ created: req.body }));
  app.post("/echo", (req, res) => res.json({ length: req.body.length, bytes: [...req.body] }));
  app.get("/bytes", (req, res) => res.type("application/octet-stream").send(Buffer.from([0, 1, 2, 255])));
  app.get("/chunks", (req, res) => {
    res.type("text");
    res.write("a");
    res.write(Buffer.from("b"));
    setImmediate(() => res.end("c"));
  });
  app.get("/boom", ${throwing});`;
}

export const EXPRESS5_SERVERLESS_HTTP = `${expressApp(`async () => { await Promise.resolve(); throw new Error("kaboom"); }`)}
  exports.handler = require("serverless-http")(app, { binary: ["application/octet-stream"] });`;

/**
 * With express 4, @codegenie/serverless-express's request socket (under @vendia/serverless-express
 * 4.12) lacks on(): express's final handler fails on it in Node as well (TypeError from ee-first),
 * so an app behind it answers 404 and errors itself, as its users do.
 */
export const EXPRESS4_VENDIA = `${expressApp(`() => { throw new Error("kaboom"); }`)}
  app.use((req, res) => res.status(404).type("text").send("Not Found"));
  app.use((err, req, res, next) => res.status(err.status ?? 500).json({ error: err.type ?? "internal" }));
  exports.handler = require("@vendia/serverless-express")({ app, binarySettings: { contentTypes: ["application/octet-stream"] } });`;

/** `options` are @fastify/aws-lambda's (`albMultiValueHeaders` for a target group with multi-value headers). */
export const fastifyApp = (options: object): string => `
  const fastify = require("fastify");
  const awsLambdaFastify = require("@fastify/aws-lambda");
  const app = fastify();
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (request, body, done) => done(null, body));
  app.get("/hello/:name", async (request, reply) => {
    reply.header("x-greeting", "hi").header("set-cookie", "seen=1; Path=/; HttpOnly");
    return { hello: request.params.name, q: request.query.q, tag: request.query.tag, agent: request.headers["user-agent"], cookie: request.headers.cookie, version: require("fastify/package.json").version };
  });
  app.post("/items", async (request, reply) => {
    reply.code(201).header("location", "/items/7");
    return { created: request.body };
  });
  app.post("/echo", async (request) => ({ length: request.body.length, bytes: [...request.body] }));
  app.get("/bytes", async (request, reply) => reply.type("application/octet-stream").send(Buffer.from([0, 1, 2, 255])));
  app.get("/chunks", async (request, reply) => reply.type("text/plain").send(require("stream").Readable.from(["a", Buffer.from("b"), "c"])));
  app.get("/boom", async () => { throw new Error("kaboom"); });
  exports.handler = awsLambdaFastify(app, ${JSON.stringify({ binaryMimeTypes: ["application/octet-stream"], ...options })});`;

export const KOA = `
  const Koa = require("koa");
  const Router = require("@koa/router");
  const serverless = require("serverless-http");
  const app = new Koa();
  const router = new Router();
  async function bodyOf(ctx) {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  router.get("/hello/:name", (ctx) => {
    ctx.set("x-greeting", "hi");
    ctx.cookies.set("seen", "1", { httpOnly: true });
    ctx.body = { hello: ctx.params.name, q: ctx.query.q, tag: ctx.query.tag, agent: ctx.get("user-agent"), cookie: ctx.get("cookie"), version: require("koa/package.json").version };
  });
  router.post("/items", async (ctx) => {
    let created;
    try {
      created = JSON.parse(await bodyOf(ctx));
    } catch {
      ctx.throw(400, "malformed JSON");
    }
    ctx.status = 201;
    ctx.set("location", "/items/7");
    ctx.body = { created };
  });
  router.post("/echo", async (ctx) => {
    const body = await bodyOf(ctx);
    ctx.body = { length: body.length, bytes: [...body] };
  });
  router.get("/bytes", (ctx) => {
    ctx.type = "application/octet-stream";
    ctx.body = Buffer.from([0, 1, 2, 255]);
  });
  router.get("/chunks", (ctx) => {
    ctx.type = "text";
    ctx.body = require("stream").Readable.from(["a", Buffer.from("b"), "c"]);
  });
  router.get("/boom", async () => { throw new Error("kaboom"); });
  app.use(router.routes()).use(router.allowedMethods());
  exports.handler = serverless(app, { binary: ["application/octet-stream"] });`;

/** What each request must answer, in every framework and event shape. */
export interface Exchange {
  what: string;
  request: HttpRequest;
  status: number;
  /** The parsed JSON body, where the framework's answer is JSON the app wrote. */
  json?: (version: string, alb: boolean) => unknown;
  /** The body as text. */
  text?: string;
  /** The raw body bytes, for a binary answer. */
  bytes?: number[];
}

export const EXCHANGES: Exchange[] = [
  {
    what: "a GET with a route param, a repeated query key, a header and a cookie",
    request: {
      method: "GET",
      path: "/hello/ada",
      query: "q=a%20b&tag=x&tag=y",
      headers: { "user-agent": "compat-test", cookie: "session=abc" },
    },
    status: 200,
    // An ALB without multi-value headers passes the last value of a repeated key.
    json: (version, alb) => ({ hello: "ada", q: "a b", tag: alb ? "y" : ["x", "y"], agent: "compat-test", cookie: "session=abc", version }),
  },
  {
    what: "a POST with a JSON body answered 201",
    request: {
      method: "POST",
      path: "/items",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "widget", qty: 3 }),
    },
    status: 201,
    json: () => ({ created: { name: "widget", qty: 3 } }),
  },
  {
    what: "a malformed JSON body",
    request: { method: "POST", path: "/items", headers: { "content-type": "application/json" }, body: "{not json" },
    status: 400,
  },
  {
    what: "a binary body in",
    request: {
      method: "POST",
      path: "/echo",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0, 1, 2, 255]),
    },
    status: 200,
    json: () => ({ length: 4, bytes: [0, 1, 2, 255] }),
  },
  { what: "a binary body out", request: { method: "GET", path: "/bytes" }, status: 200, bytes: [0, 1, 2, 255] },
  { what: "a body streamed in chunks", request: { method: "GET", path: "/chunks" }, status: 200, text: "abc" },
  {
    what: "a HEAD request",
    request: { method: "HEAD", path: "/hello/ada", headers: { "user-agent": "compat-test" } },
    status: 200,
    text: "",
  },
  { what: "a thrown error", request: { method: "GET", path: "/boom" }, status: 500 },
  { what: "an unknown route", request: { method: "GET", path: "/nowhere" }, status: 404 },
];
