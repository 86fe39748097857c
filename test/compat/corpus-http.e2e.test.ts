import { gzipSync } from "node:zlib";
import { describe, expect } from "vitest";
import { useServer } from "../api/server.js";
import { useOrigin } from "../loopback.js";
import { type CorpusCase, corpusTests } from "./corpus.js";

const api = useServer();

/** A loopback origin: echoes JSON requests (gzipped when accepted), answers 404 and a redirect, as an upstream API would. */
const origin = useOrigin((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on("end", () => {
    if (req.url === "/missing") return res.writeHead(404, { "content-type": "application/json" }).end('{"error":"nope"}');
    if (req.url === "/moved") return res.writeHead(302, { location: "/things?from=moved" }).end();
    const answer = JSON.stringify({
      method: req.method,
      url: req.url,
      client: req.headers["x-client"] ?? null,
      body: body === "" ? null : JSON.parse(body),
    });
    // Compressed for a client that accepts it, as real APIs answer: each client decodes it once.
    const zipped = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
    res.writeHead(req.method === "POST" ? 201 : 200, {
      "content-type": "application/json",
      "x-origin": "corpus",
      ...(zipped ? { "content-encoding": "gzip" } : {}),
    });
    res.end(zipped ? gzipSync(answer) : answer);
  });
});

/** What every client is asked to do: a GET with a query, a JSON POST, a 404, a followed redirect. */
const EXPECTED = {
  get: { status: 200, origin: "corpus", data: { method: "GET", url: "/things?q=a%20b", client: "corpus", body: null } },
  post: { status: 201, data: { method: "POST", url: "/things", client: "corpus", body: { name: "widget" } } },
  missing: 404,
  redirected: { method: "GET", url: "/things?from=moved", client: "corpus", body: null },
};

const CASES: CorpusCase[] = [
  {
    name: "corpus-fetch",
    packages: [],
    event: ({ base }) => ({ base }),
    files: {
      "index.mjs": `
        export const handler = async ({ base }) => {
          const headers = { "x-client": "corpus", "content-type": "application/json" };
          const get = await fetch(base + "/things?q=a%20b", { headers });
          const post = await fetch(new Request(base + "/things", { method: "POST", headers, body: JSON.stringify({ name: "widget" }) }));
          const missing = await fetch(base + "/missing");
          const redirected = await fetch(base + "/moved", { headers, signal: AbortSignal.timeout(5000) });
          return {
            get: { status: get.status, origin: get.headers.get("x-origin"), data: await get.json() },
            post: { status: post.status, data: await post.json() },
            missing: missing.status,
            redirected: await redirected.json(),
            wasRedirected: redirected.redirected,
          };
        };`,
    },
    check: (out) => {
      expect(out).toEqual({ ...EXPECTED, wasRedirected: true });
    },
  },
  {
    name: "corpus-node-fetch",
    packages: ["node-fetch"],
    event: ({ base }) => ({ base }),
    files: {
      "index.mjs": `
        import fetch, { Headers } from "node-fetch";
        export const handler = async ({ base }) => {
          const headers = new Headers({ "x-client": "corpus", "content-type": "application/json" });
          const get = await fetch(base + "/things?q=a%20b", { headers });
          const post = await fetch(base + "/things", { method: "POST", headers, body: JSON.stringify({ name: "widget" }) });
          const missing = await fetch(base + "/missing");
          const redirected = await fetch(base + "/moved", { headers });
          const manual = await fetch(base + "/moved", { redirect: "manual" });
          return {
            get: { status: get.status, origin: get.headers.get("x-origin"), data: await get.json() },
            post: { status: post.status, data: await post.json() },
            missing: missing.status,
            redirected: await redirected.json(),
            manual: { status: manual.status, location: new URL(manual.headers.get("location"), base).pathname },
          };
        };`,
    },
    check: (out) => {
      expect(out).toEqual({ ...EXPECTED, manual: { status: 302, location: "/things" } });
    },
  },
  {
    name: "corpus-got",
    packages: ["got"],
    event: ({ base }) => ({ base }),
    files: {
      "index.mjs": `
        import got, { HTTPError } from "got";
        export const handler = async ({ base }) => {
          const client = got.extend({ prefixUrl: base, headers: { "x-client": "corpus" }, retry: { limit: 0 }, timeout: { request: 5000 } });
          const get = await client.get("things", { searchParams: { q: "a b" } });
          const post = await client.post("things", { json: { name: "widget" } });
          let missing;
          try { await client.get("missing"); } catch (e) { missing = e instanceof HTTPError ? e.response.statusCode : e.code; }
          return {
            get: { status: get.statusCode, origin: get.headers["x-origin"], data: JSON.parse(get.body) },
            post: { status: post.statusCode, data: JSON.parse(post.body) },
            missing,
            redirected: await client.get("moved").json(),
          };
        };`,
    },
    check: (out) => {
      // got encodes a query's space as "+" (URLSearchParams), where the others were given "%20".
      expect(out).toEqual({ ...EXPECTED, get: { ...EXPECTED.get, data: { ...EXPECTED.get.data, url: "/things?q=a+b" } } });
    },
  },
  {
    name: "corpus-axios",
    packages: ["axios"],
    event: ({ base }) => ({ base }),
    files: {
      "index.js": `
        const axios = require("axios");
        exports.handler = async ({ base }) => {
          const client = axios.create({ baseURL: base, headers: { "x-client": "corpus" }, timeout: 5000 });
          const get = await client.get("/things?q=a%20b");
          const post = await client.post("/things", { name: "widget" });
          const missing = await client.get("/missing", { validateStatus: () => true });
          const redirected = await client.get("/moved");
          return {
            get: { status: get.status, origin: get.headers["x-origin"], data: get.data },
            post: { status: post.status, data: post.data },
            missing: missing.status,
            redirected: redirected.data,
          };
        };`,
    },
    check: (out) => {
      expect(out).toEqual(EXPECTED);
    },
  },
];

describe("HTTP clients inside the sandbox against a loopback origin, each answer equal to Node's", () => {
  corpusTests(api, CASES, () => origin.url);
});
