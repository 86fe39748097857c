import { describe, expect, it } from "vitest";
import { storedLogs, useServer } from "../api/server.js";
import { deployPackaged, invoke, invokeOk } from "./deploy.js";

const api = useServer();

/** An API Gateway REST (payload format 1.0) event, the shape Powertools' Router takes first. */
function restEvent(method: string, path: string, body: string | null = null): object {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: { host: "compat.example.com", "content-type": "application/json" },
    multiValueHeaders: { host: ["compat.example.com"], "content-type": ["application/json"] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: "000000000000",
      apiId: "compat",
      domainName: "compat.example.com",
      httpMethod: method,
      path,
      stage: "prod",
      requestId: "compat-request",
      resourcePath: path,
      identity: { sourceIp: "127.0.0.1" },
    },
    body,
    isBase64Encoded: false,
  };
}

describe("AWS Lambda Powertools inside the sandbox", () => {
  it("logger writes structured JSON lines with the Lambda context to the function's log", async () => {
    await deployPackaged(api, "compat-logger", {
      packages: ["@aws-lambda-powertools/logger"],
      environment: { POWERTOOLS_SERVICE_NAME: "orders", POWERTOOLS_LOG_LEVEL: "DEBUG" },
      files: {
        "index.mjs": `
          import { Logger } from "@aws-lambda-powertools/logger";
          const logger = new Logger();
          export const handler = async (event, context) => {
            logger.addContext(context);
            logger.appendKeys({ tenant: event.tenant });
            logger.debug("looking up", { orderId: 7 });
            logger.error("lookup failed", new TypeError("no such order"));
            return "done";
          };`,
      },
    });
    const out = await invoke(api, "compat-logger", { tenant: "acme" });
    expect(out.payload).toBe("done");
    const lines = out.logTail
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "DEBUG",
      message: "looking up",
      service: "orders",
      orderId: 7,
      tenant: "acme",
      cold_start: true,
      function_name: "compat-logger",
      function_memory_size: "512",
      function_arn: "arn:aws:lambda:us-east-1:000000000000:function:compat-logger",
      function_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Date.parse(lines[0]?.timestamp as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(lines[1]).toMatchObject({ level: "ERROR", message: "lookup failed", error: { name: "TypeError", message: "no such order" } });
    // The same lines are kept in the function's stored log, as CloudWatch Logs would keep them.
    const stored = await storedLogs(api.dataDir, "compat-logger", (messages) => messages.some((m) => m.includes('"lookup failed"')));
    expect(stored.some((m) => m.includes('"message":"looking up"'))).toBe(true);
  });

  it("event-handler routes a REST API event to a typed route and answers in the proxy result shape", async () => {
    await deployPackaged(api, "compat-event-handler", {
      packages: ["@aws-lambda-powertools/event-handler"],
      files: {
        "index.mjs": `
          import { Router } from "@aws-lambda-powertools/event-handler/http";
          const app = new Router();
          const todos = new Map([["1", { id: "1", title: "write tests" }]]);
          app.get("/todos/:id", async ({ params }) => todos.get(params.id) ?? new Response("missing", { status: 404 }));
          app.post("/todos", async ({ req }) => {
            const todo = await req.json();
            todos.set(todo.id, todo);
            return new Response(JSON.stringify(todo), { status: 201, headers: { "content-type": "application/json" } });
          });
          export const handler = async (event, context) => app.resolve(event, context);`,
      },
    });
    const get = (await invokeOk(api, "compat-event-handler", restEvent("GET", "/todos/1"))) as { statusCode: number; body: string };
    expect(get.statusCode).toBe(200);
    expect(JSON.parse(get.body)).toEqual({ id: "1", title: "write tests" });

    const post = (await invokeOk(api, "compat-event-handler", restEvent("POST", "/todos", JSON.stringify({ id: "2", title: "ship" })))) as {
      statusCode: number;
      body: string;
    };
    expect(post.statusCode).toBe(201);
    expect(JSON.parse(post.body)).toEqual({ id: "2", title: "ship" });

    const missing = (await invokeOk(api, "compat-event-handler", restEvent("GET", "/todos/9"))) as { statusCode: number; body: string };
    expect(missing.statusCode).toBe(404);
    const unrouted = (await invokeOk(api, "compat-event-handler", restEvent("GET", "/nowhere"))) as { statusCode: number };
    expect(unrouted.statusCode).toBe(404);
  });
});
