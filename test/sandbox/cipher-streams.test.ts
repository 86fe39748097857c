/**
 * node:crypto's Cipheriv and Decipheriv as Transform streams in the sandbox: the same source runs in
 * the handler and here in the host's Node, and every byte, tag and error must be the same.
 */
import * as nodeCrypto from "node:crypto";
import * as nodeStream from "node:stream";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { BYTES_SOURCE, bytes } from "./deterministic-bytes.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

interface Case {
  algorithm: string;
  key: string;
  iv: string;
  aad?: string;
}

/** Pieces that straddle AES blocks, the stream's 16 KiB high-water mark and the host's 64 KiB. */
const SIZES = [1, 15, 17, 4095, 16385, 3, 65537, 100003];
const PAYLOAD_BYTES = 300_000;

/**
 * Encrypts `payload` through `stream.pipeline` and through `pipe`, then decrypts each back the same
 * way, with the encrypting side's tag; a decryption with a changed tag gives its error both ways.
 */
const STREAM_LIKE = `async function streamLike(crypto, stream, c, payload) {
  const { Readable, Writable, pipeline } = stream;
  const key = Buffer.from(c.key, "hex"), iv = Buffer.from(c.iv, "hex");
  const aead = c.aad !== undefined;
  const make = (encrypt, tag) => {
    const cipher = encrypt ? crypto.createCipheriv(c.algorithm, key, iv) : crypto.createDecipheriv(c.algorithm, key, iv);
    if (aead) cipher.setAAD(Buffer.from(c.aad, "hex"));
    if (tag !== undefined) cipher.setAuthTag(tag);
    return cipher;
  };
  const pieces = (data) => {
    const sizes = ${JSON.stringify(SIZES)}, out = [];
    let at = 0;
    while (at < data.length) {
      const size = sizes[out.length % sizes.length];
      out.push(data.subarray(at, at + size));
      at += size;
    }
    return out;
  };
  const collector = () => {
    const chunks = [];
    const sink = new Writable({ write(chunk, _encoding, callback) { chunks.push(chunk); callback(); } });
    sink.bytes = () => Buffer.concat(chunks);
    return sink;
  };
  const viaPipeline = (data, through) => new Promise((resolve, reject) => {
    const sink = collector();
    pipeline(Readable.from(pieces(data)), through, sink, (error) => (error ? reject(error) : resolve(sink.bytes())));
  });
  const viaPipe = (data, through) => new Promise((resolve, reject) => {
    const sink = collector();
    through.on("error", reject);
    sink.on("finish", () => resolve(sink.bytes()));
    Readable.from(pieces(data)).pipe(through).pipe(sink);
  });
  const failure = (promise) => promise.then(() => "no error", (e) => ({ name: e.name, code: e.code ?? null, message: e.message }));
  const digest = (data) => crypto.createHash("sha256").update(data).digest("hex");

  const sealed = make(true), piped = make(true);
  const encrypted = await viaPipeline(payload, sealed);
  let endedTag = null;
  piped.on("end", () => { endedTag = aead ? piped.getAuthTag().toString("hex") : "none"; });
  const encryptedPiped = await viaPipe(payload, piped);
  const tag = aead ? sealed.getAuthTag() : undefined;
  const decrypted = await viaPipeline(encrypted, make(false, tag));
  const decryptedPiped = await viaPipe(encryptedPiped, make(false, aead ? piped.getAuthTag() : undefined));
  const out = {
    encrypted: digest(encrypted),
    encryptedLength: encrypted.length,
    encryptedPiped: digest(encryptedPiped),
    tag: aead ? tag.toString("hex") : null,
    endedTag,
    decrypted: digest(decrypted),
    decryptedPiped: digest(decryptedPiped),
  };
  if (aead) {
    const wrong = Buffer.from(tag);
    wrong[5] ^= 1;
    out.wrongTag = await failure(viaPipeline(encrypted, make(false, wrong)));
    out.wrongTagPiped = await failure(viaPipe(encrypted, make(false, wrong)));
  }
  return out;
}`;

