import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer({
  doors: parseConfig({ doors: [{ type: "alb", port: 0, rules: [{ priority: 1, path: "/*", target: "compat-hono-door" }] }] }).doors,
});

const APP = `
  import { Hono } from "hono";
  import { handle } from "hono/aws-lambda";
  const app = new Hono();
  app.get("/hello/:name", (c) => c.json({ hello: c.req.param("name"), q: c.req.query("q"), agent: c.req.header("user-agent") }));
  app.post("/items", async (c) => {
    c.header("x-created", "yes");
    return c.json({ created: await c.req.json(), type: c.req.header("content-type") }, 201);
  });
  app.get("/lambda", (c) => c.json({ requestId: c.env.lambdaContext.awsRequestId, door: c.env.event.requestContext.elb ? "alb" : "api-gateway-v2" }));
  app.get("/bytes", (c) => c.body(new Uint8Array([0, 1, 2, 255]), 200, { "content-type": "application/octet-stream" }));
  app.get("/cookies", (c) => {
    c.header("set-cookie", "a=1", { append: true });
    c.header("set-cookie", "b=2; HttpOnly", { append: true });
    return c.text(c.req.header("cookie") ?? "no cookie");
  });
  app.notFound((c) => c.text("no route for " + c.req.path, 404));
  export const handler = handle(app);`;

/** An ALB request event as ELB documents it (without multi-value headers; query values arrive still percent-encoded). */
function albEvent(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, body = ""): object {
  return {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/compat/0123456789abcdef" } },
    httpMethod: method,
    path,
    queryStringParameters: query,
    headers: { host: "compat.example.com", "x-forwarded-proto": "https", "x-forwarded-port": "443", ...headers },
    body,
    isBase64Encoded: false,
  };
}

/** An API Gateway HTTP API (payload format 2.0) event, the shape function URLs send too. */
function apiGatewayV2Event(method: string, path: string, rawQueryString: string, headers: Record<string, string>, body?: string): object {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    cookies: ["session=abc"],
    headers: { host: "compat.example.com", ...headers },
    requestContext: {
      accountId: "000000000000",
      apiId: "compat",
      domainName: "compat.example.com",
      domainPrefix: "compat",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
      requestId: "compat-request",
      routeKey: "$default",
      stage: "$default",
      time: "29/Feb/2024:23:59:58 +0000",
      timeEpoch: 1709251198123,
    },
    ...(body === undefined ? {} : { body, isBase64Encoded: false }),
  };
}

interface ProxyResult {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

describe("hono with its hono/aws-lambda adapter inside the sandbox", () => {
  it("answers real HTTP requests through the ALB door", async () => {
    await deployPackaged(api, "compat-hono-door", { packages: ["hono"], files: { "index.mjs": APP } });
    const get = await fetch(`${api.door(0)}/hello/ann?q=x%20y`, { headers: { "user-agent": "compat-door" } });
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await get.json()).toEqual({ hello: "ann", q: "x y", agent: "compat-door" });

    const post = await fetch(`${api.door(0)}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "widget" }),
    });
    expect(post.status).toBe(201);
    expect(post.headers.get("x-created")).toBe("yes");
    expect(await post.json()).toEqual({ created: { name: "widget" }, type: "application/json" });

    const lambda = await fetch(`${api.door(0)}/lambda`);
    expect(await lambda.json()).toMatchObject({ door: "alb", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const missing = await fetch(`${api.door(0)}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("no route for /nowhere");
  });

  it("routes ALB events and answers in the ALB response shape", async () => {
    await deployPackaged(api, "compat-hono", { packages: ["hono"], files: { "index.mjs": APP } });
    const get = (await invokeOk(
      api,
      "compat-hono",
      albEvent("GET", "/hello/ann", { q: "x%20y" }, { "user-agent": "compat-test" }),
    )) as ProxyResult;
    expect(get.statusCode).toBe(200);
    expect(get.headers["content-type"]).toMatch(/^application\/json/);
    expect(get.isBase64Encoded).toBe(false);
    expect(JSON.parse(get.body)).toEqual({ hello: "ann", q: "x y", agent: "compat-test" });

    const post = (await invokeOk(
      api,
      "compat-hono",
      albEvent("POST", "/items", {}, { "content-type": "application/json" }, JSON.stringify({ name: "widget" })),
    )) as ProxyResult;
    expect(post.statusCode).toBe(201);
    expect(post.headers["x-created"]).toBe("yes");
    expect(JSON.parse(post.body)).toEqual({ created: { name: "widget" }, type: "application/json" });

    const lambda = (await invokeOk(api, "compat-hono", albEvent("GET", "/lambda", {}, {}))) as ProxyResult;
    expect(JSON.parse(lambda.body)).toMatchObject({ door: "alb", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const missing = (await invokeOk(api, "compat-hono", albEvent("GET", "/nowhere", {}, {}))) as ProxyResult;
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("no route for /nowhere");
  });

  it("routes API Gateway v2 events, with binary bodies base64-encoded", async () => {
    await deployPackaged(api, "compat-hono-v2", { packages: ["hono"], files: { "index.mjs": APP } });
    const get = (await invokeOk(
      api,
      "compat-hono-v2",
      apiGatewayV2Event("GET", "/hello/bob", "q=1%262", { "user-agent": "compat-v2" }),
    )) as ProxyResult;
    expect(get.statusCode).toBe(200);
    expect(JSON.parse(get.body)).toEqual({ hello: "bob", q: "1&2", agent: "compat-v2" });

    const post = (await invokeOk(
      api,
      "compat-hono-v2",
      apiGatewayV2Event("POST", "/items", "", { "content-type": "application/json" }, JSON.stringify([1, 2])),
    )) as ProxyResult;
    expect(post.statusCode).toBe(201);
    expect(JSON.parse(post.body)).toEqual({ created: [1, 2], type: "application/json" });

    const lambda = (await invokeOk(api, "compat-hono-v2", apiGatewayV2Event("GET", "/lambda", "", {}))) as ProxyResult;
    expect(JSON.parse(lambda.body)).toMatchObject({ door: "api-gateway-v2" });

    const cookies = (await invokeOk(api, "compat-hono-v2", apiGatewayV2Event("GET", "/cookies", "", {}))) as ProxyResult & {
      cookies?: string[];
    };
    expect(cookies.body).toBe("session=abc");
    expect(cookies.cookies).toEqual(["a=1", "b=2; HttpOnly"]);
    expect(cookies.headers["set-cookie"]).toBeUndefined();

    const bytes = (await invokeOk(api, "compat-hono-v2", apiGatewayV2Event("GET", "/bytes", "", {}))) as ProxyResult;
    expect(bytes.isBase64Encoded).toBe(true);
    expect([...Buffer.from(bytes.body, "base64")]).toEqual([0, 1, 2, 255]);
  });
});
