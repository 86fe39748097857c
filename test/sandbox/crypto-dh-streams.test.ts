/**
 * node:crypto's finite-field Diffie-Hellman, primes, Sign/Verify as Writable streams and the names
 * isolambda does not offer, in the sandbox, checked against the host's own Node.
 */
import * as nodeCrypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, type Files, hostFailure, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

async function run(lines: string[], event: unknown = {}): Promise<Record<string, unknown>> {
  const files: Files = { "index.js": ["const crypto = require('node:crypto');", ...lines].join("\n") };
  return resultOf(await invokeOnce(sandbox, files, event)) as Record<string, unknown>;
}

describe("node:crypto Diffie-Hellman and primes", () => {
  it("agrees on a secret with the host over a named group and over a given prime, and derives a public key from a set private key", async () => {
    const host = nodeCrypto.getDiffieHellman("modp14");
    host.generateKeys();
    const custom = nodeCrypto.createDiffieHellman(host.getPrime(), host.getGenerator());
    custom.generateKeys();
    const fixedPrivate = nodeCrypto.randomBytes(32);
    const fixed = nodeCrypto.createDiffieHellman(host.getPrime(), host.getGenerator());
    fixed.setPrivateKey(fixedPrivate);
    fixed.generateKeys();
    const out = await run(
      [
        "exports.handler = async ({ hostPublic, customPublic, prime, fixedPrivate }) => {",
        "  const group = crypto.getDiffieHellman('modp14');",
        "  const groupPublic = group.generateKeys('base64');",
        "  const same = crypto.createDiffieHellmanGroup('modp14');",
        "  const mine = crypto.createDiffieHellman(prime, 'base64', 2);",
        "  mine.generateKeys();",
        "  const fixed = crypto.createDiffieHellman(Buffer.from(prime, 'base64'), Buffer.from([2]));",
        "  fixed.setPrivateKey(fixedPrivate, 'base64');",
        "  return {",
        "    groupPublic,",
        "    groupSecret: group.computeSecret(hostPublic, 'base64', 'base64'),",
        "    groupPrime: group.getPrime('base64'),",
        "    sameGenerator: same.getGenerator('hex'),",
        "    groupHasSetters: typeof group.setPrivateKey,",
        "    isGroup: group instanceof crypto.DiffieHellmanGroup,",
        "    minePublic: mine.getPublicKey('base64'),",
        "    mineSecret: mine.computeSecret(Buffer.from(customPublic, 'base64')).toString('base64'),",
        "    verifyError: mine.verifyError,",
        "    isDh: mine instanceof crypto.DiffieHellman,",
        "    fixedPublic: fixed.generateKeys('base64'),",
        "    fixedPrivate: fixed.getPrivateKey('base64'),",
        "  };",
        "};",
      ],
      {
        hostPublic: host.getPublicKey("base64"),
        customPublic: custom.getPublicKey("base64"),
        prime: host.getPrime("base64"),
        fixedPrivate: fixedPrivate.toString("base64"),
      },
    );
    expect(out.groupSecret).toBe(host.computeSecret(out.groupPublic as string, "base64", "base64"));
    expect(out.groupPrime).toBe(host.getPrime("base64"));
    expect(out.sameGenerator).toBe("02");
    expect(out.mineSecret).toBe(custom.computeSecret(out.minePublic as string, "base64", "base64"));
    expect(out).toMatchObject({
      groupHasSetters: "undefined",
      isGroup: true,
      verifyError: custom.verifyError,
      isDh: true,
      fixedPublic: fixed.getPublicKey("base64"),
      fixedPrivate: fixedPrivate.toString("base64"),
    });
  });

  it("generates primes the host confirms, checks candidates as the host does, and answers callbacks", async () => {
    const composite = nodeCrypto.generatePrimeSync(64, { bigint: true }) * 3n;
    const out = await run(
      [
        "exports.handler = async ({ composite }) => {",
        "  const buffer = crypto.generatePrimeSync(128);",
        "  const big = crypto.generatePrimeSync(96, { bigint: true });",
        "  const safe = crypto.generatePrimeSync(64, { safe: true, bigint: true });",
        "  const withRem = crypto.generatePrimeSync(64, { add: 12n, rem: 11n, bigint: true });",
        "  const fromCallback = await new Promise((resolve, reject) => crypto.generatePrime(80, { bigint: true }, (e, p) => (e ? reject(e) : resolve(p))));",
        "  const checked = await new Promise((resolve, reject) => crypto.checkPrime(BigInt(composite), (e, ok) => (e ? reject(e) : resolve(ok))));",
        "  return {",
        "    buffer: Buffer.from(buffer).toString('hex'), isArrayBuffer: buffer instanceof ArrayBuffer,",
        "    big: big.toString(), safe: safe.toString(), withRem: withRem.toString(), fromCallback: fromCallback.toString(),",
        "    checks: [crypto.checkPrimeSync(7n), crypto.checkPrimeSync(Buffer.from([7])), crypto.checkPrimeSync(BigInt(composite), { checks: 10 })],",
        "    checked,",
        "  };",
        "};",
      ],
      { composite: composite.toString() },
    );
    expect(out.isArrayBuffer).toBe(true);
    const buffer = Buffer.from(out.buffer as string, "hex");
    expect(buffer.length).toBe(16);
    expect(nodeCrypto.checkPrimeSync(buffer)).toBe(true);
    for (const name of ["big", "safe", "withRem", "fromCallback"])
      expect(nodeCrypto.checkPrimeSync(BigInt(out[name] as string)), name).toBe(true);
    expect(nodeCrypto.checkPrimeSync((BigInt(out.safe as string) - 1n) / 2n)).toBe(true);
    expect(BigInt(out.withRem as string) % 12n).toBe(11n);
    expect(BigInt(out.big as string).toString(2)).toHaveLength(96);
    expect(out.checks).toEqual([true, true, false]);
    expect(out.checked).toBe(false);
  });

  it("fails as Node does, and refuses primes too large to generate on the executor's thread", async () => {
    const out = await run([
      FAILURE_SOURCE,
      "exports.handler = async () => ({",
      "  unknownGroup: failure(() => crypto.getDiffieHellman('modp0')),",
      "  badPrime: failure(() => crypto.createDiffieHellman({})),",
      "  noPublic: failure(() => crypto.getDiffieHellman('modp14').getPublicKey()),",
      "  badSize: failure(() => crypto.generatePrimeSync(-1)),",
      "  badCandidate: failure(() => crypto.checkPrimeSync('7')),",
      "  badCallback: failure(() => crypto.generatePrime(16, {}, 'nope')),",
      "  huge: failure(() => crypto.generatePrimeSync(4096)),",
      "  hugeSafe: failure(() => crypto.createDiffieHellman(2048)),",
      "});",
    ]);
    expect(out).toMatchObject({
      unknownGroup: hostFailure(() => nodeCrypto.getDiffieHellman("modp0")),
      badPrime: hostFailure(() => nodeCrypto.createDiffieHellman({} as never)),
      noPublic: hostFailure(() => nodeCrypto.getDiffieHellman("modp14").getPublicKey()),
      badSize: hostFailure(() => nodeCrypto.generatePrimeSync(-1)),
      badCandidate: hostFailure(() => nodeCrypto.checkPrimeSync("7" as never)),
      badCallback: ["TypeError", "ERR_INVALID_ARG_TYPE", expect.stringContaining('"callback"')],
      huge: ["RangeError", "ERR_OUT_OF_RANGE", "isolambda generates primes of at most 2048 bits (asked for 4096)"],
      hugeSafe: ["RangeError", "ERR_OUT_OF_RANGE", "isolambda generates Diffie-Hellman primes of at most 1024 bits (asked for 2048)"],
    });
  });
});

