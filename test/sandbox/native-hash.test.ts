/**
 * node:crypto's hashes, HMAC and key derivation, and Web Crypto's digest, HMAC, PBKDF2 and HKDF,
 * run on the host: every result compared with what the host's Node computes for the same input,
 * with streaming updates split at awkward sizes (around the guest's 64 KiB batch), empty input and
 * Node's own errors for bad input.
 */
import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { BYTES_SOURCE, bytes } from "./deterministic-bytes.js";
import { errorOf, type Files, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

async function run(body: string, event: unknown = {}): Promise<unknown> {
  const files: Files = { "index.js": `const crypto = require('crypto');\n${BYTES_SOURCE}\n${body}` };
  return resultOf(await invokeOnce(sandbox, files, event, { memorySizeMB: 256 }));
}

/** What `fn` throws, as the fields a handler would test. */
function thrown(fn: () => unknown): { name: string; code: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as Error & { code?: unknown };
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error("did not throw");
}

const CAUGHT = `const thrown = (fn) => { try { fn(); } catch (e) { return { name: e.name, code: e.code, message: e.message, isType: e instanceof TypeError, isRange: e instanceof RangeError }; } return "did not throw"; };`;

describe("hashes on the host", () => {
  const ALGORITHMS = [
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha512-224",
    "sha512-256",
    "sha3-224",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "ripemd160",
    "RSA-SHA256",
    "SHA256",
    "blake2b512",
    "sm3",
  ];
  const SIZES = [0, 1, 55, 64, 1000, 70_000, 200_000];

  it("every algorithm handlers use, over empty, short and long input, equals the host's", async () => {
    const out = (await run(
      `exports.handler = async ({ algorithms, sizes }) => algorithms.map((a) => sizes.map((n) => crypto.createHash(a).update(bytes(n, n + 1)).digest('hex')));`,
      { algorithms: ALGORITHMS, sizes: SIZES },
    )) as string[][];
    expect(out).toEqual(
      ALGORITHMS.map((a) =>
        SIZES.map((n) =>
          crypto
            .createHash(a)
            .update(bytes(n, n + 1))
            .digest("hex"),
        ),
      ),
    );
  });

  it("HMACs with string keys, switching keys, algorithms and output forms between digests, equal the host's", async () => {
    // Consecutive digests with one plain key, algorithm and output form send only their data (the
    // host keeps the key): every switch, and interleaved objects, must still get their own.
    const CALLS: [string, string, crypto.BinaryToTextEncoding | undefined][] = [
      ["sha256", "k1", "hex"],
      ["sha256", "k1", "hex"],
      ["sha256", "k2", "hex"],
      ["sha512", "k2", "hex"],
      ["sha512", "k2", "base64"],
      ["sha512", "k2", undefined],
      ["sha256", "k1", "base64url"],
      ["md5", "", "hex"],
      ["sha256", "k\u00e9", "hex"],
      // Keys at, under and over the hash's block (64 bytes; 128 for sha384 and sha512), which the host pads once a setup.
      ["sha256", "x".repeat(64), "hex"],
      ["sha256", "x".repeat(65), "base64"],
      ["sha384", "k".repeat(200), "hex"],
      ["sha512", "k".repeat(128), "base64url"],
      ["sha224", "k1", undefined],
      ["sha1", "k1", "hex"],
      // Forms and names the host leaves to createHmac (binary is latin1).
      ["sha1", "k1", "binary"],
      ["SHA256", "k1", "hex"],
      ["sha3-256", "k1", "hex"],
    ];
    const out = (await run(
      `exports.handler = async ({ calls }) => {
        const digests = calls.map(([a, k, e], i) => { const d = crypto.createHmac(a, k).update('m' + i + (i % 2 ? 'é€😀' : '')).digest(e); return typeof d === 'string' ? d : d.toString('hex'); });
        const x = crypto.createHmac('sha256', 'k1').update('x');
        const y = crypto.createHmac('sha256', 'k2').update('y');
        return [...digests, y.digest('hex'), x.digest('hex')];
      };`,
      { calls: CALLS },
    )) as string[];
    const expected: string[] = CALLS.map(([a, k, e], i) =>
      crypto
        .createHmac(a, JSON.parse(`"${k}"`))
        .update(`m${i}${i % 2 ? "é€😀" : ""}`)
        .digest(e ?? "hex"),
    );
    expected.push(crypto.createHmac("sha256", "k2").update("y").digest("hex"), crypto.createHmac("sha256", "k1").update("x").digest("hex"));
    expect(out).toEqual(expected);
  });

  it("XOFs take an output length, and getHashes lists the host's", async () => {
    const out = await run(`exports.handler = async () => ({
      shake128: crypto.createHash('shake128', { outputLength: 5 }).update('abc').digest('hex'),
      shake256: crypto.createHash('shake256').update('abc').digest('hex'),
      copied: (() => { const h = crypto.createHash('shake256', { outputLength: 8 }).update('a'); return h.copy({ outputLength: 3 }).digest('hex'); })(),
      hashes: crypto.getHashes(),
    });`);
    expect(out).toEqual({
      shake128: crypto.createHash("shake128", { outputLength: 5 }).update("abc").digest("hex"),
      shake256: crypto.createHash("shake256").update("abc").digest("hex"),
      copied: crypto.createHash("shake256", { outputLength: 3 }).update("a").digest("hex"),
      hashes: crypto.getHashes(),
    });
  });

  it("streams updates split at awkward sizes, strings and bytes mixed, and copies mid-stream in either state", async () => {
    const SPLITS = [1, 63, 64, 65, 65_535, 65_536, 65_537, 7, 100_000];
    const out = await run(
      `exports.handler = async ({ splits }) => {
      const data = bytes(splits.reduce((a, b) => a + b, 0), 9);
      const hash = crypto.createHash('sha256');
      const hmac = crypto.createHmac('sha512', 'key');
      const copies = [];
      let at = 0;
      for (const [i, n] of splits.entries()) {
        const chunk = data.subarray(at, at + n);
        at += n;
        const part = i % 3 === 0 ? chunk.toString('latin1') : chunk;
        if (typeof part === 'string') { hash.update(part, 'latin1'); hmac.update(part, 'latin1'); }
        else { hash.update(part); hmac.update(part); }
        copies.push(hash.copy().digest('hex'));
      }
      // Many small updates: past the guest's batch of parts.
      const small = crypto.createHash('md5');
      for (let i = 0; i < 500; i++) small.update('x' + i);
      return { hash: hash.digest('hex'), hmac: hmac.digest('base64'), copies, small: small.digest('hex') };
    };`,
      { splits: SPLITS },
    );
    const data = bytes(
      SPLITS.reduce((a, b) => a + b, 0),
      9,
    );
    const copies: string[] = [];
    let at = 0;
    const host = crypto.createHash("sha256");
    for (const n of SPLITS) {
      host.update(data.subarray(at, at + n));
      at += n;
      copies.push(host.copy().digest("hex"));
    }
    const small = crypto.createHash("md5");
    for (let i = 0; i < 500; i++) small.update(`x${i}`);
    expect(out).toEqual({
      hash: crypto.createHash("sha256").update(data).digest("hex"),
      hmac: crypto.createHmac("sha512", "key").update(data).digest("base64"),
      copies,
      small: small.digest("hex"),
    });
  });

  it("hashes the bytes as they were at update, though the caller changes its buffer before the digest", async () => {
    const out = await run(`exports.handler = async () => {
      const buf = Buffer.from('original');
      const hash = crypto.createHash('sha1').update(buf);
      buf.fill(0);
      const key = Buffer.from('key');
      const hmac = crypto.createHmac('sha1', key);
      key.fill(0);
      return { hash: hash.digest('hex'), hmac: hmac.update('m').digest('hex') };
    };`);
    expect(out).toEqual({
      hash: crypto.createHash("sha1").update("original").digest("hex"),
      hmac: crypto.createHmac("sha1", "key").update("m").digest("hex"),
    });
  });

  it("strings with NUL and lone surrogates hash as Node encodes them, in data and keys", async () => {
    const out = await run(`exports.handler = async () => ({
      nul: crypto.createHash('sha256').update('a\\0b').digest('hex'),
      surrogate: crypto.createHash('sha256').update('x\\ud800y').digest('hex'),
      pair: crypto.createHash('sha256').update('😀').digest('hex'),
      binary: crypto.createHash('sha256').update('\\0\\xff\\x80', 'binary').digest('hex'),
      key: crypto.createHmac('sha256', 'k\\0\\udc00').update('m').digest('hex'),
      hexInput: crypto.createHash('sha256').update('00ff', 'hex').digest('hex'),
    });`);
    expect(out).toEqual({
      nul: crypto.createHash("sha256").update("a\0b").digest("hex"),
      surrogate: crypto.createHash("sha256").update("x\ud800y").digest("hex"),
      pair: crypto.createHash("sha256").update("😀").digest("hex"),
      binary: crypto.createHash("sha256").update("\0\xff\x80", "binary").digest("hex"),
      key: crypto.createHmac("sha256", "k\0\udc00").update("m").digest("hex"),
      hexInput: crypto.createHash("sha256").update("00ff", "hex").digest("hex"),
    });
  });

  it("digests in every output form Node gives", async () => {
    const FORMS = ["hex", "base64", "base64url", "latin1", "binary", "buffer", "bogus"];
    const out = await run(
      `exports.handler = async ({ forms }) => ({
        forms: forms.map((f) => { const d = crypto.createHash('sha256').update('abc').digest(f); return Buffer.isBuffer(d) ? { buffer: [...d] } : [...d].map((c) => c.charCodeAt(0)); }),
        plain: [...crypto.createHmac('md5', Buffer.from('k')).update('v').digest()],
        oneShot: crypto.hash('sha1', 'abc', 'base64'),
      })`,
      { forms: FORMS },
    );
    expect(out).toEqual({
      forms: FORMS.map((f) => {
        const d = crypto
          .createHash("sha256")
          .update("abc")
          .digest(f as crypto.BinaryToTextEncoding);
        return Buffer.isBuffer(d) ? { buffer: [...d] } : [...d].map((c) => c.charCodeAt(0));
      }),
      plain: [...crypto.createHmac("md5", Buffer.from("k")).update("v").digest()],
      oneShot: crypto.createHash("sha1").update("abc").digest("base64"),
    });
  });

  it("bad input gets Node's own errors", async () => {
    const out = (await run(`${CAUGHT}
      exports.handler = async () => ({
        number: thrown(() => crypto.createHash('sha256').update(5)),
        arrayBuffer: thrown(() => crypto.createHash('sha256').update(new ArrayBuffer(2))),
        nullData: thrown(() => crypto.createHmac('sha256', 'k').update(null)),
        twice: thrown(() => { const h = crypto.createHash('md5'); h.digest(); h.digest(); }),
        afterDigest: thrown(() => { const h = crypto.createHmac('md5', 'k'); h.digest(); h.update('x'); }),
        copyAfterDigest: thrown(() => { const h = crypto.createHash('md5'); h.digest(); h.copy(); }),
        hmacTwice: (() => { const h = crypto.createHmac('md5', 'k'); h.digest(); return h.digest('hex'); })(),
        unknown: thrown(() => crypto.createHash('nope')),
        notString: thrown(() => crypto.createHash(5)),
        hmacUnknown: thrown(() => crypto.createHmac('nope', 'k')),
        hmacKey: thrown(() => crypto.createHmac('sha256', 5)),
        notXof: thrown(() => crypto.createHash('sha256', { outputLength: 5 })),
      });`)) as Record<string, { name: string; code: unknown; message: string; isType: boolean; isRange: boolean }>;
    const host = {
      number: thrown(() => crypto.createHash("sha256").update(5 as never)),
      arrayBuffer: thrown(() => crypto.createHash("sha256").update(new ArrayBuffer(2) as never)),
      nullData: thrown(() => crypto.createHmac("sha256", "k").update(null as never)),
      twice: thrown(() => {
        const h = crypto.createHash("md5");
        h.digest();
        h.digest();
      }),
      afterDigest: thrown(() => {
        const h = crypto.createHmac("md5", "k");
        h.digest();
        h.update("x");
      }),
      copyAfterDigest: thrown(() => {
        const h = crypto.createHash("md5");
        h.digest();
        h.copy();
      }),
      unknown: thrown(() => crypto.createHash("nope")),
      notString: thrown(() => crypto.createHash(5 as never)),
      hmacUnknown: thrown(() => crypto.createHmac("nope", "k")),
      hmacKey: thrown(() => crypto.createHmac("sha256", 5 as never)),
      notXof: thrown(() => crypto.createHash("sha256", { outputLength: 5 })),
    };
    for (const [name, expected] of Object.entries(host)) {
      const { isType, isRange, ...error } = out[name] ?? {};
      expect({ case: name, ...error }).toEqual({ case: name, ...expected });
    }
    expect(out.number?.isType).toBe(true);
    expect(out.hmacUnknown?.isType).toBe(true);
    const h = crypto.createHmac("md5", "k");
    h.digest();
    expect(out.hmacTwice).toBe(h.digest("hex"));
  });
});

describe("key derivation on the host", () => {
  it("pbkdf2, hkdf and scrypt, sync and callback, equal the host's", async () => {
    const out = await run(`exports.handler = async () => {
      const viaCallback = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (e, key) => (e ? reject(e) : resolve(Buffer.from(key).toString('hex')))));
      return {
        pbkdf2: crypto.pbkdf2Sync('password', 'salt', 1000, 32, 'sha256').toString('hex'),
        pbkdf2Bytes: crypto.pbkdf2Sync(Buffer.from([0, 1, 2]), new Uint8Array([3, 4]), 2, 20, 'sha1').toString('hex'),
        pbkdf2Callback: await viaCallback(crypto.pbkdf2, 'p\\0w', 's', 10, 64, 'sha512'),
        hkdf: Buffer.from(crypto.hkdfSync('sha256', 'ikm', 'salt', 'info', 42)).toString('hex'),
        hkdfKeyObject: Buffer.from(crypto.hkdfSync('sha384', crypto.createSecretKey(Buffer.from('ikm')), '', '', 16)).toString('hex'),
        hkdfCallback: await viaCallback(crypto.hkdf, 'sha1', 'ikm', 'salt', 'info', 20),
        hkdfCallbackType: await new Promise((resolve) => crypto.hkdf('sha256', 'k', 's', 'i', 8, (e, key) => resolve(Object.prototype.toString.call(key)))),
        scrypt: crypto.scryptSync('password', 'salt', 32).toString('hex'),
        scryptOptions: crypto.scryptSync('password', 'salt', 16, { N: 1024, r: 4, p: 2 }).toString('hex'),
        scryptCallback: await viaCallback(crypto.scrypt, 'pw', 'NaCl', 24),
      };
    };`);
    expect(out).toEqual({
      pbkdf2: crypto.pbkdf2Sync("password", "salt", 1000, 32, "sha256").toString("hex"),
      pbkdf2Bytes: crypto.pbkdf2Sync(Buffer.from([0, 1, 2]), new Uint8Array([3, 4]), 2, 20, "sha1").toString("hex"),
      pbkdf2Callback: crypto.pbkdf2Sync("p\0w", "s", 10, 64, "sha512").toString("hex"),
      hkdf: Buffer.from(crypto.hkdfSync("sha256", "ikm", "salt", "info", 42)).toString("hex"),
      hkdfKeyObject: Buffer.from(crypto.hkdfSync("sha384", "ikm", "", "", 16)).toString("hex"),
      hkdfCallback: Buffer.from(crypto.hkdfSync("sha1", "ikm", "salt", "info", 20)).toString("hex"),
      hkdfCallbackType: "[object ArrayBuffer]",
      scrypt: crypto.scryptSync("password", "salt", 32).toString("hex"),
      scryptOptions: crypto.scryptSync("password", "salt", 16, { N: 1024, r: 4, p: 2 }).toString("hex"),
      scryptCallback: crypto.scryptSync("pw", "NaCl", 24).toString("hex"),
    });
  });

  it("refuses bad parameters with Node's errors", async () => {
    const out = (await run(`${CAUGHT}
      exports.handler = async () => ({
        digest: thrown(() => crypto.pbkdf2Sync('p', 's', 1, 32, 'nope')),
        iterations: thrown(() => crypto.pbkdf2Sync('p', 's', 0, 32, 'sha256')),
        password: thrown(() => crypto.pbkdf2Sync(5, 's', 1, 32, 'sha256')),
        hkdfLength: thrown(() => crypto.hkdfSync('sha256', 'k', 's', 'i', 1e6)),
        scryptParams: thrown(() => crypto.scryptSync('p', 's', 16, { N: 3 })),
        callback: thrown(() => crypto.pbkdf2('p', 's', 1, 32, 'sha256')),
        hkdfCallbackLength: thrown(() => crypto.hkdf('sha256', 'k', 's', 'i', 1e6, () => {})),
      });`)) as Record<string, { name: string; code: unknown; message: string; isType: boolean; isRange: boolean }>;
    const host = {
      digest: thrown(() => crypto.pbkdf2Sync("p", "s", 1, 32, "nope")),
      iterations: thrown(() => crypto.pbkdf2Sync("p", "s", 0, 32, "sha256")),
      password: thrown(() => crypto.pbkdf2Sync(5 as never, "s", 1, 32, "sha256")),
      hkdfLength: thrown(() => crypto.hkdfSync("sha256", "k", "s", "i", 1e6)),
      scryptParams: thrown(() => crypto.scryptSync("p", "s", 16, { N: 3 })),
      callback: thrown(() => crypto.pbkdf2("p", "s", 1, 32, "sha256", undefined as never)),
      hkdfCallbackLength: thrown(() => crypto.hkdf("sha256", "k", "s", "i", 1e6, () => {})),
    };
    for (const [name, expected] of Object.entries(host)) {
      const { isType, isRange, ...error } = out[name] ?? {};
      expect({ case: name, ...error }).toEqual({ case: name, ...expected });
    }
  });
});

describe("Web Crypto's hashes on the host", () => {
  it("digest, HMAC sign and verify, PBKDF2 and HKDF deriveBits equal the host's", async () => {
    const out = await run(`exports.handler = async () => {
      const { subtle } = globalThis.crypto;
      const hex = (b) => Buffer.from(b).toString('hex');
      const data = bytes(100_000, 3);
      const digests = {};
      for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) digests[name] = hex(await subtle.digest(name, data));
      const key = await subtle.importKey('raw', Buffer.from('secret'), { name: 'HMAC', hash: 'SHA-384' }, false, ['sign', 'verify']);
      const mac = await subtle.sign('HMAC', key, data);
      const generated = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, true, ['sign']);
      const pbkdf2 = await subtle.importKey('raw', Buffer.from('password'), 'PBKDF2', false, ['deriveBits']);
      const hkdf = await subtle.importKey('raw', Buffer.from('ikm'), 'HKDF', false, ['deriveBits']);
      return {
        empty: hex(await subtle.digest('SHA-256', new Uint8Array(0))),
        digests,
        mac: hex(mac),
        verified: await subtle.verify('HMAC', key, mac, data),
        forged: await subtle.verify('HMAC', key, new Uint8Array(48), data),
        generatedLength: (await subtle.exportKey('raw', generated)).byteLength,
        pbkdf2: hex(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: Buffer.from('salt'), iterations: 1000 }, pbkdf2, 256)),
        hkdf: hex(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-1', salt: Buffer.from('salt'), info: Buffer.from('info') }, hkdf, 160)),
      };
    };`);
    const data = bytes(100_000, 3);
    expect(out).toEqual({
      empty: crypto.createHash("sha256").digest("hex"),
      digests: Object.fromEntries(
        ["SHA-1", "SHA-256", "SHA-384", "SHA-512"].map((name) => [
          name,
          crypto.createHash(name.replace("-", "")).update(data).digest("hex"),
        ]),
      ),
      mac: crypto.createHmac("sha384", "secret").update(data).digest("hex"),
      verified: true,
      forged: false,
      generatedLength: 128,
      pbkdf2: crypto.pbkdf2Sync("password", "salt", 1000, 32, "sha256").toString("hex"),
      hkdf: Buffer.from(crypto.hkdfSync("sha1", "ikm", "salt", "info", 20)).toString("hex"),
    });
  });
});

describe("pbkdf2 and scrypt's callback forms on the host's thread pool", () => {
  it("leave the event loop running meanwhile, as in Node: a 10 ms timer set after a long pbkdf2 fires before its key", async () => {
    const out = await run(`
      exports.handler = () => new Promise((resolve) => {
        const order = [];
        const done = () => order.length === 3 && resolve(order);
        crypto.pbkdf2('password', 'salt', 300000, 64, 'sha512', (e, key) => { order.push(e ? e.code : 'pbkdf2 ' + key.length); done(); });
        crypto.scrypt('password', 'salt', 32, { N: 1 << 14 }, (e, key) => { order.push(e ? e.code : 'scrypt ' + key.length); done(); });
        setTimeout(() => { order.push('timer'); done(); }, 10);
      });`);
    expect(out).toEqual(["timer", expect.any(String), expect.any(String)]);
    expect([...(out as string[])].sort()).toEqual(["pbkdf2 64", "scrypt 32", "timer"]);
  });

  it("throw Node's argument errors at once, and are held to the function's timeout", async () => {
    const errors = (await run(`${CAUGHT}
      exports.handler = async () => ({
        digest: thrown(() => crypto.pbkdf2('p', 's', 1, 32, 'nope', () => {})),
        scryptParams: thrown(() => crypto.scrypt('p', 's', 16, { N: 3 }, () => {})),
        scryptMemory: thrown(() => crypto.scrypt('p', 's', 32, { N: 1 << 15 }, () => {})),
      });`)) as Record<string, { name: string; code: unknown; message: string }>;
    expect(errors.digest).toMatchObject(thrown(() => crypto.pbkdf2("p", "s", 1, 32, "nope", () => {})));
    expect(errors.scryptParams).toMatchObject(thrown(() => crypto.scrypt("p", "s", 16, { N: 3 }, () => {})));
    expect(errors.scryptMemory).toMatchObject(thrown(() => crypto.scrypt("p", "s", 32, { N: 1 << 15 }, () => {})));

    const files: Files = {
      "index.js":
        "const crypto = require('node:crypto');\nexports.handler = () => new Promise((resolve) => crypto.pbkdf2('p', 's', 10_000_000, 64, 'sha512', () => resolve('finished')));",
    };
    expect(errorOf(await invokeOnce(sandbox, files, {}, { timeoutSeconds: 1 })).errorType).toBe("Sandbox.Timedout");
  });
});