/** Written to rather than piped: strings in the stream's default encodings, setEncoding, and update's errors from write(). */
const WRITTEN = `async function written(crypto, stream, key, iv) {
  const drain = (cipher) => new Promise((resolve, reject) => {
    let text = "";
    cipher.on("data", (part) => { text += part; });
    cipher.on("error", reject);
    cipher.on("end", () => resolve(text));
  });
  const attempt = (fn) => { try { fn(); return "no error"; } catch (e) { return { name: e.name, code: e.code ?? null, message: e.message }; } };
  // First: setDefaultEncoding is the first stream method a cipher meets.
  const hex = crypto.createCipheriv("aes-256-ctr", key, iv, { highWaterMark: 5 });
  hex.setDefaultEncoding("hex");
  hex.setEncoding("hex");
  const hexText = drain(hex);
  hex.write("deadbeef");
  hex.end();
  const gcm = crypto.createCipheriv("aes-256-gcm", key, iv.subarray(0, 12));
  gcm.setEncoding("base64");
  const gcmText = drain(gcm);
  gcm.write("héllo wörld, ");
  gcm.write("00ff10", "hex");
  gcm.write("ünïcödé, ", "buffer");
  gcm.end("the end");
  const latin1 = crypto.createCipheriv("aes-128-cbc", key.subarray(0, 16), iv, { defaultEncoding: "latin1" });
  latin1.setEncoding("hex");
  const latin1Text = drain(latin1);
  latin1.end("ÿé in latin1");
  const finished = crypto.createCipheriv("aes-128-cbc", key.subarray(0, 16), iv);
  finished.final();
  const ccm = crypto.createCipheriv("aes-128-ccm", key.subarray(0, 16), iv.subarray(0, 12), { authTagLength: 16 });
  ccm.setAAD(Buffer.alloc(3), { plaintextLength: 4 });
  return {
    gcm: await gcmText,
    gcmTag: gcm.getAuthTag().toString("hex"),
    latin1: await latin1Text,
    hex: await hexText,
    highWaterMarks: [hex.readableHighWaterMark, hex.writableHighWaterMark],
    afterFinal: attempt(() => finished.write("more")),
    ccmTooLong: attempt(() => ccm.write(Buffer.alloc(5))),
  };
}`;

/** A file in /tmp through a cipher to another file, and back. */
const FILES = `async function files(crypto, fs, streamPromises, c, payload) {
  const key = Buffer.from(c.key, "hex"), iv = Buffer.from(c.iv, "hex");
  fs.writeFileSync("/tmp/plain.bin", payload);
  const sealing = crypto.createCipheriv(c.algorithm, key, iv);
  await streamPromises.pipeline(fs.createReadStream("/tmp/plain.bin", { highWaterMark: 10007 }), sealing, fs.createWriteStream("/tmp/sealed.bin"));
  const opening = crypto.createDecipheriv(c.algorithm, key, iv).setAuthTag(sealing.getAuthTag());
  await streamPromises.pipeline(fs.createReadStream("/tmp/sealed.bin"), opening, fs.createWriteStream("/tmp/opened.bin"));
  const digest = (data) => crypto.createHash("sha256").update(data).digest("hex");
  return {
    sealed: digest(fs.readFileSync("/tmp/sealed.bin")),
    tag: sealing.getAuthTag().toString("hex"),
    opened: digest(fs.readFileSync("/tmp/opened.bin")),
  };
}`;

type Result = Record<string, unknown>;
const host = new Function(`${BYTES_SOURCE}\n${STREAM_LIKE}\n${WRITTEN}\n${FILES}\nreturn { streamLike, written, files };`)() as {
  streamLike(crypto: unknown, stream: unknown, c: Case, payload: Buffer): Promise<Result>;
  written(crypto: unknown, stream: unknown, key: Buffer, iv: Buffer): Promise<Result>;
};

