/**
 * What the host holds for a guest for as long as the guest keeps it (a zlib or brotli stream's
 * state, a key's material) counts in the function's memory beside the guest's own: past the
 * MemorySize the function runs out of memory, as Lambda's would be killed, and the server does not
 * hold it. What fits works as Node's, and what the guest lets go gives its memory back.
 */
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, errorOf, expectHealthy, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const PRELUDE = [
  "const zlib = require('node:zlib');",
  "const { constants: C } = zlib;",
  // Writes `chunk` `times` times and ends, resolving the output's byte length.
  "const pour = (stream, chunk, times) => new Promise((resolve, reject) => {",
  "  let length = 0;",
  "  stream.on('data', (d) => { length += d.length; }).on('end', () => resolve(length)).on('error', reject);",
  "  for (let i = 0; i < times; i++) stream.write(chunk);",
  "  stream.end();",
  "});",
];

function invoke(lines: string[], memorySizeMB = 128, event: unknown = {}) {
  return invokeOnce(sandbox, { "index.js": [...PRELUDE, ...lines].join("\n") }, event, { memorySizeMB, timeoutSeconds: 30 });
}

describe("zlib streams count in the function's memory", () => {
  it("a large-window brotli stream given 256 MB runs a 128 MB function out of memory; a neighbour keeps its state", async () => {
    const neighbour = await environmentFor(sandbox, { "index.js": "let calls = 0; exports.handler = async () => ({ calls: ++calls });" });
    expect(resultOf(await neighbour.invoke("{}"))).toEqual({ calls: 1 });
    // Its ring buffer would come to 256 MB on the host (a window of 2³⁰), the guest holding 8 MB.
    const result = await invoke([
      "exports.handler = async () => {",
      "  const chunk = require('node:crypto').randomBytes(8 << 20);",
      "  const params = { [C.BROTLI_PARAM_QUALITY]: 2, [C.BROTLI_PARAM_LARGE_WINDOW]: 1, [C.BROTLI_PARAM_LGWIN]: 30 };",
      "  return { compressed: await pour(zlib.createBrotliCompress({ params }), chunk, 32) };",
      "};",
    ]);
    const error = errorOf(result);
    expect(error.errorType).toBe("Runtime.OutOfMemory");
    expect(resultOf(await neighbour.invoke("{}"))).toEqual({ calls: 2 });
    neighbour.dispose();
    await expectHealthy(sandbox);
  });

  it("128 brotli encoders of quality 9 given a megabyte each pass a 256 MB function's memory", async () => {
    const result = await invoke(
      [
        "exports.handler = async () => {",
        "  const chunk = Buffer.from(JSON.stringify(Array.from({ length: 40000 }, (_, i) => ({ id: i, name: 'item' + i }))).slice(0, 1 << 20));",
        "  const streams = [];",
        "  for (let i = 0; i < 128; i++) {",
        "    const stream = zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_QUALITY]: 9 } });",
        "    stream.on('error', () => {}).resume();",
        "    stream.write(chunk);",
        "    await new Promise((resolve) => stream.flush(resolve));",
        "    streams.push(stream);",
        "  }",
        "  return streams.length;",
        "};",
      ],
      256,
    );
    expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
  });

  it("streams that fit answer Node's bytes, and each ended stream gives its memory back", async () => {
    const text = JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `item${i}` })));
    const result = await invoke(
      [
        "exports.handler = async ({ text }) => {",
        "  const chunk = Buffer.from(text);",
        // 100 gzip streams open at once: ~0.3 MB each.
        "  const open = Array.from({ length: 100 }, () => zlib.createGzip());",
        "  const gzipped = await Promise.all(open.map((s) => pour(s, chunk, 1)));",
        // One after another, 12 brotli encoders of ~40 MB each: 480 MB if none gave it back.
        "  const params = { [C.BROTLI_PARAM_QUALITY]: 9 };",
        "  let brotli = 0;",
        "  for (let i = 0; i < 12; i++) brotli = await pour(zlib.createBrotliCompress({ params }), chunk, 2);",
        "  const whole = zlib.brotliCompressSync(Buffer.concat([chunk, chunk]), { params });",
        "  return { gzipped: new Set(gzipped).size, gzip: zlib.gzipSync(chunk).length, brotli, whole: whole.toString('base64') };",
        "};",
      ],
      128,
      { text },
    );
    const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 };
    const stream = zlib.createBrotliCompress({ params });
    const parts: Buffer[] = [];
    stream.on("data", (part: Buffer) => parts.push(part));
    stream.write(text);
    stream.end(text);
    await new Promise((resolve) => stream.on("end", resolve));
    expect(resultOf(result)).toEqual({
      gzipped: 1,
      gzip: zlib.gzipSync(text).length,
      brotli: Buffer.concat(parts).length,
      whole: zlib.brotliCompressSync(text + text, { params }).toString("base64"),
    });
  });
});

describe("keys held for a guest count in the function's memory", () => {
  // A public key from a JWK whose modulus is `bytes` random bytes (never the same twice).
  const KEYS = [
    "const crypto = require('node:crypto');",
    "const publicKey = (bytes) => {",
    "  const n = crypto.randomBytes(bytes);",
    "  n[0] |= 0x80;",
    "  return crypto.createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' }, format: 'jwk' });",
    "};",
  ];

  it("100 keys with a 2 MB modulus each pass a 256 MB function's memory", async () => {
    const result = await invoke(
      [
        ...KEYS,
        "const kept = [];",
        "exports.handler = async () => {",
        "  for (let i = 0; i < 100; i++) kept.push(publicKey(2 << 20));",
        "  return kept.length;",
        "};",
      ],
      256,
    );
    expect(errorOf(result).errorType).toBe("Runtime.OutOfMemory");
  });

  it("2,000 RSA-2048 public keys fit in 128 MB, and keys let go give their memory back", async () => {
    const result = await invoke(
      [
        ...KEYS,
        "const kept = [];",
        "exports.handler = async () => {",
        "  for (let i = 0; i < 2000; i++) kept.push(publicKey(256));",
        // 5 at a time of ~8 MB each, let go before the next: 800 MB if nothing came back.
        "  for (let round = 0; round < 20; round++) {",
        "    let batch = Array.from({ length: 5 }, () => publicKey(1 << 20));",
        "    batch = null;",
        // QuickJS runs FinalizationRegistry's callbacks after a collection, which allocations set off.
        "    for (let i = 0; i < 200000; i++) { const o = { i }; o.self = o; }",
        "    await new Promise((resolve) => setTimeout(resolve, 0));",
        "  }",
        "  return { kept: kept.length, bits: kept[0].asymmetricKeyDetails.modulusLength };",
        "};",
      ],
      128,
    );
    expect(resultOf(result)).toEqual({ kept: 2000, bits: 2048 });
  });
});
