/**
 * express 4 wrapped by serverless-http, the most common way an Express API lands on Lambda:
 * serverless-http builds its request and response on node:http's IncomingMessage and
 * ServerResponse, and express extends their prototypes at import. Unmodified packages, deployed
 * with their node_modules through the API, invoked with API Gateway HTTP API (payload 2.0) events,
 * the shape function URLs send too.
 */
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

const APP = `
  const express = require("express");
  const serverless = require("serverless-http");
  const app = express();
  app.use(express.json());
  app.get("/hello/:name", (req, res) => {
    res.set("x-greeting", "hi").json({ hello: req.params.name, q: req.query.q, tags: req.query.tag, agent: req.get("user-agent"), ip: req.ip, cookie: req.get("cookie") });
  });
  app.post("/items", (req, res) => {
    res.status(201).location("/items/7").json({ created: req.body, type: req.is("application/json") });
  });
  app.get("/text", (req, res) => res.type("text").send("plain words"));
  app.use((err, req, res, next) => res.status(err.status ?? 500).json({ type: err.type, expose: err.expose }));
  exports.handler = serverless(app);`;

interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  cookies: string[];
}

/** An API Gateway HTTP API (payload format 2.0) event as AWS documents it. */
function apiGatewayV2Event(method: string, path: string, rawQueryString: string, headers: Record<string, string>, body?: string): object {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    cookies: ["session=abc"],
    headers: { host: "compat.example.com", "x-forwarded-proto": "https", ...headers },
    requestContext: {
      accountId: "000000000000",
      apiId: "compat",
      domainName: "compat.example.com",
      domainPrefix: "compat",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "198.51.100.7", userAgent: headers["user-agent"] ?? "" },
      requestId: "compat-request",
      routeKey: "$default",
      stage: "$default",
      time: "29/Feb/2024:23:59:58 +0000",
      timeEpoch: 1709251198000,
    },
    body,
    isBase64Encoded: false,
  };
}

describe("express 4 through serverless-http inside the sandbox", () => {
  it("serves a GET with a query, a POST with a JSON body and a text answer", async () => {
    await deployPackaged(api, "compat-express", { packages: ["express", "serverless-http"], files: { "index.js": APP } });

    const got = (await invokeOk(
      api,
      "compat-express",
      apiGatewayV2Event("GET", "/hello/ada", "q=a%20b&tag=x&tag=y", { "user-agent": "compat-test" }),
    )) as HttpResult;
    expect(got.statusCode).toBe(200);
    expect(got.isBase64Encoded).toBe(false);
    expect(got.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(got.headers["x-greeting"]).toBe("hi");
    expect(got.headers["x-powered-by"]).toBe("Express");
    expect(got.headers.etag).toMatch(/^W\/"[0-9a-f]+-[\w+/]+"$/);
    expect(JSON.parse(got.body)).toEqual({
      hello: "ada",
      q: "a b",
      tags: ["x", "y"],
      agent: "compat-test",
      ip: "198.51.100.7",
      cookie: "session=abc",
    });
    expect(Number(got.headers["content-length"])).toBe(Buffer.byteLength(got.body));

    const created = (await invokeOk(
      api,
      "compat-express",
      apiGatewayV2Event("POST", "/items", "", { "content-type": "application/json" }, JSON.stringify({ name: "widget", qty: 3 })),
    )) as HttpResult;
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe("/items/7");
    expect(JSON.parse(created.body)).toEqual({ created: { name: "widget", qty: 3 }, type: "application/json" });

    const text = (await invokeOk(api, "compat-express", apiGatewayV2Event("GET", "/text", "", {}))) as HttpResult;
    expect(text.statusCode).toBe(200);
    expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(text.body).toBe("plain words");
  });

  it("answers an unknown route with express's own 404 page and a malformed JSON body with body-parser's 400", async () => {
    await deployPackaged(api, "compat-express-errors", { packages: ["express", "serverless-http"], files: { "index.js": APP } });

    const missing = (await invokeOk(api, "compat-express-errors", apiGatewayV2Event("GET", "/nowhere", "", {}))) as HttpResult;
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(missing.body).toContain("Cannot GET /nowhere");

    const malformed = (await invokeOk(
      api,
      "compat-express-errors",
      apiGatewayV2Event("POST", "/items", "", { "content-type": "application/json" }, "{not json"),
    )) as HttpResult;
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ type: "entity.parse.failed", expose: true });
  });
});