const HANDLER = `
const crypto = require("node:crypto");
const stream = require("node:stream");
const fs = require("node:fs");
${BYTES_SOURCE}
${STREAM_LIKE}
${WRITTEN}
${FILES}
exports.handler = async (event) => {
  if (event.cases) {
    const payload = bytes(${PAYLOAD_BYTES}, 7);
    const out = [];
    for (const c of event.cases) out.push(await streamLike(crypto, stream, c, payload));
    return out;
  }
  if (event.written) return written(crypto, stream, Buffer.from(event.key, "hex"), Buffer.from(event.iv, "hex"));
  return files(crypto, fs, require("node:stream/promises"), event.file, bytes(${PAYLOAD_BYTES}, 9));
};
`;

const hex = (n: number): string => nodeCrypto.randomBytes(n).toString("hex");
const handle = async (event: unknown): Promise<unknown> =>
  resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, event, { timeoutSeconds: 30 }));

describe("node:crypto ciphers as Transform streams", () => {
  it("encrypts and decrypts 300 KB through pipeline and pipe as the host's Node, tags included, and rejects a wrong tag with Node's error", async () => {
    const cases: Case[] = [
      { algorithm: "aes-256-gcm", key: hex(32), iv: hex(12), aad: hex(20) },
      { algorithm: "aes-128-cbc", key: hex(16), iv: hex(16) },
      { algorithm: "aes-256-ctr", key: hex(32), iv: hex(16) },
      { algorithm: "chacha20-poly1305", key: hex(32), iv: hex(12), aad: hex(7) },
    ];
    const payload = bytes(PAYLOAD_BYTES, 7);
    const expected = [];
    for (const c of cases) expected.push(await host.streamLike(nodeCrypto, nodeStream, c, payload));
    const digest = nodeCrypto.createHash("sha256").update(payload).digest("hex");
    for (const [i, c] of cases.entries()) {
      // The host's streams are Node's own update and final.
      const once = nodeCrypto.createCipheriv(c.algorithm, Buffer.from(c.key, "hex"), Buffer.from(c.iv, "hex"));
      if (c.aad !== undefined) (once as nodeCrypto.CipherGCM).setAAD(Buffer.from(c.aad, "hex"));
      const sealed = Buffer.concat([once.update(payload), once.final()]);
      expect(expected[i]).toMatchObject({
        encrypted: nodeCrypto.createHash("sha256").update(sealed).digest("hex"),
        decrypted: digest,
        decryptedPiped: digest,
        tag: c.aad === undefined ? null : (once as nodeCrypto.CipherGCM).getAuthTag().toString("hex"),
      });
    }
    expect(expected[0]).toMatchObject({
      wrongTag: { name: "Error", code: null, message: "Unsupported state or unable to authenticate data" },
    });
    expect(await handle({ cases })).toEqual(expected);
  });

  it("takes written strings in the stream's default encoding, decodes its output with setEncoding, and throws update's errors from write() as Node does", async () => {
    const key = nodeCrypto.randomBytes(32);
    const iv = nodeCrypto.randomBytes(16);
    const expected = await host.written(nodeCrypto, nodeStream, key, iv);
    expect(expected).toMatchObject({ afterFinal: { message: "Trying to add data in unsupported state" } });
    expect(await handle({ written: true, key: key.toString("hex"), iv: iv.toString("hex") })).toEqual(expected);
  });

  it("pipes a file in /tmp through a cipher into another file and back", async () => {
    const file: Case = { algorithm: "aes-256-gcm", key: hex(32), iv: hex(12) };
    const payload = bytes(PAYLOAD_BYTES, 9);
    const once = nodeCrypto.createCipheriv("aes-256-gcm", Buffer.from(file.key, "hex"), Buffer.from(file.iv, "hex"));
    const sealed = Buffer.concat([once.update(payload), once.final()]);
    const digest = (data: Buffer) => nodeCrypto.createHash("sha256").update(data).digest("hex");
    expect(await handle({ file })).toEqual({ sealed: digest(sealed), tag: once.getAuthTag().toString("hex"), opened: digest(payload) });
  });
});
