/** Ciphers inside the sandbox run by the host's OpenSSL: every output equals what the host's Node computes. */
import * as nodeCrypto from "node:crypto";
import { createCipheriv, createDecipheriv, randomBytes, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

interface Case {
  algorithm: string;
  key: string;
  iv: string | null;
  aad?: string;
  tagLength?: number;
  padding?: boolean;
  input: string;
  splits: number[];
}

/**
 * Feeds `input` in pieces of the given sizes (the rest last) and returns each update's output in
 * hex: one source, run by the host's Node and by the handler, so both do exactly the same calls.
 */
const ENCRYPT_LIKE = `function encryptLike(crypto, encrypt, c, tag) {
  const options = c.tagLength === undefined ? undefined : { authTagLength: c.tagLength };
  const key = Buffer.from(c.key, "hex");
  const iv = c.iv === null ? null : Buffer.from(c.iv, "hex");
  const input = Buffer.from(c.input, "hex");
  const cipher = encrypt ? crypto.createCipheriv(c.algorithm, key, iv, options) : crypto.createDecipheriv(c.algorithm, key, iv, options);
  if (c.aad !== undefined) cipher.setAAD(Buffer.from(c.aad, "hex"), { plaintextLength: input.length });
  if (c.padding === false) cipher.setAutoPadding(false);
  if (tag !== undefined) cipher.setAuthTag(Buffer.from(tag, "hex"));
  const updates = [];
  let at = 0;
  for (const size of c.splits) {
    updates.push(cipher.update(input.subarray(at, at + size)).toString("hex"));
    at += size;
  }
  updates.push(cipher.update(input.subarray(at)).toString("hex"));
  const final = cipher.final().toString("hex");
  return encrypt && /gcm|poly1305/.test(c.algorithm) ? { updates, final, tag: cipher.getAuthTag().toString("hex") } : { updates, final };
}`;
interface Sealed {
  updates: string[];
  final: string;
  tag?: string;
}
const hostEncryptLike = new Function(`return ${ENCRYPT_LIKE}`)() as (crypto: unknown, encrypt: boolean, c: Case, tag?: string) => Sealed;
const encryptLike = (encrypt: boolean, c: Case, tag?: string): Sealed => hostEncryptLike(nodeCrypto, encrypt, c, tag);

const HANDLER = `
const crypto = require("node:crypto");
${ENCRYPT_LIKE}
const createCipheriv = crypto.createCipheriv, createDecipheriv = crypto.createDecipheriv;
const attempt = (fn) => { try { fn(); return "no error"; } catch (e) { return { name: e.name, code: e.code, message: e.message, isRange: e instanceof RangeError, isType: e instanceof TypeError }; } };
exports.handler = async (event) => {
  if (event.encrypt) return event.cases.map((c) => encryptLike(crypto, true, c));
  if (event.decrypt) return event.decrypt.map(([c, tag]) => encryptLike(crypto, false, c, tag ?? undefined));
  return eval(event.expression);
};
`;

const hex = (n: number): string => randomBytes(n).toString("hex");

function cases(): Case[] {
  const out: Case[] = [];
  const modes: [string, number, number | null][] = [
    ["aes-128-gcm", 16, 12],
    ["aes-192-gcm", 24, 12],
    ["aes-256-gcm", 32, 12],
    ["aes-256-gcm", 32, 7],
    ["aes-128-cbc", 16, 16],
    ["aes-192-cbc", 24, 16],
    ["aes-256-cbc", 32, 16],
    ["aes-128-ctr", 16, 16],
    ["aes-192-ctr", 24, 16],
    ["aes-256-ctr", 32, 16],
    ["aes-128-ecb", 16, null],
    ["aes-256-ecb", 32, null],
    ["chacha20-poly1305", 32, 12],
    ["aes-128-cfb8", 16, 16],
    ["aes-256-ofb", 32, 16],
    ["chacha20", 32, 16],
    ["des-ede3-cbc", 24, 8],
  ];
  for (const [algorithm, keyBytes, ivBytes] of modes) {
    for (const [size, splits] of [
      [0, []],
      [1, [0]],
      [15, [1, 7]],
      [16, [16]],
      [17, [3, 13]],
      [4099, [1, 15, 33, 2000]],
      // Past the host's 32 KB slices of a long update: over one slice, then one byte.
      [100_003, [70_001, 1]],
    ] as [number, number[]][]) {
      const aead = /gcm|poly1305/.test(algorithm);
      out.push({
        algorithm,
        key: hex(keyBytes),
        iv: ivBytes === null ? null : hex(ivBytes),
        aad: aead && size % 2 === 1 ? hex(size) : undefined,
        tagLength: aead && size === 17 ? 8 : undefined,
        input: hex(size),
        splits,
      });
    }
  }
  out.push({ algorithm: "aes-256-cbc", key: hex(32), iv: hex(16), padding: false, input: hex(48), splits: [5, 20] });
  return out;
}

describe("ciphers run by the host", () => {
  it("encrypt every mode and key size as Node does, with each update's output, at awkward splits and with empty input", async () => {
    const all = cases();
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { encrypt: true, cases: all })) as Sealed[];
    expect(out).toEqual(all.map((c) => encryptLike(true, c)));
    // Streaming returns output as it goes: a 4,099-byte CTR input gives all but nothing before final.
    const ctr = out[all.findIndex((c) => c.algorithm === "aes-128-ctr" && c.input.length === 8198)];
    expect(ctr?.updates.join("").length).toBe(8198);
  });

  it("decrypt Node's ciphertexts, tags included", async () => {
    const all = cases();
    const sealed = all.map((c) => {
      const { updates, final, tag } = encryptLike(true, c);
      return [{ ...c, input: updates.join("") + final }, tag] as const;
    });
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { decrypt: sealed })) as Sealed[];
    expect(out.map((r) => r.updates.join("") + r.final)).toEqual(all.map((c) => c.input));
    expect(out).toEqual(sealed.map(([c, tag]) => encryptLike(false, c, tag)));
  });

  it("match the NIST AES-GCM vector and keep string encodings across updates", async () => {
    const expression = `(() => {
      const gcm = createCipheriv("aes-128-gcm", Buffer.alloc(16), Buffer.alloc(12));
      const ct = gcm.update(Buffer.alloc(16), undefined, "hex") + gcm.final("hex");
      const text = createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16, 2));
      const b64 = [text.update("abcd", "utf8", "base64"), text.update("é€𝄞", "utf8", "base64"), text.final("base64")];
      const back = createDecipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16, 2));
      return { ct, tag: gcm.getAuthTag().toString("hex"), b64, back: back.update(b64.join(""), "base64", "utf8") + back.final("utf8"),
        ciphers: crypto.getCiphers().includes("chacha20-poly1305") };
    })()`;
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { expression }));
    const text = createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16, 2));
    expect(out).toEqual({
      ct: "0388dace60b6a392f328c2b971b2fe78",
      tag: "ab6e47d42cec13bdf53a67b21257bddf",
      b64: [text.update("abcd", "utf8", "base64"), text.update("é€𝄞", "utf8", "base64"), text.final("base64")],
      back: "abcdé€𝄞",
      ciphers: true,
    });
  });

  it("fail as Node does: bad tag, bad key or IV length, unknown cipher, bad padding, use after final", async () => {
    const expression = `(() => {
      const key = Buffer.alloc(32, 7), iv = Buffer.alloc(12, 1);
      const badTag = () => { const d = createDecipheriv("aes-256-gcm", key, iv); d.update(Buffer.from("00ff", "hex")); d.setAuthTag(Buffer.alloc(16)); d.final(); };
      const badPadding = () => { const d = createDecipheriv("aes-256-cbc", key, Buffer.alloc(16)); d.update(Buffer.alloc(16)); d.final(); };
      const done = createCipheriv("aes-256-gcm", key, iv); done.final();
      return [badTag, () => createCipheriv("aes-256-gcm", Buffer.alloc(31), iv), () => createCipheriv("aes-256-cbc", key, Buffer.alloc(15)),
        () => createCipheriv("aes-256-xyz", key, iv), () => createCipheriv("aes-256-gcm", key, iv, { authTagLength: 5 }), badPadding,
        () => done.update("x"), () => done.final(), () => done.setAAD(Buffer.alloc(1)), () => createCipheriv(1, key, iv),
        () => createDecipheriv("aes-256-gcm", key, iv).update(5)].map(attempt);
    })()`;
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { expression }));
    const attempt = (fn: () => unknown) => {
      try {
        fn();
        return "no error";
      } catch (e) {
        const error = e as Error & { code?: string };
        return {
          name: error.name,
          code: error.code,
          message: error.message,
          isRange: e instanceof RangeError,
          isType: e instanceof TypeError,
        };
      }
    };
    const key = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(12, 1);
    const done = createCipheriv("aes-256-gcm", key, iv);
    done.final();
    const expected = [
      () => {
        const d = createDecipheriv("aes-256-gcm", key, iv);
        d.update(Buffer.from("00ff", "hex"));
        d.setAuthTag(Buffer.alloc(16));
        d.final();
      },
      () => createCipheriv("aes-256-gcm", Buffer.alloc(31), iv),
      () => createCipheriv("aes-256-cbc", key, Buffer.alloc(15)),
      () => createCipheriv("aes-256-xyz", key, iv),
      () => createCipheriv("aes-256-gcm", key, iv, { authTagLength: 5 }),
      () => {
        const d = createDecipheriv("aes-256-cbc", key, Buffer.alloc(16));
        d.update(Buffer.alloc(16));
        d.final();
      },
      () => done.update("x"),
      () => done.final(),
      () => done.setAAD(Buffer.alloc(1)),
      () => createCipheriv(1 as never, key, iv),
      () => createDecipheriv("aes-256-gcm", key, iv).update(5 as never),
    ].map(attempt);
    expect(out).toEqual(JSON.parse(JSON.stringify(expected)));
    expect((out as { message: string }[])[0]?.message).toBe("Unsupported state or unable to authenticate data");
    expect((out as { code: string }[])[1]?.code).toBe("ERR_CRYPTO_INVALID_KEYLEN");
  });

  it("free a cipher at final: thousands in a row stay under the table's bound, unfinished ones past it are refused", async () => {
    const expression = `(() => {
      for (let i = 0; i < 3000; i++) { const c = createCipheriv("aes-128-ctr", Buffer.alloc(16), Buffer.alloc(16)); c.update("x"); c.final(); }
      const open = [];
      const refused = attempt(() => { for (let i = 0; i < 3000; i++) open.push(createCipheriv("aes-128-ctr", Buffer.alloc(16), Buffer.alloc(16))); });
      return { refused, open: open.length, afterFinal: (open.forEach((c) => c.final()), attempt(() => createCipheriv("aes-128-ctr", Buffer.alloc(16), Buffer.alloc(16)).final())) };
    })()`;
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { expression }));
    expect(out).toEqual({
      refused: {
        name: "RangeError",
        code: "ERR_OUT_OF_RANGE",
        message: "More than 1024 ciphers are open in this environment",
        isRange: true,
        isType: false,
      },
      open: 1024,
      afterFinal: "no error",
    });
  });

  it("Web Crypto AES-GCM, AES-CBC and AES-CTR (counter wrapping in its low bits) give Node's bytes and errors", async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const data = randomBytes(1000);
    const nearWrap = Buffer.alloc(16, 0xab);
    nearWrap[15] = 0xfe;
    const expression = `(async () => {
      const subtle = crypto.subtle;
      const key = Buffer.from(${JSON.stringify(key.toString("hex"))}, "hex"), iv = Buffer.from(${JSON.stringify(iv.toString("hex"))}, "hex");
      const data = Buffer.from(${JSON.stringify(data.toString("hex"))}, "hex"), nearWrap = Buffer.from(${JSON.stringify(nearWrap.toString("hex"))}, "hex");
      const hexOf = (b) => Buffer.from(b).toString("hex");
      const gcm = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
      const cbc = await subtle.importKey("raw", key, "AES-CBC", false, ["encrypt", "decrypt"]);
      const ctr = await subtle.importKey("raw", key.subarray(0, 16), "AES-CTR", false, ["encrypt", "decrypt"]);
      const sealed = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: iv, tagLength: 96 }, gcm, data);
      const failure = (p) => p.then(() => "no error", (e) => e.name + ": " + e.message);
      return {
        gcm: hexOf(sealed),
        opened: hexOf(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: iv, tagLength: 96 }, gcm, sealed)) === data.toString("hex"),
        cbc: hexOf(await subtle.encrypt({ name: "AES-CBC", iv: nearWrap }, cbc, data)),
        ctr64: hexOf(await subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 64 }, ctr, data)),
        ctr4: hexOf(await subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 4 }, ctr, data.subarray(0, 100))),
        errors: [
          await failure(subtle.decrypt({ name: "AES-GCM", iv }, gcm, new Uint8Array(20))),
          await failure(subtle.decrypt({ name: "AES-GCM", iv }, gcm, new Uint8Array(5))),
          await failure(subtle.encrypt({ name: "AES-GCM", iv, tagLength: 100 }, gcm, data)),
          await failure(subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, new Uint8Array(16))),
          await failure(subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 0 }, ctr, data)),
          await failure(subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 1 }, ctr, new Uint8Array(48))),
        ],
      };
    })()`;
    const out = resultOf(await invokeOnce(sandbox, { "index.js": HANDLER }, { expression }));
    const subtle = webcrypto.subtle;
    const hexOf = (b: ArrayBuffer): string => Buffer.from(b).toString("hex");
    const gcm = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
    const cbc = await subtle.importKey("raw", key, "AES-CBC", false, ["encrypt", "decrypt"]);
    const ctr = await subtle.importKey("raw", key.subarray(0, 16), "AES-CTR", false, ["encrypt", "decrypt"]);
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => "no error",
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(out).toEqual({
      gcm: hexOf(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: iv, tagLength: 96 }, gcm, data)),
      opened: true,
      cbc: hexOf(await subtle.encrypt({ name: "AES-CBC", iv: nearWrap }, cbc, data)),
      ctr64: hexOf(await subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 64 }, ctr, data)),
      ctr4: hexOf(await subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 4 }, ctr, data.subarray(0, 100))),
      errors: [
        await failure(subtle.decrypt({ name: "AES-GCM", iv }, gcm, new Uint8Array(20))),
        await failure(subtle.decrypt({ name: "AES-GCM", iv }, gcm, new Uint8Array(5))),
        await failure(subtle.encrypt({ name: "AES-GCM", iv, tagLength: 100 }, gcm, data)),
        await failure(subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, new Uint8Array(16))),
        await failure(subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 0 }, ctr, data)),
        await failure(subtle.encrypt({ name: "AES-CTR", counter: nearWrap, length: 1 }, ctr, new Uint8Array(48))),
      ],
    });
  });
});

