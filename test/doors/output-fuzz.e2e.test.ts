/**
 * Hostile function output through every door: ALB (single- and multi-value headers), function URLs
 * (BUFFERED and RESPONSE_STREAM, a buffered and a streaming handler) and the four Lambda@Edge hooks.
 * A response its AWS counterpart would refuse is a 502 (CloudFront: LambdaValidationError), a
 * function that fails a 502 (503 at CloudFront), and the server answers on after every batch.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import {
  FUZZ_SOURCE,
  FUZZ_STREAM_SOURCE,
  HEAD_CASE_NAMES,
  type HeadCase,
  RESULT_CASES,
  type ResultCase,
  type StreamCase,
} from "../api/fuzz-function.js";
import { storedLogs, useServer } from "../api/server.js";

const root = mkdtempSync(path.join(tmpdir(), "isolambda-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const functionsDir = path.join(root, "functions");
for (const [name, source] of [
  ["fuzz", FUZZ_SOURCE],
  ["fuzz-stream", FUZZ_STREAM_SOURCE],
]) {
  mkdirSync(path.join(functionsDir, name as string), { recursive: true });
  writeFileSync(path.join(functionsDir, name as string, "index.js"), source as string);
}

/** The CloudFront behaviors' origin: 200 and a short text for any request. */
const origin = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("from the origin");
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const DOORS = [
  { type: "alb", port: 0, rules: [], defaultAction: { target: "fuzz" } },
  { type: "alb", port: 0, multiValueHeaders: true, rules: [], defaultAction: { target: "fuzz" } },
  { type: "url", port: 0, target: "fuzz", invokeMode: "BUFFERED" },
  { type: "url", port: 0, target: "fuzz", invokeMode: "RESPONSE_STREAM" },
  { type: "url", port: 0, target: "fuzz-stream", invokeMode: "BUFFERED" },
  { type: "url", port: 0, target: "fuzz-stream", invokeMode: "RESPONSE_STREAM" },
  {
    type: "cloudfront",
    port: 0,
    behaviors: [
      { path: "/viewer-request/*", origin: originUrl, viewerRequest: "fuzz:1" },
      { path: "/origin-request/*", origin: originUrl, originRequest: "fuzz:1" },
      { path: "/origin-response/*", origin: originUrl, originResponse: "fuzz:1" },
      { path: "/viewer-response/*", origin: originUrl, viewerResponse: "fuzz:1" },
    ],
  },
] as const;
const api = useServer({ functionsDir, doors: parseConfig({ doors: DOORS }).doors });
const door = {
  alb: () => api.door(0),
  albMulti: () => api.door(1),
  url: () => api.door(2),
  urlStreamMode: () => api.door(3),
  streamUrl: () => api.door(4),
  streamUrlStreamMode: () => api.door(5),
  cloudfront: () => api.door(6),
};

