/**
 * The CloudFront door's cache over real HTTP: hits skip the origin and the origin hooks while the
 * viewer hooks run on every request; cache keys, TTLs from Cache-Control/Expires within the policy's
 * bounds, error caching, the byte bound, and the cache policy's validation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { useServer } from "../api/server.js";
import { waitFor } from "../wait.js";

const root = mkdtempSync(path.join(tmpdir(), "isolambda-edge-cache-"));
const functionsDir = path.join(root, "functions");
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A hook that stamps its invocation's request id on a header, so a test can tell which request ran it. */
function stampHook(name: string, body: string): void {
  mkdirSync(path.join(functionsDir, name), { recursive: true });
  writeFileSync(
    path.join(functionsDir, name, "index.js"),
    `exports.handler = async (event) => { const cf = event.Records[0].cf; const id = cf.config.requestId; ${body} };`,
  );
  writeFileSync(path.join(functionsDir, name, "function.json"), JSON.stringify({ handler: "index.handler" }));
}
stampHook(
  "vreq",
  `if (cf.request.headers["x-deny"]) return { status: "403", headers: { "x-vreq": [{ value: id }] } };
   if (cf.request.uri === "/cached/alias") cf.request.uri = "/cached/page";
   return cf.request;`,
);
stampHook(
  "oreq",
  `if (cf.request.uri.endsWith("/generated")) return { status: "200", body: "generated for " + id };
   cf.request.headers["x-origin-request"] = [{ value: id }];
   return cf.request;`,
);
stampHook(`oresp`, `cf.response.headers["x-origin-response"] = [{ value: id }]; return cf.response;`);
stampHook(`vresp`, `cf.response.headers["x-viewer-response"] = [{ value: id }]; return cf.response;`);

/**
 * The origin counts the requests it gets by URL. Path segments steer its answer: `status=N`,
 * `cc=<Cache-Control>`, `exp=<seconds from now>` (an Expires header), `size=<bytes>`.
 */
