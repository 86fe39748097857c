/**
 * node:http's IncomingMessage, OutgoingMessage and ServerResponse, which Lambda adapters
 * (serverless-http) build a web framework's request and response on: the same script runs in the
 * sandbox and in the host's Node, and what reaches the adapter's socket, the events and the header
 * API's answers must be Node's.
 */
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

const SCRIPT = `
const http = require("http");
const { Readable } = require("stream");

/** A response on a socket like serverless-http's: every write collected, its callback called at once. */
function respond(req = { method: "GET" }, setup = () => {}) {
  const res = new http.ServerResponse(req);
  res.sendDate = false;
  setup(res);
  const wire = [];
  const events = [];
  for (const name of ["socket", "prefinish", "finish"]) res.on(name, () => events.push(name + ":" + res.finished));
  res.assignSocket({
    _writableState: {}, writable: true, on() {}, removeListener() {}, destroy() {}, cork() {}, uncork() {},
    write(data, encoding, callback) {
      wire.push(Buffer.from(data, typeof encoding === "string" ? encoding : undefined).toString("latin1"));
      if (typeof callback === "function") callback();
      return true;
    },
  });
  return { res, wire, events };
}
const attempt = (fn) => { try { fn(); return "no error"; } catch (e) { return e.code; } };
const settle = () => new Promise((resolve) => setImmediate(resolve));

exports.handler = async () => {
  const out = {};

  const json = respond();
  json.res.statusCode = 201;
  json.res.setHeader("Content-Type", "application/json");
  json.res.setHeader("Set-Cookie", ["a=1", "b=2"]);
  out.before = [json.res.headersSent, json.res.finished, json.res.writableEnded, json.res.hasHeader("content-type"), json.res.getHeaderNames()];
  json.res.end(JSON.stringify({ ok: true }));
  await settle();
  out.json = { wire: json.wire.join(""), events: json.events, sent: json.res.headersSent, finished: json.res.finished,
    statusMessage: json.res.statusMessage, headers: { ...json.res.getHeaders() }, raw: json.res.getRawHeaderNames(),
    setAfter: attempt(() => json.res.setHeader("x", "1")), removeAfter: attempt(() => json.res.removeHeader("content-type")) };

  const chunked = respond();
  chunked.res.writeHead(200, "Fine", { "X-Multi": ["1", "2"] });
  chunked.res.write("ab");
  chunked.res.write(Buffer.from("cd"));
  chunked.res.end();
  await settle();
  out.chunked = { wire: chunked.wire.join(""), events: chunked.events, chunkedEncoding: chunked.res.chunkedEncoding };

  const head = respond({ method: "HEAD" });
  head.res.end("not sent");
  const empty = respond();
  empty.res.writeHead(204);
  empty.res.end("ignored");
  const closing = respond({ method: "GET" }, (res) => { res.useChunkedEncodingByDefault = false; });
  closing.res.write("x");
  closing.res.end("y");
  const merged = respond();
  merged.res.setHeader("x-first", "1");
  merged.res.removeHeader("x-gone");
  merged.res.writeHead(302, { Location: "/elsewhere" });
  merged.res.end();
  await settle();
  out.others = [head.wire.join(""), empty.wire.join(""), closing.wire.join(""), merged.wire.join("")];
  out.invalidStatus = attempt(() => new http.ServerResponse({ method: "GET" }).writeHead(99));
  out.badName = attempt(() => new http.ServerResponse({ method: "GET" }).setHeader("bad name", "1"));

  // Written before the adapter assigns a socket: held, then delivered, finish after.
  const late = new http.ServerResponse({ method: "GET" });
  late.sendDate = false;
  const lateWire = [];
  let lateFinished = false;
  late.on("finish", () => { lateFinished = true; });
  late.end("early");
  const beforeSocket = lateFinished;
  late.assignSocket({ _writableState: {}, writable: true, on() {}, cork() {}, uncork() {}, write(data, encoding, callback) { lateWire.push(String(data)); if (typeof callback === "function") callback(); return true; } });
  await settle();
  out.late = [beforeSocket, lateFinished, lateWire.join("")];

  const socket = new Readable({ read() {} });
  const req = new http.IncomingMessage(socket);
  out.request = [req.method, req.url, req.headers, req.rawHeaders, req.trailers, req.complete, req.aborted, req.httpVersion, req.connection === socket, req.socket === socket, req instanceof Readable];
  req.push("body ");
  req.push("bytes");
  req.push(null);
  const chunks = [];
  for await (const chunk of req) chunks.push(String(chunk));
  out.body = chunks.join("");
  out.classes = [Object.getPrototypeOf(http.ServerResponse.prototype) === http.OutgoingMessage.prototype, typeof http.Server, http.IncomingMessage.length];
  return out;
};
`;

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

let nodes: unknown;
beforeAll(async () => {
  const module = { exports: {} as { handler: () => Promise<unknown> } };
  new Function("exports", "require", "module", SCRIPT)(module.exports, createRequire(import.meta.url), module);
  nodes = await module.exports.handler();
});

describe("node:http's server-side classes", () => {
  it("write to an adapter's socket, emit events and answer header calls as Node's do", async () => {
    const ours = resultOf(await invokeOnce(sandbox, { "index.js": SCRIPT })) as Record<string, unknown>;
    expect(ours).toEqual(nodes);
    // What Node itself answers, so a wrong expectation cannot pass by both sides agreeing on nothing.
    expect((ours.json as { wire: string }).wire).toBe(
      'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: keep-alive\r\nContent-Length: 11\r\n\r\n{"ok":true}',
    );
    expect(ours.body).toBe("body bytes");
  });
});
