/**
 * node:http's client in the sandbox against the host's Node: each scenario runs in the handler and
 * in a child Node (node-twin.ts) against the same loopback server, and the events the request and
 * its response emit, in order, and what they say of themselves must be the same. Where the order
 * between two emitters hangs on process.nextTick against promise jobs (ticks drain in a promise job
 * here, next-tick.ts) or on readable-stream's age (Node 20's Writable skips a tick a pipe's write
 * takes there), each emitter's own order is compared instead.
 */
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { closedLoopbackPort, listenOnLoopback } from "../loopback.js";
import { errorOf, invokeOnce, messagesAt, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** /json answers what it got, /echo the body itself, /204 nothing, and /hang never: the client gives up. */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.url === "/hang") return;
    if (req.url === "/204") return res.writeHead(204).end();
    const got = Buffer.concat(chunks);
    const body = req.url === "/echo" ? got : Buffer.from(JSON.stringify({ method: req.method, got: got.toString() }));
    res
      .writeHead(200, { "content-type": req.url === "/echo" ? "text/plain" : "application/json", "content-length": body.length })
      .end(body);
  });
});
let url = "";
/** A loopback URL nothing listens on. */
let refused = "";
beforeAll(async () => {
  url = await listenOnLoopback(server);
  refused = `http://127.0.0.1:${await closedLoopbackPort()}/`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const HELPERS = `
const http = require("node:http");
const { Readable, Writable } = require("node:stream");
const REQ = ["socket", "prefinish", "finish", "response", "close", "error", "timeout", "abort", "pipe", "unpipe", "drain"];
const RES = ["end", "close", "error", "aborted"];
const detail = (event, arg) =>
  event === "error" ? "(" + arg.code + " " + arg.message + ")" : event === "data" ? "(" + typeof arg + " " + arg.length + ")" : "";
/** Logs each of \`events\` on \`emitter\` as name:event. */
const trace = (log, emitter, name, events) => { for (const e of events) emitter.on(e, (arg) => log.push(name + ":" + e + detail(e, arg))); };
const closed = (emitter) => new Promise((resolve) => (emitter.closed ? resolve() : emitter.once("close", resolve)));
/** After the given emitters closed, a turn more for what they emit last. */
const settled = (...emitters) => Promise.all(emitters.map(closed)).then(() => new Promise((resolve) => setImmediate(resolve)));
const turn = () => new Promise((resolve) => setImmediate(resolve));
`;

const both = (body: string) =>
  answersAsNode(sandbox, { "index.js": `${HELPERS}\nexports.handler = async ({ url, refused }) => {${body}};` }, { url, refused });

describe("node:http's client, against the host's Node", () => {
  it("emits a request's and its response's events in Node's order, reading with 'data', setEncoding, a pipe in and a pipe out", async () => {
    await both(`
      const out = {};
      {
        const log = [];
        let res;
        const req = http.request(url + "/json", { method: "POST", headers: { "content-type": "application/json" } }, (r) => {
          res = r;
          log.push("response " + [r.statusCode, r.statusMessage, r.headers["content-type"], r.headers["content-length"], r.complete, r.httpVersion].join(" "));
          trace(log, r, "res", RES);
          r.on("data", (c) => log.push("res:data" + detail("data", c)));
          r.on("end", () => log.push("ended complete=" + r.complete + " readableEnded=" + r.readableEnded));
        });
        trace(log, req, "req", REQ);
        log.push("made socket=" + req.socket + " headersSent=" + req.headersSent + " writable=" + req.writable);
        req.end(Buffer.from('{"a":1}'), () => log.push("end callback writableFinished=" + req.writableFinished));
        log.push("ended finished=" + req.finished + " writableEnded=" + req.writableEnded + " writableFinished=" + req.writableFinished + " headersSent=" + req.headersSent);
        await closed(req);
        await settled(req, res);
        log.push("after destroyed=" + req.destroyed + " closed=" + req.closed + " writable=" + req.writable + " res.socket=" + res.socket + " res.destroyed=" + res.destroyed);
        out.dataEnd = log;
      }
      {
        const log = [];
        let text = "";
        let res;
        const req = http.request(url + "/echo", { method: "PUT" });
        trace(log, req, "req", REQ);
        req.on("response", (r) => { res = r; r.setEncoding("utf8"); r.on("data", (c) => { log.push("data " + typeof c); text += c; }); r.on("end", () => log.push("text " + text)); });
        log.push("write " + req.write("abc", () => log.push("write callback 1")));
        log.push("write " + req.write(Buffer.from("déf"), "utf8", () => log.push("write callback 2")));
        log.push("write " + req.write("6869", "hex"));
        req.end("!", "utf8", () => log.push("end callback"));
        await settled(req);
        await closed(res);
        out.writes = log;
      }
      {
        const log = [];
        const req = http.request(url + "/echo", { method: "POST" });
        trace(log, req, "req", REQ);
        let res;
        req.on("response", (r) => { res = r; const chunks = []; r.on("data", (c) => chunks.push(c)); r.on("end", () => log.push("text " + Buffer.concat(chunks))); });
        const body = Readable.from(["one,", "two,", "three"]);
        body.on("end", () => log.push("body:end"));
        body.on("close", () => log.push("body:close"));
        body.pipe(req);
        await settled(req);
        await closed(res);
        out.pipeIn = log;
      }
      {
        const logs = { req: [], res: [], sink: [] };
        let res, sink;
        const req = http.request(url + "/json", { method: "POST" }, (r) => {
          res = r;
          trace(logs.res, r, "res", RES);
          const chunks = [];
          sink = new Writable({ write(c, e, cb) { chunks.push(c); logs.sink.push("write " + c.length); cb(); } });
          sink.on("finish", () => logs.sink.push("finish " + Buffer.concat(chunks)));
          sink.on("close", () => logs.sink.push("close"));
          r.pipe(sink);
        });
        trace(logs.req, req, "req", REQ);
        req.end('{"x":2}');
        await settled(req);
        await settled(res, sink);
        out.pipeOut = logs;
      }
      return out;`);
  });

  it("reads a response by async iteration, and reads or drops one nobody listens to as Node does", async () => {
    await both(`
      const out = {};
      {
        const logs = { req: [], res: [], read: [] };
        let res;
        const req = http.request(url + "/json", { method: "POST" });
        trace(logs.req, req, "req", REQ);
        const done = new Promise((resolve) => req.on("response", async (r) => {
          res = r;
          trace(logs.res, r, "res", RES);
          for await (const c of r) logs.read.push("chunk " + c.length);
          logs.read.push("done destroyed=" + r.destroyed + " readableEnded=" + r.readableEnded);
          resolve();
        }));
        req.end();
        await done;
        await settled(req, res);
        out.asyncIteration = logs;
      }
      {
        // A 'response' listener that never reads: the response waits, and the request stays open.
        const log = [];
        const req = http.request(url + "/json");
        trace(log, req, "req", REQ);
        const res = await new Promise((resolve) => { req.on("response", resolve); req.end(); });
        await turn();
        log.push("unread readableFlowing=" + res.readableFlowing + " complete=" + res.complete);
        res.resume();
        await settled(req, res);
        out.unread = log;
      }
      {
        // No 'response' listener at all: Node reads the response to its end and drops it.
        const log = [];
        const req = http.get(url + "/json");
        trace(log, req, "req", ["socket", "prefinish", "finish", "close", "error"]);
        await settled(req);
        out.dumped = log;
      }
      {
        const log = [];
        let res;
        const req = http.request(url + "/204", (r) => { res = r; trace(log, r, "res", RES); r.on("data", () => log.push("data")); });
        trace(log, req, "req", REQ);
        req.end();
        await closed(req);
        await settled(req, res);
        out.noContent = log;
      }
      return out;`);
  });

  it("fails, times out, aborts and is destroyed as Node's is, before and after its socket and its response", async () => {
    await both(`
      const out = {};
      const run = async (name, path, act) => {
        const log = [];
        let res;
        const req = http.request(url + path, { method: "POST" });
        trace(log, req, "req", ["socket", "close", "error", "timeout", "abort", "response"]);
        req.on("response", (r) => { res = r; trace(log, r, "res", RES); });
        await act(req, log, () => res);
        await settled(req);
        if (res) await settled(res);
        out[name] = log;
      };
      await run("destroyed before its socket", "/json", (req, log) => { req.end("x"); req.destroy(); log.push("destroyed " + req.destroyed); });
      await run("destroyed with an error before its socket", "/json", (req) => { req.end("x"); req.destroy(Object.assign(new Error("mine"), { code: "EMINE" })); });
      await run("aborted before its socket", "/json", (req, log) => { req.end("x"); req.abort(); log.push("aborted " + req.aborted + " " + req.destroyed); });
      await run("aborted while waiting", "/hang", (req) => { req.on("socket", () => setImmediate(() => req.abort())); req.end("x"); });
      await run("destroyed while waiting", "/hang", (req) => { req.on("socket", () => setImmediate(() => req.destroy())); req.end("x"); });
      await run("timed out", "/hang", (req) => { req.setTimeout(5, () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" }))); req.end(); });
      await run("destroyed in its response listener", "/json", (req, log) => {
        req.on("response", (r) => { r.on("data", () => log.push("res:data")); log.push("complete " + r.complete); req.destroy(); });
        req.end();
      });
      await run("destroyed after its response ended", "/json", (req, log) => {
        req.on("response", (r) => { r.resume(); r.on("end", () => { req.destroy(new Error("late")); log.push("destroyed " + req.destroyed); }); });
        req.end();
      });
      await run("response destroyed unread", "/json", (req, log) => {
        req.on("response", (r) => setImmediate(() => { log.push("complete " + r.complete); r.destroy(); }));
        req.end();
      });
      {
        const log = [];
        const controller = new AbortController();
        const req = http.request(url + "/hang", { signal: controller.signal });
        trace(log, req, "req", ["socket", "close", "error"]);
        req.on("socket", () => setImmediate(() => controller.abort()));
        req.end();
        await settled(req);
        out.signal = log;
      }
      {
        const log = [];
        const req = http.request(refused, { method: "POST" });
        trace(log, req, "req", ["socket", "close", "error"]);
        req.end("x");
        await settled(req);
        out.refused = log;
      }
      return out;`);
  });

  it("writes, ends and sets headers as Node's does, with Node's errors", async () => {
    await both(`
      const out = {};
      {
        const log = [];
        const req = http.request(url + "/json", { method: "POST" }, (r) => r.resume());
        trace(log, req, "req", ["socket", "finish", "response", "close", "error"]);
        req.end("a");
        log.push("write " + req.write("b", (e) => log.push("write callback " + e.code)));
        req.end("c", (e) => log.push("end callback " + e.code));
        await settled(req);
        out.writeAfterEnd = log;
      }
      {
        // The SDK's S3 client expects 100-continue for bodies of 2 MB and more, and writes the body on 'continue'.
        const log = [];
        const req = http.request(url + "/echo", { method: "PUT", headers: { Expect: "100-continue" } });
        trace(log, req, "req", ["socket", "prefinish", "finish", "continue", "response", "close", "error"]);
        log.push("headersSent " + req.headersSent);
        req.on("continue", () => req.end("after continue"));
        const res = await new Promise((resolve) => req.on("response", resolve));
        const chunks = [];
        for await (const chunk of res) chunks.push(chunk);
        log.push("echoed " + Buffer.concat(chunks));
        await settled(req);
        out.expectContinue = log;
      }
      out.badHeaders = [{ "x-u": undefined }, { "bad name": "1" }, { "x-ctl": "a\\nb" }].map((headers) => {
        try { http.request("http://127.0.0.1:9/", { headers }).on("error", () => {}).destroy(); return "made"; } catch (e) { return e.code; }
      });
      {
        const req = http.request("http://user:pw@127.0.0.1:9/p?q=1", { method: "post", headers: { "X-A": ["1", "2"], "Content-Type": "t" } });
        req.on("error", () => {});
        out.headers = { all: req.getHeaders(), names: req.getRawHeaderNames(), method: req.method, path: req.path, host: req.host, protocol: req.protocol, sent: req.headersSent, head: req._header };
        req.destroy();
        await closed(req);
      }
      {
        const req = http.request(url + "/json", { method: "POST" });
        const state = () => ({ writable: req.writable, writableEnded: req.writableEnded, writableFinished: req.writableFinished, writableLength: req.writableLength,
          writableHighWaterMark: req.writableHighWaterMark, destroyed: req.destroyed, finished: req.finished, headersSent: req.headersSent, closed: req.closed });
        out.before = state();
        out.kinds = [req instanceof http.OutgoingMessage, req instanceof Writable, req instanceof require("node:stream").Stream];
        const res = await new Promise((resolve) => { req.on("response", resolve); req.end("body"); });
        out.response = { readable: res.readable, isReadable: res instanceof Readable, flowing: res.readableFlowing, complete: res.complete, httpVersion: res.httpVersion,
          names: res.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()), socket: typeof res.socket.setTimeout };
        res.resume();
        await settled(req, res);
        out.after = { ...state(), resDestroyed: res.destroyed, complete: res.complete };
      }
      return out;`);
  });

  it("makes what a response listener throws an uncaught exception, as one thrown from a socket's callback in Node", async () => {
    const result = await invokeOnce(
      sandbox,
      {
        "index.js": `exports.handler = (event) => new Promise(() => require("node:http").get(event.url + "/json", () => { throw new Error("from the listener"); }));`,
      },
      { url },
    );
    expect(errorOf(result)).toMatchObject({ errorType: "Error", errorMessage: "from the listener" });
    const [line] = messagesAt(result.logs, "ERROR");
    expect(line?.startsWith("Uncaught Exception \t")).toBe(true);
  });
});