describe("node:crypto Sign and Verify as Writable streams", () => {
  it("signs what was written or piped in as the host verifies, and verifies the host's signature through a pipeline", async () => {
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const data = Buffer.from("streamed ".repeat(2000));
    const hostSignature = nodeCrypto.sign("sha256", data, privateKey).toString("base64");
    const out = await run(
      [
        "const { Readable, pipeline, Writable } = require('node:stream');",
        "exports.handler = async ({ privatePem, publicPem, data, hostSignature }) => {",
        "  const written = crypto.createSign('SHA256');",
        "  written.write(data.slice(0, 1000));",
        "  written.write(Buffer.from(data.slice(1000), 'utf8'));",
        "  written.end();",
        "  const piped = crypto.createSign('SHA256');",
        "  Readable.from([data.slice(0, 7), data.slice(7)]).pipe(piped);",
        "  await new Promise((resolve) => piped.on('finish', resolve));",
        "  const verifier = crypto.createVerify('SHA256');",
        "  await new Promise((resolve, reject) => pipeline(Readable.from([Buffer.from(data)]), verifier, (e) => (e ? reject(e) : resolve())));",
        "  return {",
        "    written: written.sign(privatePem, 'base64'),",
        "    piped: piped.sign(privatePem, 'base64'),",
        "    verified: verifier.verify(publicPem, hostSignature, 'base64'),",
        "    isWritable: verifier instanceof Writable,",
        "    plainStillWorks: crypto.createVerify('SHA256').update(data).verify(publicPem, hostSignature, 'base64'),",
        "  };",
        "};",
      ],
      {
        privatePem: privateKey.export({ format: "pem", type: "pkcs8" }),
        publicPem: publicKey.export({ format: "pem", type: "spki" }),
        data: data.toString(),
        hostSignature,
      },
    );
    expect(nodeCrypto.verify("sha256", data, publicKey, Buffer.from(out.written as string, "base64"))).toBe(true);
    expect(nodeCrypto.verify("sha256", data, publicKey, Buffer.from(out.piped as string, "base64"))).toBe(true);
    expect(out).toMatchObject({ verified: true, isWritable: true, plainStillWorks: true });
  });
});

