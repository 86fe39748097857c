/** Golden tests: the function URL door's events and responses against Lambda's documented examples. */
import { describe, expect, it } from "vitest";
import type { DoorRequest } from "../../src/doors/shared/request.js";
import { buildUrlEvent, clfTime } from "../../src/doors/url/event.js";
import { iamCaller } from "../../src/doors/url/iam.js";
import { PreludeReader } from "../../src/doors/url/prelude.js";
import { InvalidResponse, translateUrlResponse } from "../../src/doors/url/response.js";

const request = (overrides: Partial<DoorRequest> = {}): DoorRequest => ({
  method: "POST",
  path: "/my/path",
  query: "parameter1=value1&parameter1=value2&parameter2=value",
  rawHeaders: [
    "header1",
    "value1",
    "Header2",
    "value1",
    "header2",
    "value2",
    "Cookie",
    "cookie1; cookie2",
    "User-Agent",
    "agent",
    "Content-Type",
    "text/plain",
  ],
  body: Buffer.from("Hello from client!"),
  sourceIp: "123.123.123.123",
  port: 443,
  ...overrides,
});

const context = {
  accountId: "123456789012",
  urlId: "abcdefghijklmnopqrstuvwxyz012345",
  region: "us-west-2",
  requestId: "id",
  traceId: "Root=1-5e6a8c8e-0123456789abcdef01234567",
  now: 1583348638390,
};

describe("function URL request event (payload format 2.0)", () => {
  it("matches the documented request payload field by field", () => {
    const event = buildUrlEvent(request(), context);
    expect(event).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1", "cookie2"],
      headers: {
        header1: "value1",
        header2: "value1,value2",
        "user-agent": "agent",
        "content-type": "text/plain",
        "x-amzn-trace-id": context.traceId,
        "x-forwarded-for": "123.123.123.123",
        "x-forwarded-proto": "http",
        "x-forwarded-port": "443",
      },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "123456789012",
        apiId: context.urlId,
        authentication: null,
        domainName: `${context.urlId}.lambda-url.us-west-2.on.aws`,
        domainPrefix: context.urlId,
        http: { method: "POST", path: "/my/path", protocol: "HTTP/1.1", sourceIp: "123.123.123.123", userAgent: "agent" },
        requestId: "id",
        routeKey: "$default",
        stage: "$default",
        time: "04/Mar/2020:19:03:58 +0000",
        timeEpoch: 1583348638390,
      },
      body: "Hello from client!",
      pathParameters: null,
      isBase64Encoded: false,
      stageVariables: null,
    });
    // Documented key order, so the JSON a handler logs reads like AWS's.
    expect(Object.keys(JSON.parse(JSON.stringify(event)))).toEqual([
      "version",
      "routeKey",
      "rawPath",
      "rawQueryString",
      "cookies",
      "headers",
      "queryStringParameters",
      "requestContext",
      "body",
      "pathParameters",
      "isBase64Encoded",
      "stageVariables",
    ]);
  });

  it("omits cookies, query parameters and body when the request has none", () => {
    const event = JSON.parse(
      JSON.stringify(buildUrlEvent(request({ method: "GET", query: "", rawHeaders: [], body: Buffer.alloc(0) }), context)),
    );
    expect(event).not.toHaveProperty("cookies");
    expect(event).not.toHaveProperty("queryStringParameters");
    expect(event).not.toHaveProperty("body");
    expect(event.isBase64Encoded).toBe(false);
    expect(event.rawQueryString).toBe("");
    expect(event.requestContext.http.userAgent).toBe("");
  });

  it("base64-encodes binary bodies, keeps text bodies, decodes query values but not the raw path", () => {
    const binary = Buffer.from([0, 1, 2, 255]);
    const png = buildUrlEvent(request({ rawHeaders: ["content-type", "image/png"], body: binary }), context);
    expect(png).toMatchObject({ body: binary.toString("base64"), isBase64Encoded: true });
    const json = buildUrlEvent(
      request({ rawHeaders: ["content-type", "application/json; charset=utf-8"], body: Buffer.from('{"é":1}') }),
      context,
    );
    expect(json).toMatchObject({ body: '{"é":1}', isBase64Encoded: false });
    const unicode = buildUrlEvent(request({ path: "/caf%C3%A9/%E2%9C%93", query: "q=%C3%A9t%C3%A9&flag" }), context);
    expect(unicode.rawPath).toBe("/caf%C3%A9/%E2%9C%93");
    expect(unicode.queryStringParameters).toEqual({ q: "été", flag: "" });
    expect(unicode.rawQueryString).toBe("q=%C3%A9t%C3%A9&flag");
  });

  it("keeps a client's x-amzn-trace-id and appends the client to x-forwarded-for", () => {
    const event = buildUrlEvent(request({ rawHeaders: ["X-Amzn-Trace-Id", "Root=1-a-b", "X-Forwarded-For", "10.0.0.1"] }), context);
    expect(event.headers["x-amzn-trace-id"]).toBe("Root=1-a-b");
    expect(event.headers["x-forwarded-for"]).toBe("10.0.0.1, 123.123.123.123");
  });

  it("places requestContext.authorizer.iam where the documented IAM example has it, and leaves it out for NONE", () => {
    const signed = [
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20200312/us-west-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
    ];
    const authorizer = iamCaller(signed, "", "123456789012");
    expect(authorizer).toEqual({
      iam: {
        accessKey: "AKIAIOSFODNN7EXAMPLE",
        accountId: "123456789012",
        callerId: "123456789012",
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: "arn:aws:iam::123456789012:root",
        userId: "123456789012",
      },
    });
    const iam = JSON.parse(JSON.stringify(buildUrlEvent(request(), { ...context, authorizer })));
    expect(Object.keys(iam.requestContext)).toEqual([
      "accountId",
      "apiId",
      "authentication",
      "authorizer",
      "domainName",
      "domainPrefix",
      "http",
      "requestId",
      "routeKey",
      "stage",
      "time",
      "timeEpoch",
    ]);
    expect(Object.keys(iam.requestContext.authorizer.iam)).toEqual([
      "accessKey",
      "accountId",
      "callerId",
      "cognitoIdentity",
      "principalOrgId",
      "userArn",
      "userId",
    ]);
    expect(JSON.stringify(buildUrlEvent(request(), context))).not.toContain("authorizer");
  });

  it("finds a SigV4 caller in the Authorization header or a presigned query, and nothing else", () => {
    const caller = (rawHeaders: string[], query = "") => iamCaller(rawHeaders, query, "123456789012")?.iam.accessKey;
    const presigned =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20200312%2Fus-east-1%2Flambda%2Faws4_request&X-Amz-Date=20200312T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
    expect(caller([], presigned)).toBe("AKID");
    expect(caller([], presigned.replace("&X-Amz-Signature=abc", "&X-Amz-Signature="))).toBeUndefined();
    expect(caller([], presigned.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"))).toBeUndefined();
    expect(caller([])).toBeUndefined();
    expect(caller(["authorization", "Bearer abc"])).toBeUndefined();
    expect(
      caller(["authorization", "AWS4-HMAC-SHA256 Credential=AKID/20200312/us-east-1/lambda/aws4_request, SignedHeaders=host"]),
    ).toBeUndefined();
    expect(caller(["authorization", "AWS4-HMAC-SHA256 Credential=nokey, SignedHeaders=host, Signature=abc"])).toBeUndefined();
  });

  it("formats requestContext.time as API Gateway does", () => {
    expect(clfTime(Date.UTC(2020, 2, 12, 19, 3, 58))).toBe("12/Mar/2020:19:03:58 +0000");
    expect(clfTime(Date.UTC(2021, 8, 7, 2, 5, 9))).toBe("07/Sep/2021:02:05:09 +0000");
  });
});

