import { gunzipSync } from "node:zlib";
import { InvokeCommand, InvokeWithResponseStreamCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useGate } from "../loopback.js";
import { useServer } from "./server.js";

const api = useServer();
const gate = useGate();
const decoder = new TextDecoder();

/** Writes, waits at the gate, writes again: the first chunk must reach the client while it waits. */
const GATED_STREAM = () => `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType("text/plain");
  stream.write("hello ");
  await fetch(${JSON.stringify(gate.url)});
  stream.write(new TextEncoder().encode("world"));
  stream.end();
});`;

interface Streamed {
  text: string;
  contentType?: string;
  complete?: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string };
}

/** Invokes `name` with a response stream and reads it whole; `onFirstChunk` runs when the first bytes arrive. */
async function streamInvoke(name: string, { tail = false, onFirstChunk = () => {} } = {}): Promise<Streamed> {
  const out = await api.client.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: name,
      LogType: tail ? "Tail" : undefined,
      Payload: new TextEncoder().encode("{}"),
    }),
  );
  const streamed: Streamed = { text: "", contentType: out.ResponseStreamContentType };
  expect(out.StatusCode).toBe(200);
  for await (const item of out.EventStream ?? []) {
    if (item.PayloadChunk?.Payload) {
      if (streamed.text === "") onFirstChunk();
      streamed.text += decoder.decode(item.PayloadChunk.Payload);
    }
    if (item.InvokeComplete) streamed.complete = item.InvokeComplete;
  }
  return streamed;
}

describe("response streaming", () => {
  it("sends each chunk as the handler writes it, then InvokeComplete with the log tail", async () => {
    await api.create("slow-stream", GATED_STREAM());
    // The handler waits at the closed gate until its first bytes have reached this client.
    gate.close();
    const out = await streamInvoke("slow-stream", { tail: true, onFirstChunk: () => gate.open() });
    expect(out.text).toBe("hello world");
    expect(out.contentType).toBe("text/plain");
    expect(out.complete?.ErrorCode).toBeUndefined();
    expect(Buffer.from(out.complete?.LogResult ?? "", "base64").toString()).toMatch(/^REPORT RequestId: /m);
  });

  it("streams a written string whole, NUL characters and all", async () => {
    await api.create(
      "nul-stream",
      "exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.write('a\\u0000b'); stream.end('c'); });",
    );
    expect((await streamInvoke("nul-stream")).text).toBe("a\0bc");
  });

  it("buffers a streamed response for a plain Invoke, with the stream's content type", async () => {
    const out = await api.client.send(new InvokeCommand({ FunctionName: "slow-stream" }));
    expect(out.FunctionError).toBeUndefined();
    expect(decoder.decode(out.Payload)).toBe("hello world");
    const raw = await fetch(`${api.url}/2015-03-31/functions/slow-stream/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(raw.headers.get("content-type")).toBe("text/plain");
    expect(await raw.text()).toBe("hello world");
  });

  it("streams through stream.pipeline, as AWS's own examples do (gzip of a Readable)", async () => {
    await api.create(
      "piped",
      `const { pipeline } = require("node:stream/promises");
       const { Readable } = require("node:stream");
       const zlib = require("node:zlib");
       exports.handler = awslambda.streamifyResponse(async (event, stream) => {
         await pipeline(Readable.from(["piped ", "through ", "gzip"]), zlib.createGzip(), stream);
       });`,
    );
    const out = await api.client.send(new InvokeWithResponseStreamCommand({ FunctionName: "piped" }));
    const chunks: Uint8Array[] = [];
    for await (const item of out.EventStream ?? []) if (item.PayloadChunk?.Payload) chunks.push(item.PayloadChunk.Payload);
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe("piped through gzip");
  });

  it("writes HttpResponseStream's JSON prelude and 8 NUL bytes before the body", async () => {
    await api.create(
      "prelude",
      `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
        stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { "x-a": "b" } });
        stream.end("body");
      });`,
    );
    const out = await streamInvoke("prelude");
    expect(out.contentType).toBe("application/vnd.awslambda.http-integration-response");
    expect(out.text).toBe(`{"statusCode":201,"headers":{"x-a":"b"}}${"\0".repeat(8)}body`);
  });

  it("reports a handler's error after its first bytes in InvokeComplete", async () => {
    await api.create(
      "breaks",
      `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
        stream.write("partial");
        await new Promise((r) => setTimeout(r, 20));
        throw new TypeError("broke mid-stream");
      });`,
    );
    const out = await streamInvoke("breaks");
    expect(out.text).toBe("partial");
    expect(out.complete?.ErrorCode).toBe("TypeError");
    expect(JSON.parse(out.complete?.ErrorDetails ?? "{}")).toMatchObject({ errorType: "TypeError", errorMessage: "broke mid-stream" });
  });

  it("fails handlers that break the streaming contract, as Lambda's runtime does", async () => {
    await api.create("not-async", "exports.handler = awslambda.streamifyResponse((event, stream) => { stream.end('x'); });");
    await api.create("not-ended", "exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.write('x'); });");
    const notAsync = await api.client.send(new InvokeCommand({ FunctionName: "not-async" }));
    expect(JSON.parse(decoder.decode(notAsync.Payload))).toMatchObject({ errorMessage: "Streaming does not support non-async handlers." });
    const notEnded = await streamInvoke("not-ended");
    expect(JSON.parse(notEnded.complete?.ErrorDetails ?? "{}")).toMatchObject({ errorMessage: "Response stream is not finished." });
  });

  it("streams a handler that does not stream as one chunk, and answers errors before the stream as AWS errors", async () => {
    await api.create("plain", "exports.handler = async () => ({ plain: true });");
    const out = await streamInvoke("plain");
    expect(JSON.parse(out.text)).toEqual({ plain: true });
    expect(out.contentType).toBe("application/json");
    await expect(api.client.send(new InvokeWithResponseStreamCommand({ FunctionName: "missing" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});