/** Every cipher getCiphers names, encrypted and decrypted: one source, run by the host's Node and by the handler. */
const EVERY_CIPHER = `function everyCipher(crypto) {
  const out = {};
  for (const name of crypto.getCiphers()) {
    try {
      const info = crypto.getCipherInfo(name);
      const key = Buffer.alloc(info.keyLength, 1);
      if (info.mode === "xts") key.fill(2, info.keyLength / 2);
      const iv = info.ivLength ? Buffer.alloc(info.ivLength, 3) : null;
      const aead = ["ccm", "ocb", "gcm"].includes(info.mode) || name === "chacha20-poly1305";
      const options = aead ? { authTagLength: 16 } : undefined;
      const plain = Buffer.alloc(info.mode === "wrap" ? 24 : 40, 5);
      const sealer = crypto.createCipheriv(name, key, iv, options);
      if (info.mode === "ccm") sealer.setAAD(Buffer.from("aad"), { plaintextLength: plain.length });
      const sealed = Buffer.concat([sealer.update(plain), sealer.final()]);
      const tag = aead ? sealer.getAuthTag() : undefined;
      const opener = crypto.createDecipheriv(name, key, iv, options);
      if (info.mode === "ccm") opener.setAAD(Buffer.from("aad"), { plaintextLength: plain.length });
      if (tag) opener.setAuthTag(tag);
      const opened = Buffer.concat([opener.update(sealed), opener.final()]);
      // CMS's triple-DES key wrap pads with random bytes (RFC 3217): its ciphertext is new each time.
      const again = crypto.createCipheriv(name, key, iv, options);
      const random = !aead && !Buffer.concat([again.update(plain), again.final()]).equals(sealed);
      out[name] = (random ? "random" : sealed.toString("hex")) + (tag ? "." + tag.toString("hex") : "") + (opened.equals(plain) ? "" : " (not opened)");
    } catch (e) {
      out[name] = e.code + ": " + e.message;
    }
  }
  return out;
}`;

describe("every cipher of the host", () => {
  it("is named by getCiphers and encrypts and decrypts as the host's Node does", async () => {
    const hostEvery = new Function(`return ${EVERY_CIPHER}`)() as (crypto: typeof nodeCrypto) => Record<string, string>;
    const expected = hostEvery(nodeCrypto);
    expect(Object.keys(expected)).toEqual(nodeCrypto.getCiphers());
    expect(Object.keys(expected).length).toBeGreaterThan(100);
    expect(
      Object.entries(expected)
        .filter(([, value]) => value.startsWith("random"))
        .map(([name]) => name),
    ).toEqual(["des3-wrap", "id-smime-alg-CMS3DESwrap"]);
    const out = resultOf(
      await invokeOnce(sandbox, {
        "index.js": `const crypto = require("node:crypto");\n${EVERY_CIPHER}\nexports.handler = async () => everyCipher(crypto);`,
      }),
    );
    expect(out).toEqual(expected);
  });
});
