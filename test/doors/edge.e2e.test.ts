/** The CloudFront door over real HTTP: behaviors, the four hooks, origins, and CloudFront's error mappings. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { startServer } from "../../src/server.js";
import { useServer } from "../api/server.js";

const root = mkdtempSync(path.join(tmpdir(), "isolambda-edge-"));
const functionsDir = path.join(root, "functions");
const site = path.join(root, "site");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fn(name: string, source: string, settings: Record<string, unknown> = {}): void {
  mkdirSync(path.join(functionsDir, name), { recursive: true });
  writeFileSync(path.join(functionsDir, name, "index.js"), source);
  writeFileSync(path.join(functionsDir, name, "function.json"), JSON.stringify({ handler: "index.handler", ...settings }));
}

fn(
  "auth",
  `exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    const cookies = (request.headers.cookie || []).map((c) => c.value).join("; ");
    if (!/(^|; )session=/.test(cookies))
      return { status: "302", statusDescription: "Found", headers: { location: [{ key: "Location", value: "/login" }] } };
    request.headers["x-user"] = [{ key: "X-User", value: "alice" }];
    return request;
  };`,
);
fn(
  "secure",
  `exports.handler = async (event) => {
    const response = event.Records[0].cf.response;
    response.headers["strict-transport-security"] = [{ key: "Strict-Transport-Security", value: "max-age=63072000" }];
    response.headers["x-frame-options"] = [{ value: "DENY" }];
    return response;
  };`,
);
fn(
  "vresp",
  `exports.handler = (event, context, callback) => {
    const response = event.Records[0].cf.response;
    response.headers["x-viewer"] = [{ key: "X-Viewer", value: event.Records[0].cf.config.eventType }];
    response.status = "201";
    callback(null, response);
  };`,
);
fn(
  "badhost",
  `exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    request.headers.host = [{ key: "Host", value: "elsewhere.example" }];
    return request;
  };`,
);
fn(
  "disallowed",
  `exports.handler = async (event) => {
    const response = event.Records[0].cf.response;
    response.headers["x-cache"] = [{ key: "X-Cache", value: "Hit" }];
    return response;
  };`,
);
fn("fails", "exports.handler = async () => { throw new Error('hook broke'); };");
fn("slowhook", "exports.handler = () => new Promise((r) => setTimeout(r, 3000));", { timeout: 1 });
fn("throttle", "exports.handler = async (event) => event.Records[0].cf.request;");
fn(
  "bodyecho",
  `exports.handler = async (event) => ({ status: "200", headers: { "content-type": [{ value: "application/json" }] },
    body: JSON.stringify({ body: event.Records[0].cf.request.body, requestId: event.Records[0].cf.config.requestId }) });`,
);
fn(
  "origreq",
  `exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    request.headers["x-origin-saw"] = [{ key: "X-Origin-Saw", value: JSON.stringify(request.origin.custom) }];
    request.uri = "/rewritten" + request.uri;
    return request;
  };`,
);
fn(
  "rewrite",
  `exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    if (request.uri.endsWith("/")) request.uri += "index.html";
    return request;
  };`,
);
fn(
  "replacebody",
  `exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    request.body.action = "replace";
    request.body.encoding = "text";
    request.body.data = "replaced:" + Buffer.from(request.body.data, "base64").toString();
    return request;
  };`,
);
fn("bigmem", "exports.handler = async (e) => e.Records[0].cf.request;", { memorySize: 256 });
fn("notalias", "exports.handler = async (e) => e.Records[0].cf.request;");
mkdirSync(site, { recursive: true });
writeFileSync(path.join(site, "index.html"), "<h1>home</h1>");
writeFileSync(path.join(site, "app.js"), "console.log(1)");

/** The origin: echoes what it received; /slow never answers; /status/N answers N. */
const origin = http.createServer((req, res) => {
  // Only the behavior's origin timeout ends this exchange.
  if (req.url === "/slow") return;
  if (req.url === "/gzip") {
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
    res.end(gzipSync("compressed at the origin"));
    return;
  }
  const status = /\/status\/(\d+)/.exec(req.url ?? "")?.[1];
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    res.writeHead(status === undefined ? 200 : Number(status), { "content-type": "application/json", "set-cookie": ["o1=1", "o2=2"] });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
  });
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
afterAll(() => {
  // A /slow exchange the door gave up on may hold its socket still.
  origin.closeAllConnections();
  return new Promise<void>((resolve) => origin.close(() => resolve()));
});
/** A port nothing listens on. */
const closed = http.createServer();
await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
await new Promise<void>((resolve) => closed.close(() => resolve()));

