/**
 * The Node built-ins the web frameworks needed, beyond the frameworks' own tests: one handler runs
 * in the sandbox (through the API) and in the test's Node, and the answers must be equal, besides
 * the values Node documents.
 */
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invoke, invokeOk } from "./deploy.js";
import { handlerInNode } from "./in-node.js";

const api = useServer();

const HANDLER = `
  const http = require("http");
  const buffer = require("buffer");
  const dns = require("dns");
  const v8 = require("v8");
  const fs = require("fs");
  const os = require("os");
  const path = require("path");
  const { Readable } = require("stream");
  const attempt = (fn) => { try { fn(); return "no error"; } catch (e) { return [e.code, e.message]; } };

  exports.handler = async () => {
    const blob = new Blob(["ab", new Uint8Array([99, 100]), new Blob(["é"])], { type: "Text/Plain" });
    const slice = blob.slice(-3, 6, "X/Y");
    const chunks = [];
    for await (const chunk of blob.stream()) chunks.push(...chunk);
    const file = new File(["x"], "a.txt", { type: "text/plain", lastModified: 42 });
    const blobs = {
      size: blob.size, type: blob.type, text: await blob.text(), bytes: [...new Uint8Array(await blob.arrayBuffer())],
      slice: [slice.size, slice.type, await slice.text()], streamed: chunks, tag: Object.prototype.toString.call(blob),
      keys: Object.keys(blob), json: JSON.stringify(blob), sameAsBuffer: buffer.Blob === Blob && buffer.File === File,
      file: [file.name, file.size, file.type, file.lastModified, file instanceof Blob, Object.prototype.toString.call(file)],
      empty: [new Blob().size, await new Blob([]).text(), new Blob(["a"], { type: "bad\\u0100" }).type],
      badSources: attempt(() => new Blob("abc")), noName: attempt(() => new File(["x"])),
    };

    // Node's header rules for a request an adapter fills through _addHeaderLines.
    const req = new http.IncomingMessage({ encrypted: true });
    req._addHeaderLines(["Host", "a", "HOST", "b", "Cookie", "x=1", "cookie", "y=2", "Set-Cookie", "s=1", "set-cookie", "s=2", "X-Many", "1", "x-many", "2", "Content-Type", "text/plain", "content-type", "text/html"], 20);
    const incoming = { headers: req.headers, distinct: req.headersDistinct, raw: req.rawHeaders, trailers: req.trailers };
    const joining = new http.IncomingMessage(null);
    joining.joinDuplicateHeaders = true;
    joining._addHeaderLines(["Host", "a", "host", "b"], 4);

    // light-my-request's way of making a response: an old-style constructor calling Node's.
    function Response(req) { http.ServerResponse.call(this, req); this.extra = true; }
    Object.setPrototypeOf(Response.prototype, http.ServerResponse.prototype);
    const res = new Response({ method: "HEAD" });
    res.setHeader("X-A", "1");
    class Sub extends http.IncomingMessage {}
    const functions = {
      res: [res.statusCode, res.extra, res.getHeader("x-a"), res instanceof http.ServerResponse, res instanceof http.OutgoingMessage, res.headersSent],
      sub: new Sub(null) instanceof Readable,
      names: [http.IncomingMessage.name, http.ServerResponse.name, http.OutgoingMessage.name, http.IncomingMessage.length, http.ServerResponse.length],
    };

    // A server frameworks make at start-up and never start in a function.
    const server = http.createServer({}, () => {});
    server.setTimeout(7);
    server.keepAliveTimeout = 9;
    const closed = await new Promise((resolve) => server.close((error) => resolve([error.code, error.message])));
    const servers = {
      made: [server instanceof http.Server, server.listening, server.address(), server.timeout, server.keepAliveTimeout, server.listenerCount("request")],
      closed,
    };

    // destroy (under koa and send) tests "stream instanceof fs.ReadStream".
    const tmpFile = path.join(os.tmpdir(), "framework-builtins.txt");
    const writer = fs.createWriteStream(tmpFile);
    await new Promise((resolve) => writer.end("streamed", resolve));
    const reader = fs.createReadStream(tmpFile, { encoding: "utf8" });
    let read = "";
    for await (const chunk of reader) read += chunk;
    const files = [reader instanceof fs.ReadStream, writer instanceof fs.WriteStream, reader instanceof fs.WriteStream, fs.ReadStream.name, read, reader.bytesRead, writer.bytesWritten];

    const looked = await new Promise((resolve) => dns.lookup("127.0.0.1", (error, address, family) => resolve([error, address, family])));
    const all = await dns.promises.lookup("::1", { all: true });
    return { files, blobs, incoming, joined: joining.headers.host, functions, servers, dns: [looked, all, dns.NOTFOUND], v8: v8.startupSnapshot.isBuildingSnapshot() };
  };`;