const originCount = new Map<string, number>();
const origin = http.createServer((req, res) => {
  const url = req.url ?? "";
  originCount.set(url, (originCount.get(url) ?? 0) + 1);
  const segment = (name: string) =>
    url
      .split(/[/?]/)
      .find((s) => s.startsWith(`${name}=`))
      ?.slice(name.length + 1);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const cc = segment("cc");
  if (cc !== undefined) headers["cache-control"] = cc;
  const exp = segment("exp");
  if (exp !== undefined) headers.expires = new Date(Date.now() + Number(exp) * 1000).toUTCString();
  if (segment("status") === "307") headers.location = "/elsewhere";
  res.writeHead(Number(segment("status") ?? 200), headers);
  const size = segment("size");
  res.end(
    size === undefined
      ? JSON.stringify({ url, served: originCount.get(url), originRequest: req.headers["x-origin-request"] ?? null })
      : "x".repeat(Number(size)),
  );
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

const api = useServer({
  functionsDir,
  doors: parseConfig({
    doors: [
      {
        type: "cloudfront",
        port: 0,
        behaviors: [
          {
            path: "/cached/*",
            origin: originUrl,
            viewerRequest: "vreq:1",
            originRequest: "oreq:1",
            originResponse: "oresp:1",
            viewerResponse: "vresp:1",
            cache: {},
          },
          {
            path: "/keys/*",
            origin: originUrl,
            cache: { queryStrings: ["lang"], headers: ["X-Variant"], cookies: ["session"] },
          },
          { path: "/all/*", origin: originUrl, cache: { queryStrings: "all", cookies: "all" } },
          { path: "/ttl/*", origin: originUrl, cache: { defaultTtl: 2, maxTtl: 2 } },
          { path: "/min/*", origin: originUrl, cache: { minTtl: 60 } },
          { path: "*", origin: originUrl },
        ],
      },
      { type: "cloudfront", port: 0, cacheMaxBytes: 3000, behaviors: [{ path: "*", origin: originUrl, cache: {} }] },
    ],
  }).doors,
});
let cf = "";
beforeAll(() => {
  cf = api.door(0);
});

/** GETs (or sends) `url` on the door; the origin's count for the path it reached, and what the viewer saw. */
async function get(url: string, init: RequestInit = {}, door = cf) {
  const res = await fetch(`${door}${url}`, { redirect: "manual", ...init });
  const body = await res.text();
  return { status: res.status, xCache: res.headers.get("x-cache"), age: res.headers.get("age"), headers: res.headers, body };
}

const miss = "Miss from cloudfront";
const hit = "Hit from cloudfront";
/** What X-Cache said for the same GET sent twice. */
const twice = async (url: string) => [(await get(url)).xCache, (await get(url)).xCache];

describe("CloudFront door cache", () => {
  it("answers a second identical GET from the cache: no origin, no origin hooks, viewer hooks run", async () => {
    const miss = await get("/cached/page");
    const missId = miss.headers.get("x-amz-cf-id");
    expect(miss).toMatchObject({ status: 200, xCache: "Miss from cloudfront", age: null });
    expect(JSON.parse(miss.body)).toEqual({ url: "/cached/page", served: 1, originRequest: missId });
    expect(miss.headers.get("x-origin-response")).toBe(missId);
    expect(miss.headers.get("x-viewer-response")).toBe(missId);

    const hit = await get("/cached/page");
    expect(hit).toMatchObject({ status: 200, xCache: "Hit from cloudfront", age: expect.stringMatching(/^\d+$/), body: miss.body });
    expect(originCount.get("/cached/page")).toBe(1);
    // What the origin-response hook produced is what was stored; the viewer-response hook ran for this request.
    expect(hit.headers.get("x-origin-response")).toBe(missId);
    expect(hit.headers.get("x-viewer-response")).toBe(hit.headers.get("x-amz-cf-id"));
    expect(hit.headers.get("x-viewer-response")).not.toBe(missId);

    // The key is taken after viewer-request: a URI it rewrites to /cached/page is the same object.
    expect((await get("/cached/alias")).xCache).toBe("Hit from cloudfront");
    // A viewer-request hook runs before the cache, and its generated response is never stored.
    const denied = await get("/cached/page", { headers: { "x-deny": "1" } });
    expect(denied).toMatchObject({ status: 403, xCache: "LambdaGeneratedResponse from cloudfront" });
    expect(denied.headers.get("x-vreq")).toBe(denied.headers.get("x-amz-cf-id"));
    expect((await get("/cached/page")).xCache).toBe("Hit from cloudfront");
    expect(originCount.get("/cached/page")).toBe(1);
  });

  it("caches a response an origin-request hook generated, as CloudFront does", async () => {
    const first = await get("/cached/generated");
    expect(first).toMatchObject({
      xCache: "LambdaGeneratedResponse from cloudfront",
      body: `generated for ${first.headers.get("x-amz-cf-id")}`,
    });
    const again = await get("/cached/generated");
    expect(again).toMatchObject({ xCache: "Hit from cloudfront", body: first.body });
  });

  it("keys on the path and the policy's query strings, headers and cookies only", async () => {
    expect((await get("/keys/p?lang=en&x=1")).xCache).toBe("Miss from cloudfront");
    expect((await get("/keys/p?x=2&lang=en")).xCache).toBe("Hit from cloudfront");
    expect((await get("/keys/p?lang=fr")).xCache).toBe("Miss from cloudfront");
    expect((await get("/keys/q?lang=en")).xCache).toBe("Miss from cloudfront");
    expect((await get("/keys/p?lang=en", { headers: { "x-variant": "b" } })).xCache).toBe("Miss from cloudfront");
    expect((await get("/keys/p?lang=en", { headers: { "X-Variant": "b", "x-other": "1" } })).xCache).toBe("Hit from cloudfront");
    expect((await get("/keys/p?lang=en", { headers: { cookie: "session=1" } })).xCache).toBe("Miss from cloudfront");
    expect((await get("/keys/p?lang=en", { headers: { cookie: "theme=dark; session=1" } })).xCache).toBe("Hit from cloudfront");
    expect((await get("/keys/p?lang=en", { headers: { cookie: "session=2" } })).xCache).toBe("Miss from cloudfront");
    // "all": every query string and cookie is in the key.
    expect((await get("/all/p?a=1")).xCache).toBe("Miss from cloudfront");
    expect((await get("/all/p?a=2")).xCache).toBe("Miss from cloudfront");
    expect((await get("/all/p?a=1", { headers: { cookie: "c=1" } })).xCache).toBe("Miss from cloudfront");
    expect((await get("/all/p?a=1")).xCache).toBe("Hit from cloudfront");
  });

  it("caches GET and HEAD only", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      expect((await get("/all/post", { method, body: "b" })).xCache).toBe("Miss from cloudfront");
      expect((await get("/all/post", { method, body: "b" })).xCache).toBe("Miss from cloudfront");
    }
    expect(originCount.get("/all/post")).toBe(6);
    expect((await get("/all/head", { method: "HEAD" })).xCache).toBe("Miss from cloudfront");
    expect((await get("/all/head", { method: "HEAD" })).xCache).toBe("Hit from cloudfront");
  });

  it("follows the origin's Cache-Control and Expires within the policy's TTLs", async () => {
    // minTtl 0: no-store, no-cache, private and a zero max-age keep a response out of the cache.
    expect(await twice("/all/cc=no-store/a")).toEqual([miss, miss]);
    expect(await twice("/all/cc=no-cache/a")).toEqual([miss, miss]);
    expect(await twice("/all/cc=private,max-age=60/a")).toEqual([miss, miss]);
    expect(await twice("/all/cc=max-age=0/a")).toEqual([miss, miss]);
    expect(await twice("/all/cc=public,max-age=60/a")).toEqual([miss, hit]);
    // s-maxage is CloudFront's, over max-age; max-age wins over Expires.
    expect(await twice("/all/cc=max-age=60,s-maxage=0/a")).toEqual([miss, miss]);
    expect(await twice("/all/cc=max-age=0,s-maxage=60/a")).toEqual([miss, hit]);
    expect(await twice("/all/cc=max-age=0/exp=60/a")).toEqual([miss, miss]);
    expect(await twice("/all/exp=60/a")).toEqual([miss, hit]);
    expect(await twice("/all/exp=-60/a")).toEqual([miss, miss]);
    // minTtl > 0 wins over all of them.
    expect(await twice("/min/cc=no-store/a")).toEqual([miss, hit]);
    expect(await twice("/min/cc=max-age=0/a")).toEqual([miss, hit]);
    expect(await twice("/min/exp=-60/a")).toEqual([miss, hit]);
  });

  it("lets an entry expire after its TTL: the default TTL, and a longer max-age cut to maxTtl", async () => {
    for (const url of ["/ttl/default", "/ttl/cc=max-age=3600/long"]) {
      expect((await get(url)).xCache).toBe("Miss from cloudfront");
      expect((await get(url)).xCache).toBe("Hit from cloudfront");
      // The 2 s TTL must pass on purpose; then the entry expires and the origin is asked again.
      await waitFor(async () => (await get(url)).xCache === "Miss from cloudfront", `the cached ${url} expired`, {
        timeoutMs: 8000,
        intervalMs: 100,
      });
      expect(originCount.get(url)).toBe(2);
    }
  });

  it("caches errors as CloudFront does, without the viewer-response hook on a hit", async () => {
    const notFound = await get("/cached/status=404/e");
    expect(notFound).toMatchObject({ status: 404, xCache: miss });
    const notFoundAgain = await get("/cached/status=404/e");
    expect(notFoundAgain).toMatchObject({ status: 404, xCache: hit });
    expect(notFoundAgain.headers.get("x-viewer-response")).toBeNull();
    // 403 only with max-age or s-maxage; no-store keeps a 404 out, not a 500.
    expect(await twice("/all/status=403/e")).toEqual([miss, miss]);
    expect(await twice("/all/status=403/cc=max-age=60/e")).toEqual([miss, hit]);
    expect(await twice("/all/status=404/cc=no-store/e")).toEqual([miss, miss]);
    expect(await twice("/all/status=500/cc=no-store/e")).toEqual([miss, hit]);
    expect(await twice("/all/status=401/cc=max-age=60/e")).toEqual([miss, miss]);
    // 307 only with a Cache-Control header.
    expect(await twice("/all/status=307/e")).toEqual([miss, miss]);
    expect(await twice("/all/status=307/cc=public/e")).toEqual([miss, hit]);
  });

  it("never hands out more than cacheMaxBytes: the least recently used entry goes first", async () => {
    const small = api.door(1);
    expect((await get("/size=1200/a", {}, small)).xCache).toBe("Miss from cloudfront");
    expect((await get("/size=1200/a", {}, small)).xCache).toBe("Hit from cloudfront");
    expect((await get("/size=1200/b", {}, small)).xCache).toBe("Miss from cloudfront");
    expect((await get("/size=1200/a", {}, small)).xCache).toBe("Hit from cloudfront");
    // A third entry does not fit beside two: b, the least recently used, is evicted.
    expect((await get("/size=1200/c", {}, small)).xCache).toBe("Miss from cloudfront");
    expect((await get("/size=1200/b", {}, small)).xCache).toBe("Miss from cloudfront");
    // An entry larger than the whole cache is served, never stored.
    expect((await get("/size=5000/big", {}, small)).xCache).toBe("Miss from cloudfront");
    expect((await get("/size=5000/big", {}, small)).xCache).toBe("Miss from cloudfront");
  });

  it("leaves behaviors without a cache policy uncached", async () => {
    expect((await get("/plain/cc=max-age=60/a")).xCache).toBe("Miss from cloudfront");
    expect((await get("/plain/cc=max-age=60/a")).xCache).toBe("Miss from cloudfront");
    expect(originCount.get("/plain/cc=max-age=60/a")).toBe(2);
  });
});