const behaviors = [
  { path: "/auth/*", origin: originUrl, viewerRequest: "auth:1" },
  { path: "/secure/*", origin: originUrl, originResponse: "secure:1", viewerResponse: "vresp:1" },
  { path: "/badhost", origin: originUrl, viewerRequest: "badhost:1" },
  { path: "/disallowed", origin: originUrl, originResponse: "disallowed:1" },
  { path: "/fails", origin: originUrl, viewerRequest: "fails:1" },
  { path: "/slowhook", origin: originUrl, viewerRequest: "slowhook:1" },
  { path: "/throttled", origin: originUrl, viewerRequest: "throttle:1" },
  { path: "/body", origin: originUrl, viewerRequest: "bodyecho:1", includeBody: true },
  { path: "/origreq/*", origin: originUrl, originRequest: "origreq:1" },
  { path: "/slow", origin: originUrl, originTimeoutSeconds: 1 },
  { path: "/replace", origin: originUrl, originRequest: "replacebody:1", includeBody: true },
  { path: "*", origin: originUrl },
];
const api = useServer({
  functionsDir,
  doors: parseConfig({
    doors: [
      { type: "cloudfront", port: 0, behaviors },
      { type: "cloudfront", port: 0, behaviors: [{ path: "/*", origin: { folder: site }, viewerRequest: "rewrite:1" }] },
      { type: "cloudfront", port: 0, behaviors: [{ path: "/*", origin: closedUrl }] },
    ],
  }).doors,
});
let cf = "";
beforeAll(async () => {
  cf = api.door(0);
  await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "throttle", ReservedConcurrentExecutions: 0 }));
});

