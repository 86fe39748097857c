/** Golden tests: ALB events, responses and listener rules against ELB's documented behaviour. */
import { describe, expect, it } from "vitest";
import { AlbDoorSchema } from "../../src/doors/alb/config.js";
import { buildAlbEvent } from "../../src/doors/alb/event.js";
import { targetGroupArn } from "../../src/doors/alb/index.js";
import { MalformedResponse, translateAlbResponse } from "../../src/doors/alb/response.js";
import { compileRule, route, sortRules } from "../../src/doors/alb/rules.js";
import type { DoorRequest } from "../../src/doors/shared/request.js";

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/6d0ecf831eec9f09";
const TRACE = "Root=1-5c536348-3d683b8b04734faae651f476";

const request = (overrides: Partial<DoorRequest> = {}): DoorRequest => ({
  method: "GET",
  path: "/lambda",
  query: "query=1234ABCD",
  rawHeaders: ["Accept", "text/html", "Host", "lambda-alb-123578498.us-east-1.elb.amazonaws.com", "User-Agent", "curl/8.5.0"],
  body: Buffer.alloc(0),
  sourceIp: "72.12.164.125",
  port: 80,
  ...overrides,
});

describe("ALB request event", () => {
  it("matches the documented event (multi-value headers off) field by field", () => {
    const event = buildAlbEvent(request(), { targetGroupArn: TG, multiValue: false, traceId: TRACE });
    expect(event).toEqual({
      requestContext: { elb: { targetGroupArn: TG } },
      httpMethod: "GET",
      path: "/lambda",
      queryStringParameters: { query: "1234ABCD" },
      headers: {
        accept: "text/html",
        host: "lambda-alb-123578498.us-east-1.elb.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": TRACE,
        "x-forwarded-for": "72.12.164.125",
        "x-forwarded-port": "80",
        "x-forwarded-proto": "http",
      },
      body: "",
      isBase64Encoded: false,
    });
    expect(Object.keys(event)).toEqual([
      "requestContext",
      "httpMethod",
      "path",
      "queryStringParameters",
      "headers",
      "body",
      "isBase64Encoded",
    ]);
  });

  const repeated = request({ query: "&myKey=val1&myKey=val2", rawHeaders: ["cookie", "name1=value1", "Cookie", "name2=value2"] });

  it("uses the last value of a repeated query key or header without multi-value headers (documented example)", () => {
    const event = buildAlbEvent(repeated, { targetGroupArn: TG, multiValue: false, traceId: TRACE });
    expect(event.queryStringParameters).toEqual({ myKey: "val2" });
    expect(event.headers?.cookie).toBe("name2=value2");
    expect(event).not.toHaveProperty("multiValueHeaders");
  });

  it("keeps every value with multi-value headers on (documented example)", () => {
    const event = buildAlbEvent(repeated, { targetGroupArn: TG, multiValue: true, traceId: TRACE });
    expect(event.multiValueQueryStringParameters).toEqual({ myKey: ["val1", "val2"] });
    expect(event.multiValueHeaders).toEqual({
      cookie: ["name1=value1", "name2=value2"],
      "x-amzn-trace-id": [TRACE],
      "x-forwarded-for": ["72.12.164.125"],
      "x-forwarded-port": ["80"],
      "x-forwarded-proto": ["http"],
    });
    expect(event).not.toHaveProperty("headers");
    expect(event).not.toHaveProperty("queryStringParameters");
  });

  it("passes the query string and path as sent, without URL-decoding", () => {
    const event = buildAlbEvent(request({ path: "/caf%C3%A9/%E2%9C%93", query: "q=%C3%A9t%C3%A9&a+b=c%20d&flag" }), {
      targetGroupArn: TG,
      multiValue: false,
      traceId: TRACE,
    });
    expect(event.path).toBe("/caf%C3%A9/%E2%9C%93");
    expect(event.queryStringParameters).toEqual({ q: "%C3%A9t%C3%A9", "a+b": "c%20d", flag: "" });
    expect(
      buildAlbEvent(request({ query: "" }), { targetGroupArn: TG, multiValue: true, traceId: TRACE }).multiValueQueryStringParameters,
    ).toEqual({});
  });

  it("sends text content types as text and anything else base64-encoded", () => {
    const cases: Array<[string | undefined, boolean]> = [
      ["text/plain", false],
      ["text/html; charset=utf-8", false],
      ["application/json", false],
      ["application/javascript", false],
      ["application/xml", false],
      ["application/x-www-form-urlencoded", true],
      ["image/png", true],
      [undefined, true],
    ];
    const body = Buffer.from("a=1&b=é");
    for (const [type, base64] of cases) {
      const rawHeaders = type === undefined ? [] : ["Content-Type", type];
      const event = buildAlbEvent(request({ method: "POST", rawHeaders, body }), { targetGroupArn: TG, multiValue: false, traceId: TRACE });
      expect({ type, body: event.body, isBase64Encoded: event.isBase64Encoded }).toEqual({
        type,
        body: body.toString(base64 ? "base64" : "utf8"),
        isBase64Encoded: base64,
      });
    }
  });

  it("keeps a client's trace header and appends the client address to x-forwarded-for", () => {
    const event = buildAlbEvent(request({ rawHeaders: ["X-Amzn-Trace-Id", "Root=1-abc", "X-Forwarded-For", "203.0.113.7"] }), {
      targetGroupArn: TG,
      multiValue: false,
      traceId: TRACE,
    });
    expect(event.headers?.["x-amzn-trace-id"]).toBe("Root=1-abc");
    expect(event.headers?.["x-forwarded-for"]).toBe("203.0.113.7, 72.12.164.125");
  });

  it("names target groups as ELB does", () => {
    expect(targetGroupArn("us-east-1", "123456789012", "hello:live")).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/hello-live\/[0-9a-f]{16}$/,
    );
  });
});