describe("the Node built-ins web frameworks need", () => {
  it("Blob, File, node:http's function classes and header rules, an unstarted Server, dns and v8 answer as in Node", async () => {
    await deployPackaged(api, "compat-framework-builtins", { packages: [], files: { "index.js": HANDLER } });
    const ours = (await invokeOk(api, "compat-framework-builtins", {})) as Record<string, Record<string, unknown>>;
    const nodes = await handlerInNode(HANDLER)({});
    expect(ours).toEqual(nodes);
    // What Node documents, so both sides agreeing on a wrong answer cannot pass.
    expect(ours.blobs).toMatchObject({
      size: 6,
      type: "text/plain",
      text: "abcdé",
      slice: [3, "x/y", "dé"],
      keys: [],
      json: "{}",
      sameAsBuffer: true,
    });
    expect(ours.incoming).toMatchObject({
      headers: { host: "a", cookie: "x=1; y=2", "set-cookie": ["s=1", "s=2"], "x-many": "1, 2", "content-type": "text/plain" },
      distinct: { host: ["a", "b"], "x-many": ["1", "2"] },
    });
    expect(ours.joined).toBe("a, b");
    expect(ours.files).toEqual([true, true, false, "ReadStream", "streamed", 8, 8]);
    expect(ours.servers).toEqual({ made: [true, false, null, 7, 9, 1], closed: ["ERR_SERVER_NOT_RUNNING", "Server is not running."] });
    expect(ours.dns).toEqual([[null, "127.0.0.1", 4], [{ address: "::1", family: 6 }], "ENOTFOUND"]);
  });
});

describe("a callback throwing outside the handler's promise", () => {
  it("fails the invocation as an uncaught exception from process.nextTick and queueMicrotask, as from a timer", async () => {
    const source = `exports.handler = async (event) => {
      const fail = () => { throw new TypeError("thrown by " + event.via); };
      if (event.via === "nextTick") process.nextTick(fail);
      if (event.via === "queueMicrotask") queueMicrotask(fail);
      if (event.via === "setTimeout") setTimeout(fail, 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return "not reached";
    };`;
    await deployPackaged(api, "compat-throwing-callbacks", { packages: [], files: { "index.js": source } });
    for (const via of ["nextTick", "queueMicrotask", "setTimeout"]) {
      const out = await invoke(api, "compat-throwing-callbacks", { via });
      expect(out.functionError).toBe("Unhandled");
      expect(out.payload).toMatchObject({ errorType: "TypeError", errorMessage: `thrown by ${via}` });
      expect(out.logTail).toContain("Uncaught Exception");
    }
  });
});

describe("an error's stack", () => {
  it("begins with V8's header for an error code makes, formatted at its first read, as in Node", async () => {
    const source = `class HttpError extends Error { constructor(message) { super(message); this.name = "HttpError"; } }
    exports.handler = async () => {
      const changed = new Error("before");
      changed.message = "after";
      const assigned = new Error("s");
      assigned.stack = "custom";
      const first = (error) => error.stack.split("\\n")[0];
      return {
        headers: [new Error("plain"), new HttpError("missing"), Error("called"), changed, new TypeError("typed"), new RangeError("far"), new AggregateError([], "many")].map(first),
        framesFollow: /^Error: plain\\n {4}at /.test(new Error("plain").stack),
        assigned: assigned.stack,
        identity: [new Error().constructor === Error, Object.getPrototypeOf(TypeError) === Error, new TypeError() instanceof Error, new HttpError() instanceof HttpError, Error.name, Error.length],
        enumerable: [Object.keys(new Error("k")), JSON.stringify(new Error("j")), Object.getOwnPropertyDescriptor(new Error("d"), "stack").enumerable],
      };
    };`;
    await deployPackaged(api, "compat-error-stacks", { packages: [], files: { "index.js": source } });
    const ours = await invokeOk(api, "compat-error-stacks", {});
    expect(ours).toEqual(await handlerInNode(source)({}));
    expect(ours).toMatchObject({
      headers: [
        "Error: plain",
        "HttpError: missing",
        "Error: called",
        "Error: after",
        "TypeError: typed",
        "RangeError: far",
        "AggregateError: many",
      ],
      framesFollow: true,
      assigned: "custom",
      identity: [true, true, true, true, "Error", 1],
    });
  });
});