describe("CloudFront door", () => {
  it("forwards to the origin with CloudFront's headers, passing the origin's answer back", async () => {
    const res = await fetch(`${cf}/plain/page?x=1`, { headers: { "x-h": "v" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(res.headers.get("x-amz-cf-id")).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(res.headers.getSetCookie()).toEqual(["o1=1", "o2=2"]);
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/plain/page?x=1");
    expect(seen.headers).toMatchObject({
      "x-h": "v",
      "x-forwarded-for": "127.0.0.1",
      via: expect.stringMatching(/CloudFront/),
      "x-amz-cf-id": res.headers.get("x-amz-cf-id"),
    });
  });

  it("passes a compressed origin body through untouched", async () => {
    const res = await fetch(`${cf}/gzip`);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(await res.text()).toBe("compressed at the origin");
  });

  it("runs an auth viewer-request hook: a redirect without the cookie, the modified request with it", async () => {
    const denied = await fetch(`${cf}/auth/x`, { redirect: "manual" });
    expect(denied.status).toBe(302);
    expect(denied.headers.get("location")).toBe("/login");
    expect(denied.headers.get("x-cache")).toBe("LambdaGeneratedResponse from cloudfront");
    const allowed = await fetch(`${cf}/auth/x`, { headers: { cookie: "a=b; session=1" } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { headers: Record<string, string> }).headers["x-user"]).toBe("alice");
  });

  it("adds security headers in origin-response and keeps the status a viewer-response hook may not change", async () => {
    const res = await fetch(`${cf}/secure/page`);
    expect(res.status).toBe(200);
    expect(res.headers.get("strict-transport-security")).toBe("max-age=63072000");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-viewer")).toBe("viewer-response");
    expect(api.doorLog.at(-1)).toMatch(/viewerResponse vresp:1 .*cannot, kept 200/);
    // No viewer-response function for an origin error (400 and above).
    const missing = await fetch(`${cf}/secure/status/404`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-frame-options")).toBe("DENY");
    expect(missing.headers.get("x-viewer")).toBeNull();
  });

  it("rewrites the origin request in origin-request, with the documented origin object", async () => {
    const res = await fetch(`${cf}/origreq/a`);
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/rewritten/origreq/a");
    expect(JSON.parse(seen.headers["x-origin-saw"] ?? "{}")).toMatchObject({
      domainName: "127.0.0.1",
      protocol: "http",
      readTimeout: 30,
      path: "",
    });
  });

  it("exposes the body to an include-body hook, base64-encoded", async () => {
    const res = await fetch(`${cf}/body`, { method: "POST", body: "hello body" });
    const out = (await res.json()) as { body: unknown; requestId: string };
    expect(out.body).toEqual({
      inputTruncated: false,
      action: "read-only",
      encoding: "base64",
      data: Buffer.from("hello body").toString("base64"),
    });
    expect(out.requestId).toBe(res.headers.get("x-amz-cf-id"));
  });

  it("sends the origin a body an include-body origin-request hook replaced", async () => {
    const res = await fetch(`${cf}/replace`, { method: "POST", body: "original" });
    expect(((await res.json()) as { body: string }).body).toBe("replaced:original");
  });

  it("maps broken hooks and origins as CloudFront does, logging the rule and the hook", async () => {
    const cases = [
      ["/badhost", 502, "LambdaValidationError", /viewerRequest badhost:1 \(behavior 2 "\/badhost"\): .*read-only header host/],
      ["/disallowed", 502, "LambdaValidationError", /originResponse disallowed:1 .*disallowed header x-cache/],
      ["/fails", 503, "LambdaExecutionError", /viewerRequest fails:1 .*failed: Error: hook broke/],
      ["/slowhook", 503, "LambdaExecutionError", /viewerRequest slowhook:1 .*timed out/],
      ["/throttled", 503, "LambdaLimitExceeded", /viewerRequest throttle:1 .*throttled/],
      ["/slow", 504, "OriginCommError", /did not answer within 1 s/],
    ] as const;
    for (const [url, status, type, why] of cases) {
      const res = await fetch(`${cf}${url}`);
      expect({ url, status: res.status, body: await res.text() }).toEqual({ url, status, body: `${status} ${type}` });
      expect(api.doorLog.at(-1)).toMatch(why);
    }
    const down = await fetch(api.door(2));
    expect(down.status).toBe(502);
    expect(api.doorLog.at(-1)).toMatch(/502 OriginConnectError .*could not be reached \(ECONNREFUSED\)/);
  });

  it("serves a folder origin, with a viewer-request hook adding index.html", async () => {
    const home = await fetch(`${api.door(1)}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await home.text()).toBe("<h1>home</h1>");
    const js = await fetch(`${api.door(1)}/app.js`);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${api.door(1)}/nope.txt`)).status).toBe(404);
    expect((await fetch(`${api.door(1)}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });
});

describe("Lambda@Edge association rules at start", () => {
  const attempt = async (hook: string) => {
    const dataDir = mkdtempSync(path.join(root, "data-"));
    const doors = parseConfig({
      doors: [{ type: "cloudfront", port: 0, behaviors: [{ path: "*", origin: originUrl, viewerRequest: hook }] }],
    }).doors;
    const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, functionsDir, executors: 1, doors }).catch((e: Error) => e);
    if (!(server instanceof Error)) await server.close();
    return server;
  };

  it("refuses a version that does not exist and a viewer function over 128 MB", async () => {
    expect(await attempt("auth:7")).toMatchObject({
      message: "doors.0.behaviors.0.viewerRequest: auth:7 is not a published version of auth; Lambda@Edge triggers need one",
    });
    expect(await attempt("bigmem:1")).toMatchObject({
      message: expect.stringContaining("bigmem:1 has 256 MB; Lambda@Edge viewer triggers allow at most 128 MB"),
    });
  });
});