interface Answer {
  status: number;
  reason: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http with room for the 200 KB headers some doors pass on (fetch refuses them). */
function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { maxHeaderSize: 2 * 1024 * 1024 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? "",
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** The server still answers: a hello through a door and through Invoke. */
async function stillServing(): Promise<void> {
  const hello = await get(`${door.alb()}/hello`);
  expect([hello.status, hello.body]).toEqual([200, "hello"]);
  const out = await api.client.send(new InvokeCommand({ FunctionName: "fuzz", Payload: new TextEncoder().encode('{"case":"hello"}') }));
  expect(out.FunctionError).toBeUndefined();
}

/** Requests `base/prefix/case` for each case, and compares every status with the expected one. */
async function statuses<C extends string>(base: string, cases: readonly C[], expected: (name: C) => number): Promise<void> {
  const got: Record<string, number> = {};
  const want: Record<string, number> = {};
  for (const name of cases) {
    got[name] = (await get(`${base}/${encodeURIComponent(name)}`)).status;
    want[name] = expected(name);
  }
  expect(got).toEqual(want);
  await stillServing();
}

/** 502 but for the heads a door passes on: a Latin-1 description always, and what `passed` lists for the door. */
const except =
  (passed: Partial<Record<HeadCase, number>>) =>
  (name: HeadCase): number =>
    passed[name] ?? (name === "desc-latin1" ? 200 : 502);

describe("hostile response heads", () => {
  it("ALB answers 502 to each, with single-value and multi-value headers", async () => {
    await statuses(`${door.alb()}/case`, HEAD_CASE_NAMES, except({}));
    await statuses(`${door.albMulti()}/case`, HEAD_CASE_NAMES, except({}));
    expect(api.doorLog).toContainEqual(
      expect.stringMatching(/alb door :\d+: 502 .*invalid response: statusCode 101 is missing or not an HTTP status for a response/),
    );
    expect(api.doorLog).toContainEqual(
      expect.stringMatching(/invalid response: header x-huge is 204\d\d\d bytes, over the 16384-byte limit/),
    );
    expect(api.doorLog).toContainEqual(expect.stringMatching(/invalid response: status 304 has no body, and the response has 9 bytes/));
    expect((await get(`${door.alb()}/case/desc-latin1`)).reason).toBe("Ünï");
  });

  it("a function URL answers 502 to each, from a buffered handler in either invoke mode", async () => {
    // Function URLs take no statusDescription and document no header-size quota.
    const passed = { "desc-crlf": 200, "desc-nul": 200, "desc-non-latin1": 200, "value-huge": 200, "values-many": 200 } as const;
    await statuses(`${door.url()}/case`, HEAD_CASE_NAMES, except(passed));
    await statuses(`${door.urlStreamMode()}/case`, HEAD_CASE_NAMES, except(passed));
    const huge = await get(`${door.url()}/case/value-huge`);
    expect(huge.headers["x-huge"]).toHaveLength(200 * 1024);
  });

  it("a function URL answers 502 to each prelude of a streaming handler; a streamed 204 or 304 loses its body", async () => {
    const passed = { "desc-crlf": 200, "desc-nul": 200, "desc-non-latin1": 200, "value-huge": 200, "values-many": 200 } as const;
    await statuses(`${door.streamUrl()}/case`, HEAD_CASE_NAMES, except(passed));
    // Once the head is sent the body can only be dropped, as Node does for these statuses.
    await statuses(`${door.streamUrlStreamMode()}/case`, HEAD_CASE_NAMES, except({ ...passed, "204-body": 204, "304-body": 304 }));
    expect((await get(`${door.streamUrlStreamMode()}/case/204-body`)).body).toBe("");
  });

  it("CloudFront answers 502 LambdaValidationError from each hook, within Lambda@Edge's own quotas and rules", async () => {
    const cf = door.cloudfront();
    // Viewer-request responses are capped at 40 KB and a 204 may have no body; origin responses at 1 MB.
    await statuses(`${cf}/viewer-request`, HEAD_CASE_NAMES, except({ "304-body": 304 }));
    const originSide = except({ "value-huge": 200, "values-many": 200, "204-body": 204, "304-body": 304 });
    await statuses(`${cf}/origin-request`, HEAD_CASE_NAMES, originSide);
    await statuses(`${cf}/origin-response`, HEAD_CASE_NAMES, originSide);
    // A viewer-response function cannot change the status: CloudFront keeps the origin's 200.
    await statuses(
      `${cf}/viewer-response`,
      HEAD_CASE_NAMES,
      except({ "value-huge": 200, "values-many": 200, "204-body": 200, "304-body": 200 }),
    );
    const refused = await get(`${cf}/viewer-request/name-crlf`);
    expect(refused.headers["x-cache"]).toBe("LambdaValidationError from cloudfront");
    expect(api.doorLog).toContainEqual(
      expect.stringMatching(/502 LambdaValidationError .*header name "x-a\\r\\nx-injected" is not an HTTP token/),
    );
  });
});

describe("hostile results", () => {
  /** A function error, or a result that is no response: what each door makes of it. */
  const ALB: Record<ResultCase, number> = {
    cyclic: 502,
    deep: 502,
    bigint: 502,
    undefined: 502,
    function: 502,
    "lone-surrogate": 502,
    "throw-null": 502,
    "throw-cyclic": 502,
    "throw-crlf": 502,
  };
  // With multi-value headers on, ELB reads multiValueHeaders only: the lone surrogate in headers is not sent.
  const ALB_MULTI = { ...ALB, "lone-surrogate": 200 };
  // Payload format 2.0: any JSON without a statusCode is a 200 with that JSON as the body.
  const URL = { ...ALB, deep: 200, undefined: 200 };
  const FAILED = { cyclic: 503, bigint: 503, "throw-null": 503, "throw-cyclic": 503, "throw-crlf": 503 } as const;

  it("ALB, function URLs and CloudFront answer each as their AWS counterpart does", async () => {
    await statuses(`${door.alb()}/case`, RESULT_CASES, (name) => ALB[name]);
    await statuses(`${door.albMulti()}/case`, RESULT_CASES, (name) => ALB_MULTI[name]);
    await statuses(`${door.url()}/case`, RESULT_CASES, (name) => URL[name]);
    await statuses(`${door.urlStreamMode()}/case`, RESULT_CASES, (name) => URL[name]);
    const cf = (name: ResultCase) => (name in FAILED ? 503 : 502);
    for (const hook of ["viewer-request", "origin-request", "origin-response", "viewer-response"])
      await statuses(`${door.cloudfront()}/${hook}`, RESULT_CASES, cf);
  });
});

describe("hostile streams", () => {
  const CONTENT_TYPES: StreamCase[] = ["ct-crlf", "ct-lf", "ct-non-latin1"];

  it("a function URL answers 502 to a content type no header may carry, in either invoke mode (issue 24's reproduction)", async () => {
    await statuses(`${door.streamUrl()}/case`, CONTENT_TYPES, () => 502);
    await statuses(`${door.streamUrlStreamMode()}/case`, CONTENT_TYPES, () => 502);
    expect(api.doorLog).toContainEqual(expect.stringMatching(/url door \(fuzz-stream\): 502 .*invalid response stream: content type/));
  });

  it("keeps streaming into nothing when the client leaves after the first chunk", async () => {
    await new Promise<void>((resolve, reject) => {
      const request = http.get(`${door.streamUrlStreamMode()}/case/drip`, (res) => {
        res.once("data", () => {
          request.destroy();
          resolve();
        });
      });
      request.on("error", (error) => (request.destroyed ? undefined : reject(error)));
    });
    // The handler writes nine more chunks after the client left, then logs.
    const logs = await storedLogs(api.dataDir, "fuzz-stream", (messages) => messages.some((m) => m.includes("drip done")));
    expect(logs.some((m) => m.includes("drip done"))).toBe(true);
    await stillServing();
  });

  it("passes invalid UTF-8 as bytes, cuts a stream short at a throw, and answers after a hostile log", async () => {
    for (const base of [door.streamUrl(), door.streamUrlStreamMode()]) {
      const bytes = await new Promise<Buffer>((resolve, reject) => {
        http.get(`${base}/case/bytes-invalid-utf8`, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve(Buffer.concat(chunks)));
          res.on("error", reject);
        });
      });
      expect([...bytes]).toEqual([0xff, 0xfe, 0xc3, 0x28]);
      expect((await get(`${base}/case/log-hostile`)).body).toBe("logged");
    }
    expect((await get(`${door.streamUrl()}/case/throw-after-write`)).status).toBe(502);
    const cut = await get(`${door.streamUrlStreamMode()}/case/throw-after-write`);
    expect([cut.status, cut.body]).toEqual([200, "partial"]);
    await stillServing();
  });
});
