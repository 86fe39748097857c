/**
 * A function's zlib and brotli streams hold memory on the server, which counts in its MemorySize
 * (src/sandbox/executor/native/zlib-memory.ts): through the API, the REPORT's Max Memory Used
 * includes it, and a function whose streams pass its memory is Runtime.OutOfMemory while the
 * function's next invocation gets a new environment that works.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer();

/** The REPORT line's Max Memory Used, in MB. */
function maxMemoryUsed(tail: string): number {
  const found = /Max Memory Used: (\d+) MB/.exec(tail);
  if (found === null) throw new Error(`no REPORT in ${tail}`);
  return Number(found[1]);
}

async function invoke(fn: string, event: unknown) {
  const out = await api.client.send(new InvokeCommand({ FunctionName: fn, LogType: "Tail", Payload: JSON.stringify(event) }));
  return {
    functionError: out.FunctionError,
    payload: JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>,
    tail: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

// `streams` brotli encoders of quality 9 (~38 MB each once given a megabyte) kept open at once.
const SOURCE = `
const zlib = require('node:zlib');
const kept = [];
exports.handler = async ({ streams }) => {
  const chunk = require('node:crypto').randomBytes(1 << 20);
  for (let i = 0; i < streams; i++) {
    const stream = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } });
    stream.resume();
    stream.write(chunk);
    await new Promise((resolve) => stream.flush(resolve));
    kept.push(stream);
  }
  for (const stream of kept.splice(0)) stream.destroy();
  return { streams };
};`;

describe("zlib streams in a function's memory, through the API", () => {
  it("Max Memory Used counts the streams' state; past MemorySize the invocation is Runtime.OutOfMemory and the next one works", async () => {
    await api.create("brotli-memory", SOURCE, { MemorySize: 256, Timeout: 30 });
    const two = await invoke("brotli-memory", { streams: 2 });
    expect(two.functionError, JSON.stringify(two.payload)).toBeUndefined();
    expect(two.payload).toEqual({ streams: 2 });
    // The guest's own memory is 16 MB or a little more; two streams add ~76 MB.
    expect(maxMemoryUsed(two.tail)).toBeGreaterThan(80);

    const many = await invoke("brotli-memory", { streams: 10 });
    expect(many.functionError).toBe("Unhandled");
    expect(many.payload.errorType).toBe("Runtime.OutOfMemory");
    expect(maxMemoryUsed(many.tail)).toBeLessThanOrEqual(256);

    const again = await invoke("brotli-memory", { streams: 1 });
    expect(again.payload).toEqual({ streams: 1 });
  });
});
