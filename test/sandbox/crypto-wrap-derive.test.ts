/** Web Crypto's AES-KW, wrapKey/unwrapKey and deriveKey in the sandbox, checked against the host's own Node. */
import { generateKeyPairSync, type KeyObject, type KeyPairKeyObjectResult, randomBytes, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { type Files, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const subtle = webcrypto.subtle;
const b64 = (bytes: ArrayBuffer | Uint8Array): string =>
  Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString("base64");
const bytes = (text: unknown): Buffer => Buffer.from(text as string, "base64");
const der = (key: KeyObject, type: "spki" | "pkcs8"): string => b64(key.export({ format: "der", type }) as Buffer);

async function run(lines: string[], event: unknown): Promise<Record<string, unknown>> {
  const files: Files = {
    "index.js": [
      "const { subtle } = globalThis.crypto;",
      "const b64 = (b) => Buffer.from(b).toString('base64');",
      "const bytes = (t) => Buffer.from(t, 'base64');",
      ...lines,
    ].join("\n"),
  };
  return resultOf(await invokeOnce(sandbox, files, event)) as Record<string, unknown>;
}

describe("crypto.subtle AES-KW and wrapKey/unwrapKey", () => {
  it("wraps with AES-KW (128/192/256) byte for byte as the host does, and unwraps the host's", async () => {
    const kek = { 128: randomBytes(16), 192: randomBytes(24), 256: randomBytes(32) };
    const secret = randomBytes(32);
    const hostWrapped: Record<string, string> = {};
    for (const [bits, raw] of Object.entries(kek)) {
      const wrapping = await subtle.importKey("raw", raw, "AES-KW", false, ["wrapKey"]);
      const key = await subtle.importKey("raw", secret, "AES-GCM", true, ["encrypt"]);
      hostWrapped[bits] = b64(await subtle.wrapKey("raw", key, wrapping, "AES-KW"));
    }
    const out = await run(
      [
        "exports.handler = async ({ kek, secret, hostWrapped }) => {",
        "  const wrapped = {}, unwrapped = {};",
        "  for (const bits of Object.keys(kek)) {",
        "    const wrapping = await subtle.importKey('raw', bytes(kek[bits]), 'AES-KW', false, ['wrapKey', 'unwrapKey']);",
        "    const key = await subtle.importKey('raw', bytes(secret), 'AES-GCM', true, ['encrypt']);",
        "    wrapped[bits] = b64(await subtle.wrapKey('raw', key, wrapping, 'AES-KW'));",
        "    const back = await subtle.unwrapKey('raw', bytes(hostWrapped[bits]), wrapping, 'AES-KW', 'AES-GCM', true, ['encrypt', 'decrypt']);",
        "    unwrapped[bits] = { raw: b64(await subtle.exportKey('raw', back)), algorithm: back.algorithm, usages: back.usages };",
        "  }",
        "  const generated = await subtle.generateKey({ name: 'AES-KW', length: 192 }, true, ['wrapKey']);",
        "  const jwk = await subtle.exportKey('jwk', generated);",
        "  return { wrapped, unwrapped, generated: { algorithm: generated.algorithm, usages: generated.usages, alg: jwk.alg, k: jwk.k.length } };",
        "};",
      ],
      { kek: Object.fromEntries(Object.entries(kek).map(([k, v]) => [k, b64(v)])), secret: b64(secret), hostWrapped },
    );
    expect(out.wrapped).toEqual(hostWrapped);
    for (const bits of Object.keys(kek)) {
      expect(out.unwrapped).toHaveProperty(bits, {
        raw: b64(secret),
        algorithm: { name: "AES-GCM", length: 256 },
        usages: ["encrypt", "decrypt"],
      });
    }
    expect(out.generated).toEqual({ algorithm: { name: "AES-KW", length: 192 }, usages: ["wrapKey"], alg: "A192KW", k: 32 });
  });

  it("wraps and unwraps keys with AES-GCM, AES-CBC, AES-CTR, AES-KW (a padded JWK) and RSA-OAEP, interchangeably with the host", async () => {
    const aes = randomBytes(32);
    const iv = randomBytes(16);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const hmacRaw = randomBytes(48);
    const wrapAlgorithms = {
      gcm: { name: "AES-GCM", iv: b64(iv.subarray(0, 12)) },
      cbc: { name: "AES-CBC", iv: b64(iv) },
      ctr: { name: "AES-CTR", counter: b64(iv), length: 64 },
      kw: { name: "AES-KW" },
    };
    // What the host wraps, for the guest to unwrap: the HMAC key as a JWK, and the P-256 key as PKCS#8.
    const hostAlgorithm = (spec: Record<string, string | number>) =>
      Object.fromEntries(
        Object.entries(spec).map(([k, v]) => [k, k === "iv" || k === "counter" ? bytes(v) : v]),
      ) as unknown as webcrypto.AlgorithmIdentifier;
    const hmac = await subtle.importKey("raw", hmacRaw, { name: "HMAC", hash: "SHA-384" }, true, ["sign", "verify"]);
    const ecPrivate = await subtle.importKey(
      "pkcs8",
      p256.privateKey.export({ format: "der", type: "pkcs8" }),
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign"],
    );
    const hostWrapped: Record<string, string> = {};
    for (const [name, spec] of Object.entries(wrapAlgorithms)) {
      const wrapping = await subtle.importKey("raw", aes, spec.name, false, ["wrapKey"]);
      hostWrapped[`${name}Jwk`] = b64(await subtle.wrapKey("jwk", hmac, wrapping, hostAlgorithm(spec)));
      // AES-KW wraps whole 8-byte blocks only, which a P-256 PKCS#8 key is not.
      if (name !== "kw") hostWrapped[`${name}Pkcs8`] = b64(await subtle.wrapKey("pkcs8", ecPrivate, wrapping, hostAlgorithm(spec)));
    }
    const oaepPublic = await subtle.importKey(
      "spki",
      rsa.publicKey.export({ format: "der", type: "spki" }),
      { name: "RSA-OAEP", hash: "SHA-256" },
      false,
      ["wrapKey"],
    );
    hostWrapped.oaepRaw = b64(await subtle.wrapKey("raw", hmac, oaepPublic, { name: "RSA-OAEP" }));

    const out = await run(
      [
        "const algorithm = (spec) => Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, k === 'iv' || k === 'counter' ? bytes(v) : v]));",
        "exports.handler = async ({ aes, wrapAlgorithms, hostWrapped, rsaPkcs8, hmacRaw, data }) => {",
        "  const hmac = await subtle.importKey('raw', bytes(hmacRaw), { name: 'HMAC', hash: 'SHA-384' }, true, ['sign', 'verify']);",
        "  const rsaPrivate = await subtle.importKey('pkcs8', bytes(rsaPkcs8), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['unwrapKey']);",
        "  const wrapped = {}, macs = {}, signatures = {};",
        "  for (const [name, spec] of Object.entries(wrapAlgorithms)) {",
        "    const wrapping = await subtle.importKey('raw', bytes(aes), spec.name, false, ['wrapKey', 'unwrapKey']);",
        "    wrapped[name] = b64(await subtle.wrapKey('jwk', hmac, wrapping, algorithm(spec)));",
        "    const mac = await subtle.unwrapKey('jwk', bytes(hostWrapped[name + 'Jwk']), wrapping, algorithm(spec), { name: 'HMAC', hash: 'SHA-384' }, false, ['sign']);",
        "    macs[name] = b64(await subtle.sign('HMAC', mac, bytes(data)));",
        "    if (!hostWrapped[name + 'Pkcs8']) continue;",
        "    const ec = await subtle.unwrapKey('pkcs8', bytes(hostWrapped[name + 'Pkcs8']), wrapping, algorithm(spec), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);",
        "    signatures[name] = b64(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ec, bytes(data)));",
        "  }",
        "  const fromOaep = await subtle.unwrapKey('raw', bytes(hostWrapped.oaepRaw), rsaPrivate, 'RSA-OAEP', { name: 'HMAC', hash: 'SHA-384' }, true, ['sign']);",
        "  return { wrapped, macs, signatures, oaep: b64(await subtle.exportKey('raw', fromOaep)) };",
        "};",
      ],
      {
        aes: b64(aes),
        wrapAlgorithms,
        hostWrapped,
        rsaPkcs8: der(rsa.privateKey, "pkcs8"),
        hmacRaw: b64(hmacRaw),
        data: b64(Buffer.from("signed after unwrapping")),
      },
    );
    const data = Buffer.from("signed after unwrapping");
    expect(Object.keys(out.signatures as object)).toEqual(["gcm", "cbc", "ctr"]);
    const expectedMac = b64(await subtle.sign("HMAC", hmac, data));
    const ecPublic = await subtle.importKey(
      "spki",
      p256.publicKey.export({ format: "der", type: "spki" }),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    for (const [name, spec] of Object.entries(wrapAlgorithms)) {
      const unwrapping = await subtle.importKey("raw", aes, spec.name, false, ["unwrapKey"]);
      const back = await subtle.unwrapKey(
        "jwk",
        bytes((out.wrapped as Record<string, string>)[name]),
        unwrapping,
        hostAlgorithm(spec),
        { name: "HMAC", hash: "SHA-384" },
        true,
        ["sign"],
      );
      expect(b64(await subtle.exportKey("raw", back)), name).toBe(b64(hmacRaw));
      expect((out.macs as Record<string, string>)[name], name).toBe(expectedMac);
      if (name === "kw") continue;
      const signature = bytes((out.signatures as Record<string, string>)[name]);
      expect(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ecPublic, signature, data), name).toBe(true);
    }
    // AES-KW pads a wrapped JWK to a multiple of 8 bytes with spaces, as the host does.
    const kwUnwrapping = await subtle.importKey("raw", aes, "AES-KW", false, ["unwrapKey"]);
    const kwPlain = await subtle.unwrapKey(
      "raw",
      bytes((out.wrapped as Record<string, string>).kw),
      kwUnwrapping,
      "AES-KW",
      { name: "HMAC", hash: "SHA-1" },
      true,
      ["sign"],
    );
    const jwkText = Buffer.from(await subtle.exportKey("raw", kwPlain)).toString();
    expect(jwkText.length % 8).toBe(0);
    expect(JSON.parse(jwkText)).toMatchObject({ kty: "oct", k: hmacRaw.toString("base64url"), alg: "HS384" });
    expect(out.oaep).toBe(b64(hmacRaw));
  });

  it("rejects what Web Crypto rejects, with its error names", async () => {
    const out = await run(
      [
        "const outcome = async (make) => { try { await make(); return 'resolved'; } catch (e) { return e.name; } };",
        "exports.handler = async () => {",
        "  const kw = await subtle.generateKey({ name: 'AES-KW', length: 128 }, true, ['wrapKey', 'unwrapKey']);",
        "  const hidden = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);",
        "  const odd = await subtle.importKey('raw', new Uint8Array(20), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);",
        "  const gcm = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']);",
        "  return {",
        "    kwEncrypt: await outcome(() => subtle.encrypt('AES-KW', kw, new Uint8Array(16))),",
        "    kwUsage: await outcome(() => subtle.importKey('raw', new Uint8Array(16), 'AES-KW', false, ['encrypt'])),",
        "    kwShort: await outcome(() => subtle.wrapKey('raw', odd, kw, 'AES-KW')),",
        "    notExtractable: await outcome(() => subtle.wrapKey('raw', hidden, kw, 'AES-KW')),",
        "    badUnwrap: await outcome(() => subtle.unwrapKey('raw', new Uint8Array(24), kw, 'AES-KW', 'AES-GCM', true, ['encrypt'])),",
        "    noWrapUsage: await outcome(() => subtle.wrapKey('raw', gcm, gcm, { name: 'AES-GCM', iv: new Uint8Array(12) })),",
        "  };",
        "};",
      ],
      {},
    );
    expect(out).toEqual({
      kwEncrypt: "NotSupportedError",
      kwUsage: "SyntaxError",
      kwShort: "OperationError",
      notExtractable: "InvalidAccessError",
      badUnwrap: "OperationError",
      noWrapUsage: "InvalidAccessError",
    });
  });
});

describe("crypto.subtle deriveKey", () => {
  it("derives AES, HMAC and HKDF keys from ECDH (P-256/384/521) and X25519 equal to the host's derived bits", async () => {
    const pairs: Record<string, [KeyPairKeyObjectResult, KeyPairKeyObjectResult]> = {
      "P-256": [generateKeyPairSync("ec", { namedCurve: "P-256" }), generateKeyPairSync("ec", { namedCurve: "P-256" })],
      "P-384": [generateKeyPairSync("ec", { namedCurve: "P-384" }), generateKeyPairSync("ec", { namedCurve: "P-384" })],
      "P-521": [generateKeyPairSync("ec", { namedCurve: "P-521" }), generateKeyPairSync("ec", { namedCurve: "P-521" })],
      X25519: [generateKeyPairSync("x25519"), generateKeyPairSync("x25519")],
    };
    const salt = randomBytes(16);
    const info = Buffer.from("isolambda derive");
    const event = {
      salt: b64(salt),
      info: b64(info),
      keys: Object.fromEntries(
        Object.entries(pairs).map(([curve, [mine, theirs]]) => [
          curve,
          { pkcs8: der(mine.privateKey, "pkcs8"), spki: der(theirs.publicKey, "spki") },
        ]),
      ),
    };
    const out = await run(
      [
        "exports.handler = async ({ keys, salt, info }) => {",
        "  const result = {};",
        "  for (const [curve, { pkcs8, spki }] of Object.entries(keys)) {",
        "    const algorithm = curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: curve };",
        "    const mine = await subtle.importKey('pkcs8', bytes(pkcs8), algorithm, false, ['deriveKey']);",
        "    const theirs = await subtle.importKey('spki', bytes(spki), algorithm, true, []);",
        "    const params = { name: algorithm.name, public: theirs };",
        "    const aes = await subtle.deriveKey(params, mine, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);",
        "    const hmac = await subtle.deriveKey(params, mine, { name: 'HMAC', hash: 'SHA-256', length: 128 }, true, ['sign']);",
        "    const hkdf = await subtle.deriveKey(params, mine, 'HKDF', false, ['deriveBits']);",
        "    const expanded = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: bytes(salt), info: bytes(info) }, hkdf, 256);",
        "    result[curve] = { aes: b64(await subtle.exportKey('raw', aes)), aesAlgorithm: aes.algorithm, hmac: b64(await subtle.exportKey('raw', hmac)), hkdf: b64(expanded) };",
        "  }",
        "  return result;",
        "};",
      ],
      event,
    );
    for (const [curve, [mine, theirs]] of Object.entries(pairs)) {
      const algorithm = curve === "X25519" ? { name: "X25519" } : { name: "ECDH", namedCurve: curve };
      const privateKey = await subtle.importKey("pkcs8", mine.privateKey.export({ format: "der", type: "pkcs8" }), algorithm, false, [
        "deriveBits",
      ]);
      const publicKey = await subtle.importKey("spki", theirs.publicKey.export({ format: "der", type: "spki" }), algorithm, true, []);
      const secret = new Uint8Array(
        await subtle.deriveBits({ name: algorithm.name, public: publicKey } as webcrypto.EcdhKeyDeriveParams, privateKey, null),
      );
      const hkdf = await subtle.importKey("raw", secret, "HKDF", false, ["deriveBits"]);
      const expanded = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, hkdf, 256);
      expect(out[curve], curve).toEqual({
        aes: b64(secret.subarray(0, 32)),
        aesAlgorithm: { name: "AES-GCM", length: 256 },
        hmac: b64(secret.subarray(0, 16)),
        hkdf: b64(expanded),
      });
    }
  });

  it("derives AES-KW keys from PBKDF2 as the host does, and refuses a base key without the deriveKey usage", async () => {
    const salt = randomBytes(16);
    const password = await subtle.importKey("raw", Buffer.from("correct horse"), "PBKDF2", false, ["deriveKey"]);
    const expected = await subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 },
      password,
      { name: "AES-KW", length: 128 },
      true,
      ["wrapKey"],
    );
    const out = await run(
      [
        "exports.handler = async ({ salt }) => {",
        "  const password = await subtle.importKey('raw', Buffer.from('correct horse'), 'PBKDF2', false, ['deriveKey']);",
        "  const kw = await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations: 1000 }, password, { name: 'AES-KW', length: 128 }, true, ['wrapKey']);",
        "  const bitsOnly = await subtle.importKey('raw', Buffer.from('x'), 'PBKDF2', false, ['deriveBits']);",
        "  let refused;",
        "  try { await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations: 1 }, bitsOnly, { name: 'AES-GCM', length: 128 }, true, ['encrypt']); } catch (e) { refused = e.name; }",
        "  return { kw: b64(await subtle.exportKey('raw', kw)), refused };",
        "};",
      ],
      { salt: b64(salt) },
    );
    expect(out).toEqual({ kw: b64(await subtle.exportKey("raw", expected)), refused: "InvalidAccessError" });
  });
});
