/** Node.js built-in modules inside the sandbox: each one exercised by a real handler with known results. */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { parse } from "node:querystring";
import { deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { type Files, invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** A CommonJS handler whose body is `lines`, run once with `event`. */
async function run(lines: string[], event: unknown = {}, overrides = {}): Promise<unknown> {
  const files: Files = { "index.js": lines.join("\n") };
  return resultOf(await invokeOnce(sandbox, files, event, overrides));
}

describe("crypto", () => {
  it("hashes md5, sha1, sha256 and sha512 as Node does, in hex, base64 and Buffer form", async () => {
    const out = await run([
      "const crypto = require('node:crypto');",
      "exports.handler = async () => ({",
      "  md5: crypto.createHash('md5').update('abc').digest('hex'),",
      "  sha1: crypto.createHash('sha1').update('abc').digest('hex'),",
      "  sha256: crypto.createHash('sha256').update('a').update(Buffer.from('bc')).digest('hex'),",
      "  sha512: crypto.createHash('SHA512').update(new Uint8Array([97, 98, 99])).digest('base64'),",
      "  isBuffer: Buffer.isBuffer(crypto.createHash('sha256').update('abc').digest()),",
      "  hexInput: crypto.createHash('sha256').update('616263', 'hex').digest('base64url'),",
      "  oneShot: crypto.hash('sha1', 'abc'),",
      "  reused: (() => { const h = crypto.createHash('md5'); h.digest(); try { h.digest(); } catch (e) { return e.code; } })(),",
      "  unknown: (() => { try { crypto.createHash('nope'); } catch (e) { return e.message; } })(),",
      "});",
    ]);
    expect(out).toEqual({
      md5: "900150983cd24fb0d6963f7d28e17f72",
      sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      sha512: createHash("sha512").update("abc").digest("base64"),
      isBuffer: true,
      hexInput: createHash("sha256").update("abc").digest("base64url"),
      oneShot: "a9993e364706816aba3e25717850c26c9cd0d89d",
      reused: "ERR_CRYPTO_HASH_FINALIZED",
      unknown: "Digest method not supported",
    });
  });

  it("computes HMAC-SHA256 (RFC 4231 case 2) and matches the host for other digests", async () => {
    const out = await run([
      "const { createHmac } = require('crypto');",
      "exports.handler = async () => ({",
      "  rfc4231: createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex'),",
      "  sha512: createHmac('sha512', Buffer.from('key')).update('data').digest('base64'),",
      "  md5: createHmac('md5', 'k').update('v').digest('hex'),",
      "});",
    ]);
    expect(out).toEqual({
      rfc4231: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      sha512: createHmac("sha512", "key").update("data").digest("base64"),
      md5: createHmac("md5", "k").update("v").digest("hex"),
    });
  });

  it("hashes as a stream too: piped into, written to, read from", async () => {
    const out = await run([
      "const crypto = require('crypto');",
      "const { Readable } = require('stream');",
      "const { pipeline } = require('stream/promises');",
      "exports.handler = async () => {",
      "  const piped = crypto.createHash('sha256');",
      "  await pipeline(Readable.from(['a', 'b', 'c']), piped);",
      "  const written = crypto.createHmac('sha256', 'Jefe').setEncoding('hex');",
      "  written.write('what do ya want ');",
      "  written.end('for nothing?');",
      "  const hmac = await new Promise((resolve) => written.on('readable', () => { const d = written.read(); if (d) resolve(d); }));",
      "  const plain = crypto.createHash('md5').update('abc').digest('hex');",
      "  return { piped: piped.read().toString('hex'), hmac, plain, isStream: piped instanceof require('stream').Transform };",
      "};",
    ]);
    expect(out).toEqual({
      piped: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      hmac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      plain: "900150983cd24fb0d6963f7d28e17f72",
      isStream: true,
    });
  });

  it("wraps HMAC secrets in KeyObjects as JWT libraries do", async () => {
    const out = await run([
      "const crypto = require('crypto');",
      "exports.handler = async () => {",
      "  const key = crypto.createSecretKey(Buffer.from('s3cret'));",
      "  let privateKey;",
      "  try { crypto.createPrivateKey('s3cret'); } catch (e) { privateKey = e.code; }",
      "  return { type: key.type, size: key.symmetricKeySize, isKeyObject: key instanceof crypto.KeyObject, exported: key.export().toString(),",
      "    jwk: key.export({ format: 'jwk' }), mac: crypto.createHmac('sha256', key).update('payload').digest('base64url'),",
      "    equals: key.equals(crypto.createSecretKey('s3cret', 'utf8')), privateKey };",
      "};",
    ]);
    expect(out).toEqual({
      type: "secret",
      size: 6,
      isKeyObject: true,
      exported: "s3cret",
      jwk: { kty: "oct", k: Buffer.from("s3cret").toString("base64url") },
      mac: createHmac("sha256", "s3cret").update("payload").digest("base64url"),
      equals: true,
      privateKey: "ERR_OSSL_UNSUPPORTED",
    });
  });

  it("gives random bytes (sync and callback), UUIDs, integers in range and timing-safe comparison", async () => {
    const out = (await run([
      "const crypto = require('crypto');",
      "exports.handler = async () => {",
      "  const big = crypto.randomBytes(200000);",
      "  const viaCallback = await new Promise((resolve, reject) => crypto.randomBytes(16, (e, b) => e ? reject(e) : resolve(b)));",
      "  const ints = Array.from({ length: 200 }, () => crypto.randomInt(3, 7));",
      "  const intCb = await new Promise((resolve) => crypto.randomInt(10, (e, n) => resolve(n)));",
      "  let lengthError;",
      "  try { crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (e) { lengthError = e.code; }",
      "  return {",
      "    bigLength: big.length, bigDistinct: new Set(big.subarray(150000)).size, tailNonZero: big.subarray(-65536).some((b) => b !== 0),",
      "    cbLength: viaCallback.length, cbIsBuffer: Buffer.isBuffer(viaCallback),",
      "    uuid: crypto.randomUUID(), intsInRange: ints.every((n) => n >= 3 && n < 7 && Number.isInteger(n)), distinctInts: new Set(ints).size,",
      "    intCb: intCb >= 0 && intCb < 10,",
      "    equal: crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), unequal: crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')),",
      "    lengthError, filled: crypto.getRandomValues(new Uint32Array(4)).length, webcrypto: crypto.webcrypto === globalThis.crypto,",
      "  };",
      "};",
    ])) as Record<string, unknown>;
    expect(out).toMatchObject({
      bigLength: 200000,
      tailNonZero: true,
      cbLength: 16,
      cbIsBuffer: true,
      intsInRange: true,
      distinctInts: 4,
      intCb: true,
      equal: true,
      unequal: false,
      lengthError: "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH",
      filled: 4,
      webcrypto: true,
    });
    expect(out.bigDistinct).toBeGreaterThan(200);
    expect(out.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("derives keys with PBKDF2 and HKDF like the host", async () => {
    const out = await run([
      "const crypto = require('crypto');",
      "exports.handler = async () => ({",
      "  pbkdf2: crypto.pbkdf2Sync('password', 'salt', 1000, 32, 'sha256').toString('hex'),",
      "  pbkdf2Cb: await new Promise((resolve) => crypto.pbkdf2('password', 'salt', 1, 20, 'sha1', (e, k) => resolve(k.toString('hex')))),",
      "  hkdf: Buffer.from(crypto.hkdfSync('sha256', 'ikm', 'salt', 'info', 42)).toString('hex'),",
      "});",
    ]);
    const { pbkdf2Sync, hkdfSync } = await import("node:crypto");
    expect(out).toEqual({
      pbkdf2: pbkdf2Sync("password", "salt", 1000, 32, "sha256").toString("hex"),
      // RFC 6070, first vector.
      pbkdf2Cb: "0c60c80f961f0e71f3a9b524af6012062fe037a6",
      hkdf: Buffer.from(hkdfSync("sha256", "ikm", "salt", "info", 42)).toString("hex"),
    });
  });

  it("crypto.subtle digests, signs and verifies with HMAC, and imports raw and JWK keys", async () => {
    const out = await run([
      "const hex = (buf) => Buffer.from(buf).toString('hex');",
      "exports.handler = async () => {",
      "  const { subtle } = globalThis.crypto;",
      "  const enc = new TextEncoder();",
      "  const digest = hex(await subtle.digest('SHA-256', enc.encode('abc')));",
      "  const key = await subtle.importKey('raw', enc.encode('Jefe'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);",
      "  const data = enc.encode('what do ya want for nothing?');",
      "  const signature = await subtle.sign('HMAC', key, data);",
      "  const jwk = await subtle.exportKey('jwk', key);",
      "  const imported = await subtle.importKey('jwk', { kty: 'oct', k: Buffer.from('Jefe').toString('base64url'), alg: 'HS256' },",
      "    { name: 'HMAC', hash: { name: 'SHA-256' } }, false, ['verify']);",
      "  const tampered = new Uint8Array(signature).slice(); tampered[0] ^= 1;",
      "  let wrongAlg;",
      "  try { await subtle.importKey('jwk', { kty: 'oct', k: 'AAAA', alg: 'HS512' }, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']); }",
      "  catch (e) { wrongAlg = e.name; }",
      "  let keyMismatch;",
      "  try { await subtle.encrypt({ name: 'RSA-OAEP' }, key, data); } catch (e) { keyMismatch = e.name; }",
      "  const pbkdf2Key = await subtle.importKey('raw', enc.encode('password'), 'PBKDF2', false, ['deriveBits']);",
      "  const bits = await subtle.deriveBits({ name: 'PBKDF2', salt: enc.encode('salt'), iterations: 1, hash: 'SHA-1' }, pbkdf2Key, 160);",
      "  return { digest, signature: hex(signature), jwk, verified: await subtle.verify('HMAC', imported, signature, data),",
      "    rejected: await subtle.verify('HMAC', imported, tampered, data), keyType: key.type, algorithm: key.algorithm,",
      "    extractable: imported.extractable, wrongAlg, keyMismatch, pbkdf2: hex(bits),",
      "    sameSubtle: require('crypto').subtle === subtle };",
      "};",
    ]);
    expect(out).toEqual({
      digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      signature: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      jwk: { kty: "oct", k: "SmVmZQ", alg: "HS256", key_ops: ["sign", "verify"], ext: true },
      verified: true,
      rejected: false,
      keyType: "secret",
      algorithm: { name: "HMAC", length: 32, hash: { name: "SHA-256" } },
      extractable: false,
      wrongAlg: "DataError",
      keyMismatch: "InvalidAccessError",
      pbkdf2: "0c60c80f961f0e71f3a9b524af6012062fe037a6",
      sameSubtle: true,
    });
  });

  it("encrypts and decrypts AES-GCM and AES-CBC interchangeably with the host", async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cbcIv = randomBytes(16);
    const hostCipher = createCipheriv("aes-256-gcm", key, iv);
    hostCipher.setAAD(Buffer.from("header"));
    const sealed = Buffer.concat([hostCipher.update("from the host", "utf8"), hostCipher.final()]);
    const event = {
      key: key.toString("hex"),
      iv: iv.toString("hex"),
      cbcIv: cbcIv.toString("hex"),
      sealed: sealed.toString("base64"),
      tag: hostCipher.getAuthTag().toString("base64"),
    };
    const out = (await run(
      [
        "const crypto = require('crypto');",
        "exports.handler = async (event) => {",
        "  const key = Buffer.from(event.key, 'hex'), iv = Buffer.from(event.iv, 'hex'), cbcIv = Buffer.from(event.cbcIv, 'hex');",
        "  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);",
        "  decipher.setAAD(Buffer.from('header')); decipher.setAuthTag(Buffer.from(event.tag, 'base64'));",
        "  const opened = decipher.update(event.sealed, 'base64', 'utf8') + decipher.final('utf8');",
        "  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);",
        "  const mine = Buffer.concat([cipher.update('from the sandbox'), cipher.final()]).toString('base64');",
        "  const cbc = crypto.createCipheriv('aes-256-cbc', key, cbcIv);",
        "  const cbcOut = cbc.update('padded text', 'utf8', 'hex') + cbc.final('hex');",
        "  const tampered = crypto.createDecipheriv('aes-256-gcm', key, iv);",
        "  tampered.setAuthTag(Buffer.alloc(16));",
        "  tampered.update(Buffer.from(event.sealed, 'base64'));",
        "  let authError; try { tampered.final(); } catch (e) { authError = e.message; }",
        "  let keyError; try { crypto.createCipheriv('aes-128-gcm', key, iv); } catch (e) { keyError = e.code; }",
        "  const subtle = globalThis.crypto.subtle;",
        "  const webKey = await subtle.importKey('raw', key, 'AES-GCM', true, ['encrypt', 'decrypt']);",
        "  const webSealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: Buffer.from('header') }, webKey, Buffer.from('from the host'));",
        "  const generated = await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt', 'decrypt']);",
        "  const cbcIv2 = crypto.randomBytes(16);",
        "  const roundTrip = Buffer.from(await subtle.decrypt({ name: 'AES-CBC', iv: cbcIv2 }, generated,",
        "    await subtle.encrypt({ name: 'AES-CBC', iv: cbcIv2 }, generated, Buffer.from('web round trip')))).toString();",
        "  return { opened, mine, cbcOut, authError, keyError, webSealed: Buffer.from(webSealed).toString('base64'), roundTrip,",
        "    jwk: await subtle.exportKey('jwk', generated).then((j) => [j.kty, j.alg]), tag: cipher.getAuthTag().toString('base64') };",
        "};",
      ],
      event,
    )) as Record<string, string>;
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(Buffer.from(out.tag ?? "", "base64"));
    const cbc = createCipheriv("aes-256-cbc", key, cbcIv);
    expect(out).toMatchObject({
      opened: "from the host",
      cbcOut: cbc.update("padded text", "utf8", "hex") + cbc.final("hex"),
      authError: "Unsupported state or unable to authenticate data",
      keyError: "ERR_CRYPTO_INVALID_KEYLEN",
      webSealed: Buffer.concat([sealed, hostCipher.getAuthTag()]).toString("base64"),
      roundTrip: "web round trip",
      jwk: ["oct", "A128CBC"],
    });
    expect(Buffer.concat([decipher.update(Buffer.from(out.mine ?? "", "base64")), decipher.final()]).toString()).toBe("from the sandbox");
  });

  it("is importable by name from an ES module", async () => {
    const files: Files = {
      "index.mjs": [
        "import { createHash, randomUUID } from 'node:crypto';",
        "import crypto from 'crypto';",
        "export const handler = async () => ({ sha: createHash('sha256').update('abc').digest('hex'), same: crypto.createHash === createHash,",
        "  uuid: typeof randomUUID() });",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      sha: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      same: true,
      uuid: "string",
    });
  });
});

describe("zlib", () => {
  it("round-trips gzip, deflate and deflateRaw, and reads what the host's zlib wrote", async () => {
    const text = "isolambda ".repeat(500);
    const event = {
      gzip: gzipSync(text).toString("base64"),
      deflate: deflateSync(text).toString("base64"),
      raw: deflateRawSync(text).toString("base64"),
    };
    const out = (await run(
      [
        "const zlib = require('zlib');",
        "exports.handler = async (event) => {",
        "  const text = 'isolambda '.repeat(500);",
        "  const b = (s) => Buffer.from(s, 'base64');",
        "  const gz = zlib.gzipSync(text);",
        "  return {",
        "    gzipRound: zlib.gunzipSync(gz).toString() === text, gzipMagic: gz.subarray(0, 2).toString('hex'), compressed: gz.length < text.length,",
        "    deflateRound: zlib.inflateSync(zlib.deflateSync(text, { level: 9 })).toString() === text,",
        "    rawRound: zlib.inflateRawSync(zlib.deflateRawSync(Buffer.from(text))).toString() === text,",
        "    fromHostGzip: zlib.gunzipSync(b(event.gzip)).toString() === text,",
        "    fromHostDeflate: zlib.inflateSync(b(event.deflate)).toString() === text,",
        "    fromHostRaw: zlib.inflateRawSync(b(event.raw)).toString() === text,",
        "    unzip: zlib.unzipSync(b(event.gzip)).toString() === text && zlib.unzipSync(b(event.deflate)).toString() === text,",
        "    forHost: zlib.gzipSync(text).toString('base64'), deflatedForHost: zlib.deflateSync(text).toString('base64'),",
        "    callback: await new Promise((resolve, reject) => zlib.gzip(text, (e, z) => e ? reject(e) : zlib.gunzip(z, (e2, t) => e2 ? reject(e2) : resolve(t.toString() === text)))),",
        "    promisified: (await require('util').promisify(zlib.deflate)(text)).length > 0,",
        "    badHeader: (() => { try { zlib.gunzipSync(Buffer.from('not gzip at all')); } catch (e) { return [e.code, e.errno, e.message]; } })(),",
        "    truncated: (() => { try { zlib.gunzipSync(gz.subarray(0, 20)); } catch (e) { return e.code; } })(),",
        "    brotli: zlib.brotliDecompressSync(zlib.brotliCompressSync('brotli')).toString(),",
        "    constant: zlib.constants.Z_BEST_COMPRESSION,",
        "  };",
        "};",
      ],
      event,
    )) as Record<string, unknown>;
    expect(out).toMatchObject({
      gzipRound: true,
      gzipMagic: "1f8b",
      compressed: true,
      deflateRound: true,
      rawRound: true,
      fromHostGzip: true,
      fromHostDeflate: true,
      fromHostRaw: true,
      unzip: true,
      callback: true,
      promisified: true,
      badHeader: ["Z_DATA_ERROR", -3, "incorrect header check"],
      truncated: "Z_BUF_ERROR",
      brotli: "brotli",
      constant: 9,
    });
    expect(gunzipSync(Buffer.from(out.forHost as string, "base64")).toString()).toBe(text);
    expect(inflateSync(Buffer.from(out.deflatedForHost as string, "base64")).toString()).toBe(text);
  });

  it("compresses as a stream: createGzip piped into createGunzip", async () => {
    const out = await run([
      "const zlib = require('node:zlib');",
      "const { pipeline, Readable, Writable } = require('node:stream');",
      "exports.handler = async () => {",
      "  const parts = ['alpha ', 'beta ', 'gamma '.repeat(1000)];",
      "  const chunks = [];",
      "  const gzip = zlib.createGzip();",
      "  await new Promise((resolve, reject) => pipeline(Readable.from(parts), gzip, zlib.createGunzip(),",
      "    new Writable({ write(chunk, _enc, cb) { chunks.push(chunk); cb(); } }), (e) => e ? reject(e) : resolve()));",
      "  return { same: Buffer.concat(chunks).toString() === parts.join(''), written: gzip.bytesWritten, gzip: gzip instanceof zlib.Gzip };",
      "};",
    ]);
    expect(out).toEqual({ same: true, written: 6 + 5 + 6000, gzip: true });
  });
});

describe("stream", () => {
  it("pipes through a Transform with pipeline, stream/promises and async iteration", async () => {
    const out = await run([
      "const { Readable, Transform, PassThrough, Writable, Duplex, finished } = require('stream');",
      "const { pipeline } = require('stream/promises');",
      "const consumers = require('node:stream/consumers');",
      "exports.handler = async () => {",
      "  const upper = new Transform({ transform(chunk, _enc, cb) { cb(null, chunk.toString().toUpperCase()); } });",
      "  const seen = [];",
      "  const sink = new Writable({ write(chunk, _enc, cb) { seen.push(chunk.toString()); cb(); } });",
      "  await pipeline(Readable.from(['a', 'b', 'c']), upper, new PassThrough(), sink);",
      "  const iterated = [];",
      "  for await (const n of Readable.from([1, 2, 3])) iterated.push(n * 10);",
      "  const ended = await new Promise((resolve) => { const r = Readable.from(['x']); r.resume(); finished(r, (e) => resolve(e ?? 'done')); });",
      "  const text = await consumers.text(Readable.from(['he', 'llo']));",
      "  const failed = await pipeline(Readable.from(['x']), new Transform({ transform(c, e, cb) { cb(new Error('boom')); } }), new PassThrough())",
      "    .then(() => 'resolved', (e) => e.message);",
      "  return { seen, iterated, ended, text, failed, duplex: typeof Duplex, isEmitter: sink instanceof require('events') };",
      "};",
    ]);
    expect(out).toEqual({
      seen: ["A", "B", "C"],
      iterated: [10, 20, 30],
      ended: "done",
      text: "hello",
      failed: "boom",
      duplex: "function",
      isEmitter: true,
    });
  });

  it("decodes split multi-byte characters with string_decoder", async () => {
    const out = await run([
      "const { StringDecoder } = require('string_decoder');",
      "exports.handler = async () => {",
      "  const euro = Buffer.from('€');",
      "  const d = new StringDecoder('utf8');",
      "  return [d.write(euro.subarray(0, 1)), d.write(euro.subarray(1)), d.end(), new StringDecoder('hex').write(Buffer.from([255]))];",
      "};",
    ]);
    expect(out).toEqual(["", "€", "", "ff"]);
  });
});

describe("events", () => {
  it("emits, awaits events.once and iterates events.on", async () => {
    const out = await run([
      "const EventEmitter = require('events');",
      "const { once, on, errorMonitor } = require('node:events');",
      "exports.handler = async () => {",
      "  const e = new EventEmitter();",
      "  const calls = [];",
      "  e.on('x', (a, b) => calls.push(a + b));",
      "  e.once('x', () => calls.push('once'));",
      "  e.emit('x', 1, 2); e.emit('x', 3, 4);",
      "  setTimeout(() => e.emit('ready', 'go', 42), 1);",
      "  const args = await once(e, 'ready');",
      "  const iterated = [];",
      "  setTimeout(() => { e.emit('tick', 1); e.emit('tick', 2); e.emit('tick', 3); }, 1);",
      "  for await (const [n] of on(e, 'tick')) { iterated.push(n); if (n === 3) break; }",
      "  const monitored = [];",
      "  e.on(errorMonitor, (err) => monitored.push(err.message));",
      "  e.on('error', (err) => monitored.push('handled ' + err.message));",
      "  e.emit('error', new Error('bad'));",
      "  let unhandled;",
      "  try { new EventEmitter().emit('error', new Error('nobody listens')); } catch (err) { unhandled = err.message; }",
      "  const controller = new AbortController();",
      "  const aborted = new Promise((resolve) => require('events').addAbortListener(controller.signal, () => resolve('abort heard')));",
      "  controller.abort();",
      "  return { calls, args, iterated, monitored, unhandled, listeners: e.listenerCount('tick'), sameClass: EventEmitter.EventEmitter === EventEmitter,",
      "    aborted: await aborted };",
      "};",
    ]);
    expect(out).toEqual({
      calls: [3, "once", 7],
      args: ["go", 42],
      iterated: [1, 2, 3],
      monitored: ["bad", "handled bad"],
      unhandled: "nobody listens",
      listeners: 0,
      sameClass: true,
      aborted: "abort heard",
    });
  });
});

describe("diagnostics_channel", () => {
  it("publishes to subscribers and traces sync and async operations", async () => {
    const out = await run([
      "const dc = require('node:diagnostics_channel');",
      "exports.handler = async () => {",
      "  const got = [];",
      "  const channel = dc.channel('app:orders');",
      "  const before = channel.hasSubscribers;",
      "  const onMessage = (message, name) => got.push([name, message.id]);",
      "  dc.subscribe('app:orders', onMessage);",
      "  channel.publish({ id: 7 });",
      "  dc.unsubscribe('app:orders', onMessage);",
      "  channel.publish({ id: 8 });",
      "  const traced = [];",
      "  const tracing = dc.tracingChannel('app:db');",
      "  tracing.subscribe({ start: (c) => traced.push('start ' + c.query), end: () => traced.push('end'), asyncStart: (c) => traced.push('asyncStart ' + c.result),",
      "    asyncEnd: () => traced.push('asyncEnd'), error: (c) => traced.push('error ' + c.error.message) });",
      "  const sync = tracing.traceSync(() => 'rows', { query: 'q1' });",
      "  const value = await tracing.tracePromise(async () => 42, { query: 'q2' });",
      "  const failed = await tracing.tracePromise(async () => { throw new Error('boom'); }, { query: 'q3' }).catch((e) => e.message);",
      "  return { before, got, sync, value, failed, traced, has: dc.hasSubscribers('app:orders') };",
      "};",
    ]);
    expect(out).toEqual({
      before: false,
      got: [["app:orders", 7]],
      sync: "rows",
      value: 42,
      failed: "boom",
      traced: [
        "start q1",
        "end",
        "start q2",
        "end",
        "asyncStart 42",
        "asyncEnd",
        "start q3",
        "end",
        "error boom",
        "asyncStart undefined",
        "asyncEnd",
      ],
      has: false,
    });
  });
});

describe("util", () => {
  it("promisifies, callbackifies, formats, inspects and compares deeply", async () => {
    const out = await run([
      "const util = require('util');",
      "const { types } = require('node:util');",
      "function legacy(a, b, cb) { setTimeout(() => (a < 0 ? cb(new Error('negative')) : cb(null, a + b)), 1); }",
      "function Base() {} Base.prototype.hello = function () { return 'hi'; };",
      "function Child() { Base.call(this); } util.inherits(Child, Base);",
      "exports.handler = async () => {",
      "  const sum = await util.promisify(legacy)(2, 3);",
      "  const failure = await util.promisify(legacy)(-1, 0).catch((e) => e.message);",
      "  const cb = await new Promise((resolve) => util.callbackify(async (x) => x * 2)(21, (e, v) => resolve([e, v])));",
      "  return {",
      "    sum, failure, cb,",
      "    format: util.format('%s is %d years and %j', 'Bob', 42, { a: 1 }),",
      "    inspect: util.inspect({ a: [1, 2, { deep: { deeper: { deepest: 1 } } }], s: 'x' }),",
      "    inherits: new Child().hello(), superIs: Child.super_ === Base,",
      "    deepEqual: util.isDeepStrictEqual({ a: [1, { b: new Map([[1, 2]]) }] }, { a: [1, { b: new Map([[1, 2]]) }] }),",
      "    deepUnequal: util.isDeepStrictEqual({ a: 1 }, { a: '1' }),",
      "    types: [types.isDate(new Date()), types.isRegExp(/x/), types.isPromise(Promise.resolve()), types.isUint8Array(Buffer.alloc(1)),",
      "      types.isAsyncFunction(async () => {}), types.isMap(new Set()), types.isBoxedPrimitive(Object(1)), require('util/types').isSet(new Set())],",
      "    encoder: new util.TextEncoder().encode('é').length,",
      "    error: util.inspect(new RangeError('out')).split('\\n')[0],",
      "    custom: util.inspect({ money: { [util.inspect.custom]: (depth, options, inspect) => 'EUR ' + inspect(12.5) + ' @' + depth } }),",
      "  };",
      "};",
    ]);
    expect(out).toEqual({
      sum: 5,
      failure: "negative",
      cb: [null, 42],
      format: 'Bob is 42 years and {"a":1}',
      inspect: "{ a: [ 1, 2, { deep: [Object] } ], s: 'x' }",
      inherits: "hi",
      superIs: true,
      deepEqual: true,
      deepUnequal: false,
      types: [true, true, true, true, true, false, true, true],
      encoder: 2,
      error: "RangeError: out",
      custom: "{ money: EUR 12.5 @1 }",
    });
  });
});

describe("assert", () => {
  it("throws AssertionError with code ERR_ASSERTION, in legacy and strict forms", async () => {
    const out = await run([
      "const assert = require('assert');",
      "const strict = require('node:assert/strict');",
      "const attempt = (fn) => { try { fn(); return 'passed'; } catch (e) { return { name: e.name, code: e.code, isAssertion: e instanceof assert.AssertionError }; } };",
      "exports.handler = async () => ({",
      "  deepStrict: attempt(() => assert.deepStrictEqual({ a: [1, 2] }, { a: [1, '2'] })),",
      "  deepStrictOk: attempt(() => assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 2] })),",
      "  looseOk: attempt(() => assert.deepEqual({ a: 1 }, { a: '1' })),",
      "  strictEqual: attempt(() => strict.equal(1, '1')),",
      "  ok: attempt(() => assert(0)),",
      "  throws: attempt(() => assert.throws(() => { throw new TypeError('t'); }, TypeError)),",
      "  rejects: await assert.rejects(Promise.reject(new Error('r')), /r/).then(() => 'passed'),",
      "  message: (() => { try { assert.strictEqual(1, 2, 'custom message'); } catch (e) { return e.message; } })(),",
      "});",
    ]);
    const failure = { name: "AssertionError", code: "ERR_ASSERTION", isAssertion: true };
    expect(out).toEqual({
      deepStrict: failure,
      deepStrictOk: "passed",
      looseOk: "passed",
      strictEqual: failure,
      ok: failure,
      throws: "passed",
      rejects: "passed",
      message: "custom message",
    });
  });
});

describe("path, querystring, url", () => {
  it("path is posix: join, resolve from /var/task, relative, parse", async () => {
    const out = await run([
      "const path = require('path');",
      "exports.handler = async () => ({",
      "  join: path.join('/a/b', '../c', './d.txt'), resolve: path.resolve('lib', 'x.js'), relative: path.relative('/a/b/c', '/a/d'),",
      "  parse: path.parse('/home/u/file.tar.gz'), sep: path.sep, posix: path.posix === path, normalize: path.normalize('a//b/../c/'),",
      "  viaPosix: require('node:path/posix').basename('/x/y.js', '.js'), ext: path.extname('index.mjs'), abs: path.isAbsolute('x'),",
      "});",
    ]);
    expect(out).toEqual({
      join: "/a/c/d.txt",
      resolve: "/var/task/lib/x.js",
      relative: "../../d",
      parse: { root: "/", dir: "/home/u", base: "file.tar.gz", ext: ".gz", name: "file.tar" },
      sep: "/",
      posix: true,
      normalize: "a/c/",
      viaPosix: "y",
      ext: ".mjs",
      abs: false,
    });
  });

  it("querystring parses and stringifies round trip, and survives malformed escapes as Node does", async () => {
    const malformed = "a=%&b=%E2%82%AC%A&c=%zz&&d=%C3";
    const out = await run(
      [
        "const qs = require('querystring');",
        "exports.handler = async (event) => {",
        "  const parsed = qs.parse('a=1&b=x%20y&a=2&c=&d=caf%C3%A9+bar');",
        "  return { parsed: { ...parsed }, proto: Object.getPrototypeOf(parsed), back: qs.stringify({ a: ['1', '2'], b: 'x y', e: 'é&=' }),",
        "    round: qs.parse(qs.stringify({ k: 'v w', n: 3 })), escape: qs.escape('a b&c'), unescape: qs.unescape('%E2%82%AC%zz'),",
        "    malformed: { ...qs.parse(event.malformed) }, protoKey: Object.keys(qs.parse('__proto__=x')), custom: { ...qs.parse('a:1;b:2', ';', ':') } };",
        "};",
      ],
      { malformed },
    );
    expect(out).toEqual({
      parsed: { a: ["1", "2"], b: "x y", c: "", d: "café bar" },
      proto: null,
      back: "a=1&a=2&b=x%20y&e=%C3%A9%26%3D",
      round: { k: "v w", n: "3" },
      escape: "a%20b%26c",
      unescape: "€%zz",
      malformed: { ...parse(malformed) },
      protoKey: ["__proto__"],
      custom: { a: "1", b: "2" },
    });
  });

  it("url.parse, url.format, resolve and file URLs behave as Node's legacy API", async () => {
    const out = await run([
      "const url = require('url');",
      "exports.handler = async () => {",
      "  const u = url.parse('https://user:pw@example.com:8080/p/a/t/h?query=string&x=1#hash', true);",
      "  return {",
      "    fields: { protocol: u.protocol, auth: u.auth, host: u.host, port: u.port, hostname: u.hostname, hash: u.hash, search: u.search,",
      "      pathname: u.pathname, path: u.path, href: u.href, slashes: u.slashes },",
      "    query: { ...u.query },",
      "    format: url.format({ protocol: 'http', host: 'a.com', pathname: '/x', query: { y: '1 2' } }),",
      "    formatWhatwg: url.format(new URL('https://u:p@a.com/x?y#z'), { auth: false, fragment: false }),",
      "    resolve: [url.resolve('/one/two/three', 'four'), url.resolve('http://example.com/one', '/two')],",
      "    file: url.fileURLToPath('file:///var/task/a%20b.js'), fileUrl: url.pathToFileURL('/tmp/x y#.txt').href,",
      "    same: url.URL === URL,",
      "  };",
      "};",
    ]);
    expect(out).toEqual({
      fields: {
        protocol: "https:",
        auth: "user:pw",
        host: "example.com:8080",
        port: "8080",
        hostname: "example.com",
        hash: "#hash",
        search: "?query=string&x=1",
        pathname: "/p/a/t/h",
        path: "/p/a/t/h?query=string&x=1",
        href: "https://user:pw@example.com:8080/p/a/t/h?query=string&x=1#hash",
        slashes: true,
      },
      query: { query: "string", x: "1" },
      format: "http://a.com/x?y=1%202",
      formatWhatwg: "https://a.com/x?y",
      resolve: ["/one/two/four", "http://example.com/two"],
      file: "/var/task/a b.js",
      fileUrl: "file:///tmp/x%20y%23.txt",
      same: true,
    });
  });
});

describe("os, timers/promises, perf_hooks, buffer", () => {
  it("os reports Lambda's static values and the function's memory", async () => {
    const out = await run(
      [
        "const os = require('os');",
        "exports.handler = async () => ({ platform: os.platform(), eol: os.EOL, tmpdir: os.tmpdir(), totalmem: os.totalmem(), cpus: os.cpus().length,",
        "  arch: os.arch(), type: os.type(), homedir: os.homedir(), hostname: typeof os.hostname(), endianness: os.endianness(),",
        "  sigterm: os.constants.signals.SIGTERM });",
      ],
      {},
      { memorySizeMB: 512 },
    );
    expect(out).toEqual({
      platform: "linux",
      eol: "\n",
      tmpdir: "/tmp",
      totalmem: 512 * 1024 * 1024,
      cpus: 2,
      arch: "x64",
      type: "Linux",
      homedir: "/home/sbx_user1051",
      hostname: "string",
      endianness: "LE",
      sigterm: 15,
    });
  });

  it("timers/promises resolves with values and iterates intervals", async () => {
    const out = await run([
      "const { setTimeout: sleep, setImmediate: immediate, setInterval: every } = require('node:timers/promises');",
      "const { performance } = require('perf_hooks');",
      "exports.handler = async () => {",
      "  const started = performance.now();",
      "  const value = await sleep(20, 'slept');",
      "  const elapsed = performance.now() - started;",
      "  const ticks = [];",
      "  for await (const v of every(5, 'tick')) { ticks.push(v); if (ticks.length === 3) break; }",
      "  return { value, waited: elapsed >= 19, immediate: await immediate('now'), ticks };",
      "};",
    ]);
    expect(out).toEqual({ value: "slept", waited: true, immediate: "now", ticks: ["tick", "tick", "tick"] });
  });

  it("node:buffer exposes the full Buffer API and its constants", async () => {
    const out = await run([
      "const buffer = require('node:buffer');",
      "exports.handler = async () => {",
      "  const b = buffer.Buffer.alloc(8);",
      "  b.writeUInt32BE(0xdeadbeef, 0); b.writeInt16LE(-2, 4);",
      "  return { same: buffer.Buffer === Buffer, hex: b.toString('hex'), readBack: b.readInt16LE(4), kMaxLength: buffer.kMaxLength > 0,",
      "    maxLength: buffer.constants.MAX_LENGTH === buffer.kMaxLength, base64url: Buffer.from('hi?').toString('base64url'), atob: buffer.atob('aGk=') };",
      "};",
    ]);
    expect(out).toEqual({
      same: true,
      hex: "deadbeeffeff0000",
      readBack: -2,
      kMaxLength: true,
      maxLength: true,
      base64url: "aGk_",
      atob: "hi",
    });
  });
});

describe("module, punycode, tty, sys, AbortController", () => {
  it("module.createRequire gives an ES module a require rooted at its own file", async () => {
    const files: Files = {
      "src/index.mjs": [
        "import { createRequire, builtinModules, isBuiltin } from 'node:module';",
        "const require = createRequire(import.meta.url);",
        "export const handler = async () => ({ helper: require('./helper.cjs'), json: require('../data.json').k, path: require('path').sep,",
        "  fromPath: createRequire('/var/task/')('./data.json').k, list: builtinModules.includes('zlib'), fs: isBuiltin('node:fs'), no: isBuiltin('left-pad') });",
      ].join("\n"),
      "src/helper.cjs": "module.exports = 'helped';",
      "data.json": JSON.stringify({ k: "v" }),
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { handler: "src/index.handler" }))).toEqual({
      helper: "helped",
      json: "v",
      path: "/",
      fromPath: "v",
      list: true,
      fs: true,
      no: false,
    });
  });

  it("punycode, tty and sys answer as Node's do", async () => {
    const out = await run([
      "exports.handler = async () => ({ puny: require('punycode').toASCII('mañana.com'), tty: require('tty').isatty(1),",
      "  sys: require('sys') === require('util') });",
    ]);
    expect(out).toEqual({ puny: "xn--maana-pta.com", tty: false, sys: true });
  });

  it("util.promisify(setTimeout) and timers.promises wait and resolve with the value", async () => {
    const out = await run([
      "const { promisify } = require('util');",
      "exports.handler = async () => ({ promisified: await promisify(setTimeout)(5, 'later'), viaTimers: await require('timers').promises.setTimeout(1, 'x'),",
      "  immediate: await promisify(setImmediate)('now') });",
    ]);
    expect(out).toEqual({ promisified: "later", viaTimers: "x", immediate: "now" });
  });

  it("AbortController cancels timers/promises, EventTarget dispatches, AbortSignal.timeout fires", async () => {
    const out = await run([
      "const { setTimeout: sleep } = require('timers/promises');",
      "exports.handler = async () => {",
      "  const controller = new AbortController();",
      "  const pending = sleep(10000, 'never', { signal: controller.signal }).catch((e) => [e.name, e.code]);",
      "  controller.abort();",
      "  const seen = [];",
      "  const target = new EventTarget();",
      "  target.addEventListener('ping', (event) => seen.push(event.type));",
      "  target.dispatchEvent(new Event('ping'));",
      "  const timeout = AbortSignal.timeout(5);",
      // Node's timeout signal is unref'd: only a ref'd timer keeps the invocation's loop alive meanwhile.
      "  await Promise.all([new Promise((resolve) => timeout.addEventListener('abort', resolve)), sleep(50)]);",
      "  const reason = new Error('why');",
      "  return { aborted: await pending, seen, timeout: [timeout.aborted, timeout.reason.name], preAborted: AbortSignal.abort(reason).reason === reason,",
      "    signalAborted: controller.signal.aborted, throwIf: (() => { try { controller.signal.throwIfAborted(); } catch (e) { return e.name; } })() };",
      "};",
    ]);
    expect(out).toEqual({
      aborted: ["AbortError", "ABORT_ERR"],
      seen: ["ping"],
      timeout: [true, "TimeoutError"],
      preAborted: true,
      signalAborted: true,
      throwIf: "AbortError",
    });
  });
});

describe("console and process output", () => {
  it("process.stdout and a Console over it write raw lines, as structured loggers expect", async () => {
    const files: Files = {
      "index.mjs": [
        "import { Console } from 'node:console';",
        "const logger = new Console({ stdout: process.stdout, stderr: process.stderr });",
        "export const handler = async () => {",
        "  logger.info(JSON.stringify({ level: 'INFO', message: 'structured' }));",
        "  logger.error('failed %d times', 3);",
        "  process.stdout.write('raw ');",
        "  process.stdout.write(Buffer.from('bytes\\n'));",
        "  console.log('prefixed');",
        "  const { log } = logger; log('bound');",
        "  return { tty: process.stdout.isTTY, same: (await import('node:console')).default === console };",
        "};",
      ].join("\n"),
    };
    const result = await invokeOnce(sandbox, files);
    expect(resultOf(result)).toEqual({ tty: false, same: true });
    const lines = result.logs.split("\n");
    expect(lines).toContain('{"level":"INFO","message":"structured"}');
    expect(lines).toContain("failed 3 times");
    expect(lines).toContain("raw bytes");
    expect(lines).toContain("bound");
    expect(messagesAt(result.logs, "INFO")).toEqual(["prefixed"]);
  });

  it('process is "[object process]" to Object.prototype.toString, as libraries test to detect Node (axios)', async () => {
    expect(
      await run(["exports.handler = async () => [Object.prototype.toString.call(process), String(process[Symbol.toStringTag])];"]),
    ).toEqual(["[object process]", "process"]);
  });
});

describe("module table", () => {
  it("every built-in is reachable by require, node: prefix, default import and named import", async () => {
    const names = [
      "assert",
      "buffer",
      "crypto",
      "diagnostics_channel",
      "events",
      "os",
      "module",
      "path",
      "perf_hooks",
      "punycode",
      "querystring",
      "stream",
      "string_decoder",
      "timers",
      "tty",
      "url",
      "util",
      "zlib",
    ];
    const files: Files = {
      "index.mjs": [
        ...names.map((name, i) => `import m${i} from 'node:${name}';`),
        "import { EventEmitter } from 'events';",
        "import { join } from 'node:path';",
        "import { Readable } from 'node:stream';",
        "import { gzipSync } from 'zlib';",
        "import { promisify } from 'node:util';",
        "import { tmpdir } from 'node:os';",
        "import { pipeline } from 'node:stream/promises';",
        "import { deepStrictEqual } from 'node:assert/strict';",
        "import { createRequire } from './require.cjs';",
        "const require = createRequire();",
        `const names = ${JSON.stringify(names)};`,
        `const defaults = [${names.map((_, i) => `m${i}`).join(", ")}];`,
        "export const handler = async () => ({",
        "  sameAsRequire: names.filter((name, i) => require(name) !== defaults[i] || require('node:' + name) !== defaults[i]),",
        "  named: [typeof EventEmitter, join('a', 'b'), typeof Readable.from, gzipSync('x')[0], typeof promisify, tmpdir(), typeof pipeline,",
        "    typeof deepStrictEqual],",
        "});",
      ].join("\n"),
      "require.cjs": "exports.createRequire = () => require;",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      sameAsRequire: [],
      named: ["function", "a/b", "function", 0x1f, "function", "/tmp", "function", "function"],
    });
  });

  it("http2 loads (the AWS SDK requires it) but refuses to connect", async () => {
    const out = await run([
      "exports.handler = async () => { const http2 = require('node:http2'); try { http2.connect('https://x'); } catch (e) { return [http2.constants.HTTP2_HEADER_PATH, e.code]; } };",
    ]);
    expect(out).toEqual([":path", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"]);
  });

  it("modules without an implementation fail with an error naming them, never the host's", async () => {
    const unsupported = ["child_process", "vm", "cluster", "inspector", "node:repl"];
    const out = await run([
      "const attempt = (name) => { try { require(name); return 'loaded'; } catch (e) { return [e.message, e.code]; } };",
      `exports.handler = async () => ${JSON.stringify(unsupported)}.map(attempt);`,
    ]);
    expect(out).toEqual(
      unsupported.map((name) => [`Module "node:${name.replace("node:", "")}" is not available in isolambda`, "ERR_UNKNOWN_BUILTIN_MODULE"]),
    );
  });

  it("worker_threads says it is the main thread and refuses a Worker; dgram loads and fails a send through its callback", async () => {
    const out = await run([
      "const { isMainThread, Worker } = require('worker_threads');",
      "exports.handler = async () => ({",
      "  isMainThread,",
      "  worker: (() => { try { new Worker('x.js'); return 'started'; } catch (e) { return [e.message, e.code]; } })(),",
      "  send: await new Promise((resolve) => require('dgram').createSocket('udp4').send('x', 9, '127.0.0.1', (e) => resolve(e ? e.code : 'sent'))),",
      "});",
    ]);
    expect(out).toMatchObject({
      isMainThread: true,
      worker: [
        "new worker_threads.Worker() is not available in isolambda: the sandbox runs one thread",
        "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
      ],
    });
    expect((out as { send: unknown }).send).not.toBe("sent");
  });

  it("net, tls and http2 load without sockets: helpers work, connecting or listening throws naming what is missing", async () => {
    const out = await run([
      "const net = require('node:net'); const tls = require('tls'); const http2 = require('node:http2');",
      "const attempt = (fn) => { try { fn(); return 'opened'; } catch (e) { return [e.message, e.code]; } };",
      "exports.handler = async () => ({",
      "  ip: ['127.0.0.1', '::1', '2001:db8::1', '::ffff:10.0.0.1', '256.1.1.1', 'fe80::1%eth0', '1::2::3', 'host'].map(net.isIP),",
      "  v4: [net.isIPv4('10.0.0.1'), net.isIPv4('::1')], v6: [net.isIPv6('1:2:3:4:5:6:7:8'), net.isIPv6('1:2:3:4:5:6:7:8:9')],",
      "  connect: attempt(() => net.connect(80, 'example.com')),",
      "  socket: attempt(() => new net.Socket()),",
      "  tls: attempt(() => tls.connect(443, 'example.com')), tlsMin: tls.DEFAULT_MIN_VERSION,",
      "  http2: attempt(() => http2.connect('https://example.com')), path: http2.constants.HTTP2_HEADER_PATH,",
      "});",
    ]);
    expect(out).toEqual({
      ip: [4, 6, 6, 6, 0, 6, 0, 0],
      v4: [true, false],
      v6: [true, false],
      connect: ["net.connect is not available in isolambda: the sandbox has no sockets", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],
      socket: ["new net.Socket() is not available in isolambda: the sandbox has no sockets", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],
      tls: ["tls.connect is not available in isolambda: the sandbox has no sockets", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],
      tlsMin: "TLSv1.2",
      http2: ["http2.connect is not available in isolambda: the sandbox has no sockets", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],
      path: ":path",
    });
  });
});
