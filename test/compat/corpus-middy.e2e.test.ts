import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";
import { invoke } from "./deploy.js";

const api = useServer();

/** An API Gateway REST (payload 1.0) event, as http-event-normalizer and the others take it. */
function restEvent(method: string, id: string, headers: Record<string, string>, query: Record<string, string> | null = null): object {
  return {
    resource: "/orders/{id}",
    path: `/orders/${id}`,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: { id },
    stageVariables: null,
    requestContext: { httpMethod: method, path: `/orders/${id}`, stage: "prod", requestId: "corpus", identity: { sourceIp: "127.0.0.1" } },
    body: null,
    isBase64Encoded: false,
  };
}

const EVENTS = [
  restEvent("GET", "42", { Origin: "https://app.example.com", "X-Tenant": "acme", Authorization: "secret" }, { expand: "items" }),
  // The validator refuses an id that is not digits: http-error-handler turns its 400 into a response.
  restEvent("GET", "abc", { Origin: "https://app.example.com" }),
  // The handler throws an http error of its own (404), exposed with its message.
  restEvent("GET", "404", { Origin: "https://elsewhere.example.com" }),
];

/** One handler, deployed with middy 5, 6 and 7 and the same middlewares, unchanged. */
const HANDLER = `
  import middy from "@middy/core";
  import httpEventNormalizer from "@middy/http-event-normalizer";
  import httpHeaderNormalizer from "@middy/http-header-normalizer";
  import httpCors from "@middy/http-cors";
  import httpErrorHandler from "@middy/http-error-handler";
  import inputOutputLogger from "@middy/input-output-logger";
  import validator from "@middy/validator";
  import { transpileSchema } from "@middy/validator/transpile";

  const eventSchema = transpileSchema({
    type: "object",
    required: ["pathParameters"],
    properties: { pathParameters: { type: "object", properties: { id: { type: "string", pattern: "^[0-9]+$" } } } },
  });

  export const handler = middy()
    .use(inputOutputLogger({ omitPaths: ["event.headers.Authorization", "event.multiValueHeaders"] }))
    .use(httpEventNormalizer())
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: ["https://app.example.com"], credentials: true }))
    .use(validator({ eventSchema }))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (event) => {
      if (event.pathParameters.id === "404") {
        throw Object.assign(new Error("order 404 not found"), { statusCode: 404, expose: true });
      }
      return {
        statusCode: 200,
        body: JSON.stringify({ id: event.pathParameters.id, query: event.queryStringParameters, tenant: event.headers["x-tenant"], empty: event.multiValueQueryStringParameters }),
      };
    });`;

const MIDDLEWARES = [
  "@middy/http-event-normalizer",
  "@middy/http-header-normalizer",
  "@middy/http-cors",
  "@middy/http-error-handler",
  "@middy/input-output-logger",
  "@middy/validator",
];

function check(answers: { statusCode: number; body: string; headers?: Record<string, string> }[]): void {
  const [ok, invalid, missing] = answers;
  expect(ok?.statusCode).toBe(200);
  expect(JSON.parse(ok?.body ?? "")).toEqual({ id: "42", query: { expand: "items" }, tenant: "acme", empty: {} });
  expect(ok?.headers?.["Access-Control-Allow-Origin"]).toBe("https://app.example.com");
  expect(ok?.headers?.["Access-Control-Allow-Credentials"]).toBe("true");
  expect(invalid).toMatchObject({ statusCode: 400, body: "Event object failed validation" });
  expect(missing).toMatchObject({ statusCode: 404, body: "order 404 not found" });
  expect(missing?.headers?.["Access-Control-Allow-Origin"]).toBeUndefined();
}

const CASES: CorpusCase[] = [
  {
    name: "corpus-middy5",
    packages: ["middy-core5", ...MIDDLEWARES],
    runtime: "nodejs20.x",
    events: EVENTS,
    files: { "index.mjs": HANDLER },
    check,
  },
  {
    name: "corpus-middy6",
    packages: ["middy-core6", ...MIDDLEWARES],
    runtime: "nodejs20.x",
    events: EVENTS,
    files: { "index.mjs": HANDLER },
    check,
  },
  // Middy 7 needs Node.js 22 (its engines field), as npm installs it.
  {
    name: "corpus-middy7",
    packages: ["@middy/core", ...MIDDLEWARES],
    runtime: "nodejs22.x",
    events: EVENTS,
    files: { "index.mjs": HANDLER },
    check,
  },
];

describe("middy 5, 6 and 7 with http-event-normalizer, http-header-normalizer, http-cors, validator, http-error-handler and input-output-logger", () => {
  corpusTests(api, CASES);
  it("input-output-logger writes the event without the omitted paths, and the response, to the function's log", async () => {
    const out = await invoke(api, "corpus-middy6", EVENTS[0]);
    const lines = out.logTail.split("\n").filter((line) => line.includes("INFO"));
    const logged = lines.map((line) => JSON.parse(line.slice(line.indexOf("{"))));
    expect(logged[0].event.headers).toEqual({ Origin: "https://app.example.com", "X-Tenant": "acme" });
    expect(logged[0].event.multiValueHeaders).toBeUndefined();
    expect(logged[1].response.statusCode).toBe(200);
  });
});
