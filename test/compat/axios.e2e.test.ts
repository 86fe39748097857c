import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { useOrigin } from "../loopback.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();
const received: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];

const origin = useOrigin((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on("end", () => {
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.url === "/missing") return res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "nope" }));
    res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json", "x-origin": "compat" });
    res.end(JSON.stringify({ method: req.method, url: req.url, body: body === "" ? null : JSON.parse(body) }));
  });
});

describe("axios inside the sandbox", () => {
  it("GETs and POSTs JSON through its http adapter over node:http, and turns a 404 into an AxiosError", async () => {
    await deployPackaged(api, "compat-axios", {
      packages: ["axios"],
      files: {
        "index.js": `
          const axios = require("axios");
          exports.handler = async (event) => {
            const client = axios.create({ baseURL: event.base, timeout: 5000, headers: { "x-client": "compat" } });
            const get = await client.get("/things", { params: { q: "a b", n: 2 } });
            const post = await client.post("/things", { name: "widget", tags: ["x"] });
            let failure;
            try { await client.get("/missing"); } catch (e) {
              failure = { name: e.name, code: e.code, status: e.response.status, data: e.response.data, isAxiosError: axios.isAxiosError(e) };
            }
            return {
              get: { status: get.status, data: get.data, type: get.headers["content-type"], origin: get.headers["x-origin"] },
              // Its http adapter hands back the node:http ClientRequest it sent; the fetch adapter, a Request.
              sentWithHttp: get.request instanceof require("node:http").ClientRequest,
              post: { status: post.status, statusText: post.statusText, data: post.data },
              failure,
            };
          };`,
      },
    });
    received.length = 0;
    const out = (await invokeOk(api, "compat-axios", { base: origin.url })) as Record<string, unknown>;
    expect(out.get).toEqual({
      status: 200,
      data: { method: "GET", url: "/things?q=a+b&n=2", body: null },
      type: "application/json",
      origin: "compat",
    });
    expect(out.sentWithHttp).toBe(true);
    expect(out.post).toEqual({
      status: 201,
      statusText: "Created",
      data: { method: "POST", url: "/things", body: { name: "widget", tags: ["x"] } },
    });
    expect(out.failure).toEqual({ name: "AxiosError", code: "ERR_BAD_REQUEST", status: 404, data: { error: "nope" }, isAxiosError: true });
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /things?q=a+b&n=2", "POST /things", "GET /missing"]);
    const post = received[1];
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.headers["x-client"]).toBe("compat");
    expect(post?.headers["user-agent"]).toMatch(/^axios\/1\./);
  });
});
