/**
 * A handler's outbound requests under the config's egress rules: a loopback port declared forbidden
 * stands for the metadata service (nothing here is sent anywhere but loopback).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "./server.js";

/** A loopback server that counts what reaches it; /redirect sends the client to `redirectTo`. */
function target(): { server: Server; hits: string[]; port(): number; redirectTo: string } {
  const self = {
    hits: [] as string[],
    redirectTo: "",
    server: createServer((req, res) => {
      self.hits.push(req.url ?? "");
      if (req.url === "/redirect") res.writeHead(302, { location: self.redirectTo }).end();
      else res.end("reached");
    }),
    port: () => (self.server.address() as AddressInfo).port,
  };
  return self;
}

const forbidden = target();
const open = target();
const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
// The port is only known once listening, and the server's config is read when it starts.
const egress = { deny: [{ cidr: "127.0.0.1/32", ports: [0] }], allow: [] };
beforeAll(async () => {
  await Promise.all([listen(forbidden.server), listen(open.server)]);
  egress.deny[0] = { cidr: "127.0.0.1/32", ports: [forbidden.port()] };
});
afterAll(async () => {
  await Promise.all([forbidden.server, open.server].map((s) => new Promise((resolve) => s.close(resolve))));
});

const api = useServer({ egress });

const FETCHER = `
const http = require("http");
const attempt = (url) => fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }), (e) => ({ error: e.message }));
const viaHttp = (url) => new Promise((resolve) => {
  http.get(url, (res) => { let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => resolve({ status: res.statusCode, body })); })
    .on("error", (e) => resolve({ error: e.message }));
});
exports.handler = async (e) => ({
  forbidden: await attempt("http://127.0.0.1:" + e.forbidden + "/"),
  byName: await attempt("http://localhost:" + e.forbidden + "/"),
  viaHttp: await viaHttp("http://127.0.0.1:" + e.forbidden + "/"),
  open: await attempt("http://127.0.0.1:" + e.open + "/"),
  openByName: await attempt("http://localhost:" + e.open + "/by-name"),
  redirected: await attempt("http://127.0.0.1:" + e.open + "/redirect"),
});`;

describe("a handler's outbound requests", () => {
  it("are refused to a forbidden address and port, by IP, by name and through node:http, and go elsewhere", async () => {
    // A redirect from an allowed server into the API, which an unstamped request may not reach.
    open.redirectTo = `${api.url}/2015-03-31/functions`;
    await api.create("fetcher", FETCHER);
    const out = await api.client.send(
      new InvokeCommand({ FunctionName: "fetcher", Payload: JSON.stringify({ forbidden: forbidden.port(), open: open.port() }) }),
    );
    expect(out.FunctionError).toBeUndefined();
    const result = JSON.parse(new TextDecoder().decode(out.Payload));
    const refusal = `connect EACCES 127.0.0.1:${forbidden.port()} (refused by isolambda's egress rules)`;
    expect(result.forbidden).toEqual({ error: expect.stringContaining(refusal) });
    expect(result.byName.error).toMatch(/connect EACCES (127\.0\.0\.1|::1):\d+ \(refused by isolambda's egress rules\)/);
    expect(result.viaHttp).toEqual({ error: expect.stringContaining(refusal) });
    expect(result.open).toEqual({ status: 200, body: "reached" });
    // A name goes through the checked lookup, which keeps the addresses it allows.
    expect(result.openByName).toEqual({ status: 200, body: "reached" });
    expect(result.redirected.error).toContain("(isolambda's API is reached at AWS_ENDPOINT_URL)");
    expect(forbidden.hits).toEqual([]);
    expect(open.hits).toEqual(["/", "/by-name", "/redirect"]);
  });
});
