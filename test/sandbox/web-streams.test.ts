/** WHATWG streams in the guest, as globals and as node:stream/web (what @middy/core 6 imports). */
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const run = async (body: string, event: unknown = {}): Promise<unknown> =>
  resultOf(
    await invokeOnce(
      sandbox,
      { "index.mjs": `import * as web from "node:stream/web";\nexport const handler = async (event) => {${body}};` },
      event,
    ),
  );

describe("web streams", () => {
  it("reads, transforms, tees, pipes and iterates streams, with queuing strategies and back-pressure", async () => {
    const out = await run(`
      const chunks = ["héllo ", "wörld", " 👋"];
      const source = () => new ReadableStream({
        start(controller) { for (const c of chunks) controller.enqueue(c); controller.close(); },
      });
      const upper = new TransformStream({ transform(chunk, controller) { controller.enqueue(chunk.toUpperCase()); } });
      const reader = source().pipeThrough(upper).getReader();
      const read = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) read.push(r.value);

      const [left, right] = source().tee();
      const iterated = [];
      for await (const chunk of left) iterated.push(chunk);
      const written = [];
      await right.pipeTo(new WritableStream({ write(chunk) { written.push(chunk); } }, new CountQueuingStrategy({ highWaterMark: 2 })));

      // UTF-8 bytes split inside a character come out whole.
      const bytes = Array.from(new TextEncoder().encode(chunks.join("")));
      const split = new ReadableStream({ start(c) { for (const b of bytes) c.enqueue(new Uint8Array([b])); c.close(); } });
      let decoded = "";
      for await (const text of split.pipeThrough(new TextDecoderStream())) decoded += text;
      const encoded = [];
      const surrogates = new ReadableStream({ start(c) { c.enqueue("a\\ud83d"); c.enqueue("\\udc4bb"); c.close(); } });
      for await (const b of surrogates.pipeThrough(new TextEncoderStream())) encoded.push(...b);

      let pulls = 0;
      const lazy = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); if (pulls === 5) c.close(); } }, { highWaterMark: 0 });
      const lazyReader = lazy.getReader();
      const first = await lazyReader.read();
      const pullsAfterOne = pulls;

      const bytesStrategy = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
      return {
        read, iterated, written, decoded, encoded, first: first.value, pullsAfterOne,
        size: bytesStrategy.size(new Uint8Array(5)), hwm: bytesStrategy.highWaterMark,
        sameClasses: web.ReadableStream === ReadableStream && web.TransformStream === TransformStream && web.WritableStream === WritableStream,
        locked: (() => { const s = source(); s.getReader(); return s.locked; })(),
        tags: [Object.prototype.toString.call(new TextEncoderStream()), new TextDecoderStream("utf-16le").encoding],
      };
    `);
    expect(out).toEqual({
      read: ["HÉLLO ", "WÖRLD", " 👋"],
      iterated: ["héllo ", "wörld", " 👋"],
      written: ["héllo ", "wörld", " 👋"],
      decoded: "héllo wörld 👋",
      encoded: [...Buffer.from("a👋b")],
      first: 1,
      pullsAfterOne: 1,
      size: 5,
      hwm: 16,
      sameClasses: true,
      locked: true,
      tags: ["[object TextEncoderStream]", "utf-16le"],
    });
  });

  it("compresses and decompresses with CompressionStream and DecompressionStream as zlib does", async () => {
    const text = "isolambda ".repeat(2000);
    const out = (await run(
      `
      const collect = async (stream) => {
        const parts = [];
        for await (const part of stream) parts.push(...part);
        return parts;
      };
      const input = new TextEncoder().encode(event.text);
      const gzip = await collect(
        new ReadableStream({ start(c) { c.enqueue(input.slice(0, 7)); c.enqueue(input.slice(7)); c.close(); } }).pipeThrough(new CompressionStream("gzip")),
      );
      const hostGzipped = Uint8Array.from(atob(event.gzipped), (c) => c.charCodeAt(0));
      const inflated = await collect(new ReadableStream({ start(c) { c.enqueue(hostGzipped); c.close(); } }).pipeThrough(new DecompressionStream("gzip")));
      let badFormat;
      try { new CompressionStream("zip"); } catch (error) { badFormat = error.constructor.name; }
      return { gzip: btoa(String.fromCharCode(...gzip)), inflated: new TextDecoder().decode(new Uint8Array(inflated)), badFormat };
    `,
      { text, gzipped: gzipSync(Buffer.from("from the host")).toString("base64") },
    )) as { gzip: string; inflated: string; badFormat: string };
    expect(gunzipSync(Buffer.from(out.gzip, "base64")).toString()).toBe(text);
    expect(out.inflated).toBe("from the host");
    expect(out.badFormat).toBe("TypeError");
  });
});
