/** The ALB door over real HTTP: rules, events, responses and every ELB error mapping. */
import http from "node:http";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import type { AlbEvent } from "../../src/doors/alb/event.js";
import { useServer, zipOf } from "../api/server.js";

const rules = [
  { priority: 1, path: "/echo*", target: "echo" },
  { priority: 2, path: "/fails", target: "fails" },
  { priority: 3, path: "/slow", target: "slow" },
  { priority: 4, path: "/malformed", target: "malformed" },
  { priority: 5, path: "/throttled", target: "throttled" },
  { priority: 6, path: "/huge", target: "huge" },
  { priority: 7, path: "/missing", target: "missing" },
  { priority: 8, path: "/page", target: "page" },
];
const api = useServer({
  doors: parseConfig({
    doors: [
      { type: "alb", port: 0, rules },
      { type: "alb", port: 0, multiValueHeaders: true, rules: [{ priority: 1, target: "echo" }], defaultAction: { target: "echo" } },
      { type: "alb", port: 0, rules: [], defaultAction: { target: "moving:live" } },
    ],
  }).doors,
});

const ECHO = `exports.handler = async (event) => ({
  statusCode: 200, statusDescription: "200 OK",
  headers: { "content-type": "application/json" },
  multiValueHeaders: { "content-type": ["application/json"], "set-cookie": ["a=1", "b=2"] },
  body: JSON.stringify(event),
});`;

beforeAll(async () => {
  await api.create("echo", ECHO);
  await api.create("fails", "exports.handler = async () => { throw new RangeError('nope'); };");
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
  await api.create("malformed", "exports.handler = async () => ({ body: 'no status' });");
  await api.create("throttled", "exports.handler = async () => ({ statusCode: 200 });");
  await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "throttled", ReservedConcurrentExecutions: 0 }));
  await api.create("huge", "exports.handler = async () => ({ statusCode: 200, body: 'x'.repeat(1024 * 1024) });");
  await api.create(
    "page",
    `exports.handler = async () => ({ statusCode: 201, statusDescription: "201 Made It", isBase64Encoded: true,
      headers: { "Content-Type": "image/png" }, body: Buffer.from([137, 80, 78, 71]).toString("base64") });`,
  );
});

/** Reason phrases and repeated request headers are not visible through fetch; use node:http. */
function rawGet(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; reason: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? "", body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

describe("ALB door", () => {
  it("routes by rule and delivers ELB's event", async () => {
    const res = await fetch(`${api.door(0)}/echo/x?a=1&a=2&b=%20`, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-h": "1" },
      body: "hi",
    });
    expect(res.status).toBe(200);
    const event = (await res.json()) as AlbEvent;
    expect(event).toMatchObject({
      requestContext: { elb: { targetGroupArn: expect.stringMatching(/:targetgroup\/echo\/[0-9a-f]{16}$/) } },
      httpMethod: "POST",
      path: "/echo/x",
      queryStringParameters: { a: "2", b: "%20" },
      body: "hi",
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      "x-h": "1",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-port": new URL(api.door(0)).port,
      "x-amzn-trace-id": expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
  });

  it("sends the status description as the reason phrase and decodes a base64 body", async () => {
    const res = await rawGet(`${api.door(0)}/page`);
    expect(res).toMatchObject({ status: 201, reason: "Made It" });
    expect([...res.body]).toEqual([137, 80, 78, 71]);
  });

  it("uses multiValueHeaders both ways when the target group has them on", async () => {
    const res = await fetch(`${api.door(1)}/any?k=1&k=2`);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    const event = (await res.json()) as AlbEvent;
    expect(event.multiValueQueryStringParameters).toEqual({ k: ["1", "2"] });
    expect(event).not.toHaveProperty("headers");
    // Two header lines of the same name reach the function as two values.
    const raw = await rawGet(`${api.door(1)}/any`, { "x-m": ["1", "2"] });
    expect((JSON.parse(raw.body.toString()) as AlbEvent).multiValueHeaders?.["x-m"]).toEqual(["1", "2"]);
  });

  it("answers a request no rule matches with the default fixed 404", async () => {
    const res = await fetch(`${api.door(0)}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get("server")).toBe("awselb/2.0");
  });

  it("maps errors as ELB does, with a log line saying why", async () => {
    const cases = [
      ["/fails", 502, /returned an error \(RangeError: nope\)/],
      ["/slow", 502, /did not respond before its timeout/],
      ["/malformed", 502, /invalid response: statusCode undefined is missing/],
      ["/throttled", 502, /throttled \(ReservedFunctionConcurrentInvocationLimitExceeded\)/],
      ["/huge", 502, /over ELB's 1 MB limit/],
      ["/missing", 503, /no function behind the target group/],
    ] as const;
    for (const [path, status, why] of cases) {
      const res = await fetch(`${api.door(0)}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(await res.text()).toMatch(/^50\d /);
      expect(api.doorLog.at(-1)).toMatch(why);
    }
  });

  it("refuses a request body over 1 MB with 413", async () => {
    const res = await fetch(`${api.door(0)}/echo`, { method: "POST", body: new Uint8Array(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    const ok = await fetch(`${api.door(0)}/page`, { method: "POST", body: new Uint8Array(1024 * 1024) });
    expect(ok.status).toBe(201);
  });
});

describe("ALB door targets", () => {
  it("follows an alias moved through the Lambda API on the next request", async () => {
    await api.create("moving", "exports.handler = async () => ({ statusCode: 200, body: 'v1' });");
    await api.client.send(new PublishVersionCommand({ FunctionName: "moving" }));
    await api.client.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "moving",
        ZipFile: zipOf({ "index.js": "exports.handler = async () => ({ statusCode: 200, body: 'v2' });" }),
      }),
    );
    await api.client.send(new PublishVersionCommand({ FunctionName: "moving" }));
    await api.client.send(new CreateAliasCommand({ FunctionName: "moving", Name: "live", FunctionVersion: "1" }));
    expect(await (await fetch(`${api.door(2)}/`)).text()).toBe("v1");
    await api.client.send(new UpdateAliasCommand({ FunctionName: "moving", Name: "live", FunctionVersion: "2" }));
    expect(await (await fetch(`${api.door(2)}/`)).text()).toBe("v2");
  });
});