describe("node:crypto's remaining names", () => {
  it("has every name the host's node:crypto has, answers getCipherInfo/getFips/secureHeapUsed as the host, and names what is unavailable", async () => {
    const names = Object.keys(nodeCrypto).filter((name) => name !== "default");
    const ciphers = ["aes-128-gcm", "aes-256-cbc", "chacha20-poly1305", "id-aes128-wrap", "nope"];
    const out = await run(
      [
        "const failure = (make) => { try { make(); return 'no error'; } catch (e) { return [e.code, e.message]; } };",
        "exports.handler = async ({ names, ciphers }) => ({",
        "  types: Object.fromEntries(names.map((name) => [name, typeof crypto[name]])),",
        "  info: ciphers.map((name) => crypto.getCipherInfo(name) ?? null),",
        "  sized: crypto.getCipherInfo('aes-128-gcm', { ivLength: 16 }) ?? null,",
        "  badInfo: failure(() => crypto.getCipherInfo({})),",
        "  fips: crypto.getFips(),",
        "  heap: crypto.secureHeapUsed(),",
        "  certificate: failure(() => new crypto.Certificate()),",
        "  spkac: failure(() => crypto.Certificate.verifySpkac(Buffer.alloc(1))),",
        "  engine: failure(() => crypto.setEngine('dynamic')),",
        "  cipherClass: [crypto.Cipheriv, crypto.Cipher].map((C) => crypto.createCipheriv('aes-128-ecb', Buffer.alloc(16), null) instanceof C),",
        "  ivLess: failure(() => new crypto.Cipher('aes-128-ecb', 'secret')),",
        "});",
      ],
      { names, ciphers },
    );
    expect(out.types).toEqual(Object.fromEntries(names.map((name) => [name, typeof (nodeCrypto as Record<string, unknown>)[name]])));
    expect(out.info).toEqual(ciphers.map((name) => nodeCrypto.getCipherInfo(name) ?? null));
    expect(out.sized).toEqual(nodeCrypto.getCipherInfo("aes-128-gcm", { ivLength: 16 }));
    expect(out).toMatchObject({
      badInfo: ["ERR_INVALID_ARG_TYPE", 'The "nameOrNid" argument must be one of type string or number. Received an instance of Object'],
      fips: nodeCrypto.getFips(),
      heap: nodeCrypto.secureHeapUsed(),
      certificate: ["ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "crypto.Certificate is not available in isolambda"],
      spkac: ["ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "crypto.Certificate.verifySpkac is not available in isolambda"],
      engine: ["ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "crypto.setEngine is not available in isolambda"],
      cipherClass: [true, false],
      ivLess: ["ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "crypto.Cipher is not available in isolambda"],
    });
  });
});

describe("node:crypto's classes in an ES module", () => {
  it("imports Sign, Verify, ECDH, DiffieHellman, X509Certificate and Cipheriv by name, and they work as the classes do", async () => {
    const files: Files = {
      "index.mjs": [
        "import { Sign, Verify, ECDH, DiffieHellmanGroup, X509Certificate, Cipheriv, Decipheriv, createSign, createVerify, createECDH, generateKeyPairSync } from 'node:crypto';",
        "export const handler = async () => {",
        "  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });",
        "  const signer = createSign('sha256').update('data');",
        "  const signature = signer.sign(privateKey);",
        "  const called = Sign('sha256').update('data').sign(privateKey);",
        "  class Logged extends Verify {}",
        "  const verifier = new Logged('sha256').update('data');",
        "  const key = Buffer.alloc(16, 1);",
        "  const sealed = new Cipheriv('aes-128-cbc', key, key);",
        "  const text = Buffer.concat([sealed.update('secret'), sealed.final()]);",
        "  const opened = new Decipheriv('aes-128-cbc', key, key);",
        "  return {",
        "    names: [Sign, Verify, ECDH, X509Certificate, Cipheriv].map((C) => C.name),",
        "    types: [Sign, X509Certificate].map((C) => typeof C),",
        "    instances: [signer instanceof Sign, createVerify('sha256') instanceof Verify, createECDH('prime256v1') instanceof ECDH, verifier instanceof Verify, verifier instanceof Logged],",
        "    verified: [verifier.verify(publicKey, signature), createVerify('sha256').update('data').verify(publicKey, called)],",
        "    group: new DiffieHellmanGroup('modp14').getPrime().length,",
        "    converted: ECDH.convertKey(createECDH('prime256v1').generateKeys(), 'prime256v1', undefined, 'hex', 'compressed').length,",
        "    notCertificate: (() => { try { new X509Certificate('x'); return 'parsed'; } catch (e) { return e.code ?? e.name; } })(),",
        "    roundTrip: Buffer.concat([opened.update(text), opened.final()]).toString(),",
        "  };",
        "};",
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      names: ["Sign", "Verify", "ECDH", "X509Certificate", "Cipheriv"],
      types: ["function", "function"],
      instances: [true, true, true, true, true],
      verified: [true, true],
      group: 256,
      converted: 66,
      notCertificate: "ERR_OSSL_PEM_NO_START_LINE",
      roundTrip: "secret",
    });
  });
});