describe("function URL response (payload format 2.0)", () => {
  it('infers a 200 application/json response from a bare string, as documented ("Hello, world!" → 15 bytes)', () => {
    const out = translateUrlResponse('"Hello, world!"');
    expect(out).toEqual({ status: 200, headers: { "content-type": "application/json" }, body: '"Hello, world!"' });
    expect(Buffer.byteLength(out.body)).toBe(15);
  });

  it("infers a 200 JSON response from an object without statusCode", () => {
    expect(translateUrlResponse('{"message":"Hello, world!"}')).toEqual({
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"message":"Hello, world!"}',
    });
  });

  it("takes statusCode, headers, cookies and body of the documented custom response", () => {
    const out = translateUrlResponse(
      JSON.stringify({
        statusCode: 201,
        headers: { "Content-Type": "application/json", "My-Custom-Header": "Custom Value" },
        body: JSON.stringify({ message: "Hello, world!" }),
        cookies: ["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT", "Cookie_2=Value2; Max-Age=78000"],
        isBase64Encoded: false,
      }),
    );
    expect(out).toEqual({
      status: 201,
      headers: {
        "content-type": "application/json",
        "my-custom-header": "Custom Value",
        "set-cookie": ["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT", "Cookie_2=Value2; Max-Age=78000"],
      },
      body: '{"message":"Hello, world!"}',
    });
  });

  it("decodes a base64 body and drops hop-by-hop headers", () => {
    const out = translateUrlResponse(
      JSON.stringify({
        statusCode: 200,
        headers: { Connection: "close", "X-A": 1 },
        body: Buffer.from([1, 2, 3]).toString("base64"),
        isBase64Encoded: true,
      }),
    );
    expect(out.body).toEqual(Buffer.from([1, 2, 3]));
    expect(out.headers).toEqual({ "x-a": "1" });
    expect(translateUrlResponse('{"statusCode":200,"headers":{"Vary":["a","b"]}}').headers).toEqual({ vary: "a,b" });
  });

  it("refuses what a function URL cannot send", () => {
    expect(() => translateUrlResponse("not json")).toThrow(InvalidResponse);
    expect(() => translateUrlResponse('{"statusCode":"abc"}')).toThrow(/statusCode "abc" is not an HTTP status/);
    expect(() => translateUrlResponse('{"statusCode":99}')).toThrow(InvalidResponse);
    expect(() => translateUrlResponse('{"statusCode":200,"headers":"x"}')).toThrow(/headers is not an object/);
    expect(() => translateUrlResponse('{"statusCode":200,"cookies":"a=b"}')).toThrow(/cookies is not an array/);
  });
});

describe("HttpResponseStream prelude", () => {
  it("finds the 8 NUL delimiter across chunks", () => {
    const reader = new PreludeReader();
    expect(reader.push(Buffer.from('{"statusCode":201}'))).toBeUndefined();
    expect(reader.push(new Uint8Array(5))).toBeUndefined();
    const out = reader.push(Buffer.concat([new Uint8Array(3), Buffer.from("body")]));
    expect(out?.prelude).toBe('{"statusCode":201}');
    expect(out?.rest.toString()).toBe("body");
  });
});