describe("cache policy validation", () => {
  const attempt = (cache: unknown, door: Record<string, unknown> = {}) => {
    try {
      parseConfig({ doors: [{ type: "cloudfront", port: 0, behaviors: [{ path: "*", origin: originUrl, cache }], ...door }] });
      return "valid";
    } catch (error) {
      return (error as Error).message;
    }
  };

  it("accepts CloudFront's defaults, deriving defaultTtl and maxTtl from minTtl as the API does", () => {
    const doors = parseConfig({
      doors: [{ type: "cloudfront", port: 0, behaviors: [{ path: "*", origin: originUrl, cache: { minTtl: 100000 } }] }],
    }).doors;
    expect(doors[0]).toMatchObject({
      cacheMaxBytes: 64 * 1024 * 1024,
      behaviors: [{ cache: { minTtl: 100000, defaultTtl: 100000, maxTtl: 31536000, queryStrings: "none", headers: [], cookies: "none" } }],
    });
  });

  it("refuses TTLs out of order and key parts CloudFront would refuse, naming the field", () => {
    const at = "config: doors.0.behaviors.0.cache";
    expect(attempt({ minTtl: 10, defaultTtl: 5 })).toBe(`${at}.minTtl: minTtl (10) must not exceed defaultTtl (5)`);
    expect(attempt({ defaultTtl: 100, maxTtl: 50 })).toBe(`${at}.defaultTtl: defaultTtl (100) must not exceed maxTtl (50)`);
    expect(attempt({ maxTtl: 60 })).toBe(`${at}.defaultTtl: defaultTtl (86400) must not exceed maxTtl (60)`);
    expect(attempt({ minTtl: -1 })).toMatch(new RegExp(`^${at}.minTtl: `));
    expect(attempt({ defaultTtl: 1.5 })).toMatch(new RegExp(`^${at}.defaultTtl: `));
    expect(attempt({ queryStrings: "some" })).toMatch(new RegExp(`^${at}.queryStrings: `));
    expect(attempt({ headers: Array.from({ length: 11 }, (_, i) => `h${i}`) })).toBe(
      `${at}.headers: at most 10 headers in a cache key, as CloudFront's cache policy quota allows`,
    );
    expect(attempt({ ttl: 5 })).toMatch(/Unrecognized key.*"ttl"/);
    expect(attempt({}, { cacheMaxBytes: 0 })).toMatch(/^config: doors.0.cacheMaxBytes: /);
  });
});
