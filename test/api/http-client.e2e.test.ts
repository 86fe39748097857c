import { gzipSync } from "node:zlib";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { closedLoopbackPort, useOrigin } from "../loopback.js";
import { useServer } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();
const origin = useOrigin((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on("end", () => {
    if (req.url === "/redirect") return res.writeHead(302, { location: "/elsewhere" }).end();
    if (req.url === "/gzip")
      return res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" }).end(gzipSync("zipped text"));
    res.writeHead(201, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-echo-method": req.method ?? "" });
    res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization, custom: req.headers["x-custom"] }));
  });
});
/** A loopback port nothing listens on. */
let closedPort = 0;
beforeAll(async () => {
  closedPort = await closedLoopbackPort();
});

async function run(source: string, event: object): Promise<unknown> {
  const name = `http-${Math.random().toString(36).slice(2, 8)}`;
  await api.create(name, source);
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const payload = JSON.parse(decoder.decode(out.Payload));
  if (out.FunctionError) throw new Error(JSON.stringify(payload));
  return payload;
}

/** Collects a response the way Node code does: events, chunks, then the text. */
const COLLECT = `
const collect = (res) => new Promise((resolve, reject) => {
  const chunks = [];
  res.on("data", (c) => chunks.push(c));
  res.on("end", () => resolve({ status: res.statusCode, message: res.statusMessage, headers: res.headers, bytes: Buffer.concat(chunks), text: Buffer.concat(chunks).toString() }));
  res.on("error", reject);
});`;

describe("node:http client requests inside the sandbox", () => {
  it("sends a request with a body and headers, and reads status, headers and body as Node does", async () => {
    const result = (await run(
      `const http = require("node:http"); ${COLLECT}
       exports.handler = (event) => new Promise((resolve, reject) => {
         const req = http.request(event.url + "/things?x=1", { method: "POST", headers: { "x-custom": "yes" }, auth: "user:pass" }, (res) => collect(res).then(resolve, reject));
         req.on("error", reject);
         req.write("hello ");
         req.end(Buffer.from("world"));
       });`,
      { url: origin.url },
    )) as { status: number; message: string; headers: Record<string, unknown>; text: string };
    expect(result.status).toBe(201);
    expect(result.message).toBe("Created");
    expect(result.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(result.headers["x-echo-method"]).toBe("POST");
    expect(JSON.parse(result.text)).toEqual({
      method: "POST",
      url: "/things?x=1",
      body: "hello world",
      auth: `Basic ${Buffer.from("user:pass").toString("base64")}`,
      custom: "yes",
    });
  });

  it("hands redirects to the caller, a compressed body as it came (the caller decodes it, as in Node), and reports refused connections", async () => {
    const result = await run(
      `const http = require("http"); const zlib = require("zlib"); ${COLLECT}
       const get = (url) => new Promise((resolve, reject) => http.get(url, (res) => collect(res).then(resolve, reject)).on("error", reject));
       exports.handler = async (event) => {
         const redirect = await get(event.url + "/redirect");
         const gzip = await get(event.url + "/gzip");
         const refused = await get(event.refused).catch((e) => [e.code, e.message]);
         return { redirect: [redirect.status, redirect.headers.location], gzip: [zlib.gunzipSync(gzip.bytes).toString(), gzip.headers["content-encoding"] ?? null], refused };
       };`,
      { url: origin.url, refused: `http://127.0.0.1:${closedPort}/` },
    );
    expect(result).toEqual({
      redirect: [302, "/elsewhere"],
      gzip: ["zipped text", "gzip"],
      refused: ["ECONNREFUSED", `connect ECONNREFUSED 127.0.0.1:${closedPort}`],
    });
  });

  it("makes servers that frameworks configure but refuses to listen, with a clear error", async () => {
    const result = await run(
      `exports.handler = async () => { const server = require("http").createServer(() => {}).setTimeout(5); try { server.listen(3000); } catch (e) { return [server.timeout, server.address(), e.message, e.code]; } };`,
      {},
    );
    expect(result).toEqual([
      5,
      null,
      "http.Server.listen is not available in isolambda: a function cannot listen",
      "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
    ]);
  });
});