describe("ALB response", () => {
  it("translates the documented response, statusDescription becoming the reason phrase", () => {
    const out = translateAlbResponse(
      JSON.stringify({
        statusCode: 200,
        statusDescription: "200 OK",
        isBase64Encoded: false,
        headers: { "Content-Type": "text/html" },
        body: "<h1>Hello from Lambda!</h1>",
      }),
      false,
    );
    expect(out).toEqual({ status: 200, reason: "OK", headers: { "content-type": "text/html" }, body: "<h1>Hello from Lambda!</h1>" });
  });

  it("uses multiValueHeaders when multi-value headers are on, headers otherwise", () => {
    const response = JSON.stringify({
      statusCode: 201,
      headers: { "Set-cookie": "single" },
      multiValueHeaders: { "Set-cookie": ["a=1", "b=2"], "Content-Type": ["application/json"] },
    });
    expect(translateAlbResponse(response, true).headers).toEqual({ "set-cookie": ["a=1", "b=2"], "content-type": ["application/json"] });
    expect(translateAlbResponse(response, false).headers).toEqual({ "set-cookie": "single" });
  });

  it("decodes base64 bodies, omits a missing body, drops hop-by-hop headers", () => {
    const out = translateAlbResponse(
      JSON.stringify({
        statusCode: 200,
        isBase64Encoded: true,
        body: "AAEC/w==",
        headers: { Connection: "close", "Transfer-Encoding": "chunked", "X-A": 1 },
      }),
      false,
    );
    expect(out.body).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(out.headers).toEqual({ "x-a": "1" });
    expect(translateAlbResponse('{"statusCode":204}', false)).toEqual({ status: 204, reason: undefined, headers: {}, body: "" });
  });

  it("refuses what ELB cannot use (each one is a 502)", () => {
    const bad = [
      ["not json", /not a JSON object/],
      ['"a string"', /not a JSON object/],
      ["{}", /statusCode undefined is missing/],
      ['{"statusCode":"OK"}', /statusCode "OK"/],
      ['{"statusCode":700}', /statusCode 700/],
      ['{"statusCode":200,"body":{"a":1}}', /body is not a string/],
      ['{"statusCode":200,"headers":{"a":["x"]}}', /headers.a is not a string/],
      ['{"statusCode":200,"headers":[]}', /headers is not an object/],
    ] as const;
    for (const [payload, message] of bad) expect(() => translateAlbResponse(payload, false), payload).toThrow(message);
    expect(() => translateAlbResponse('{"statusCode":200,"multiValueHeaders":{"a":"x"}}', true)).toThrow(
      /multiValueHeaders.a is not an array/,
    );
    const big = JSON.stringify({ statusCode: 200, body: "x".repeat(1024 * 1024) });
    expect(() => translateAlbResponse(big, false)).toThrow(MalformedResponse);
    expect(() => translateAlbResponse(big, false)).toThrow(/over ELB's 1 MB limit/);
  });
});

describe("ALB listener rules", () => {
  const door = AlbDoorSchema.parse({
    type: "alb",
    port: 0,
    rules: [
      { priority: 30, path: "/api/*", target: "api" },
      { priority: 10, path: "/api/admin/*", methods: ["POST"], target: "admin" },
      { priority: 20, host: "*.example.com", path: ["/img/*.png", "/img/?.gif"], target: "images" },
      { priority: 40, headers: { "X-Beta": ["on", "yes*"] }, target: "beta" },
      { priority: 50, query: [{ key: "v", value: "2" }, { value: "legacy" }], target: "query" },
    ],
  });
  const rules = sortRules(door.rules.map((r) => compileRule(r, r.target)));
  const at = (path: string, extra: Partial<DoorRequest> = {}) =>
    route(rules, request({ path, query: "", rawHeaders: ["Host", "www.example.com:8080"], ...extra }));

  it("evaluates by priority, every condition of a rule, any value of a condition", () => {
    expect(at("/api/admin/x", { method: "POST" })).toBe("admin");
    expect(at("/api/admin/x", { method: "GET" })).toBe("api");
    expect(at("/img/cat.png")).toBe("images");
    expect(at("/img/a.gif")).toBe("images");
    expect(at("/img/ab.gif")).toBeUndefined();
    expect(at("/img/cat.png", { rawHeaders: ["Host", "example.org"] })).toBeUndefined();
    expect(at("/IMG/cat.png")).toBeUndefined();
    expect(at("/x", { rawHeaders: ["x-beta", "YES-please"] })).toBe("beta");
    expect(at("/x", { rawHeaders: ["x-beta", "off"] })).toBeUndefined();
    expect(at("/x", { query: "a=1&V=2" })).toBe("query");
    expect(at("/x", { query: "mode=legacy" })).toBe("query");
    expect(at("/x", { query: "v=3" })).toBeUndefined();
  });

  it("refuses duplicate priorities, naming the rule", () => {
    const parsed = AlbDoorSchema.safeParse({
      type: "alb",
      port: 1,
      rules: [
        { priority: 5, target: "a" },
        { priority: 5, target: "b" },
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ["rules", 1, "priority"],
      message: expect.stringContaining("already used by rules.0"),
    });
  });
});
