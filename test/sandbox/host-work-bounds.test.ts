/**
 * What one native call may make the host do for a guest: outputs held to the function's memory
 * before the host makes them, and work that nothing can interrupt held to a few seconds, each
 * refused past its bound with a RangeError naming it; work inside the bounds answers as Node does.
 */
import * as nodeCrypto from "node:crypto";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { expectTimeoutBesideNeighbour, FAILURE_SOURCE, hostFailure, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

async function run(lines: string[], event: unknown = {}): Promise<Record<string, unknown>> {
  const source = ["const crypto = require('node:crypto');", "const zlib = require('node:zlib');", FAILURE_SOURCE, ...lines].join("\n");
  return resultOf(await invokeOnce(sandbox, { "index.js": source }, event, { memorySizeMB: 128, timeoutSeconds: 20 })) as Record<
    string,
    unknown
  >;
}

const MEMORY = 128 * 1024 * 1024;
const refusedOutput = (what: string, asked: number) => [
  "RangeError",
  "ERR_OUT_OF_RANGE",
  `isolambda makes ${what} of at most ${MEMORY} bytes, the function's memory (asked for ${asked})`,
];

describe("what the host makes for a guest is held to the guest's memory", () => {
  it("a 700 KB gzip bomb inflates no further than the function's 128 MB, with Node's error for a limit", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(1 << 30), { level: 9 });
    expect(bomb.length).toBeLessThan(1_100_000);
    const out = await run(
      [
        "exports.handler = async ({ bomb }) => ({",
        "  sync: failure(() => zlib.gunzipSync(Buffer.from(bomb, 'base64'))),",
        "  small: zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(1000))).length,",
        "});",
      ],
      { bomb: bomb.toString("base64") },
    );
    expect(out).toEqual({
      sync: ["RangeError", "ERR_BUFFER_TOO_LARGE", `Cannot create a Buffer larger than ${MEMORY} bytes`],
      small: 1000,
    });
  });

  it("random bytes and derived keys past the memory are refused before the host makes them", async () => {
    const big = 200 * 1024 * 1024;
    const out = await run([
      `const big = ${big};`,
      "exports.handler = async () => ({",
      "  random: failure(() => crypto.randomBytes(big)),",
      "  pbkdf2: failure(() => crypto.pbkdf2Sync('p', 's', 1, big, 'sha256')),",
      "  pbkdf2Callback: failure(() => crypto.pbkdf2('p', 's', 1, big, 'sha256', () => {})),",
      "  scryptKey: failure(() => crypto.scryptSync('p', 's', big)),",
      // N × r × 128 bytes is 256 MB: past the memory, whatever maxmem the handler allows.
      "  scryptMemory: failure(() => crypto.scryptSync('p', 's', 16, { N: 2 ** 18, r: 8, maxmem: 2 ** 31 })),",
      "  fits: crypto.randomBytes(1024 * 1024).length,",
      "});",
    ]);
    const scryptError = hostFailure(() => nodeCrypto.scryptSync("p", "s", 16, { N: 2 ** 18, r: 8, maxmem: MEMORY }));
    expect(out).toEqual({
      random: refusedOutput("random bytes", big),
      pbkdf2: refusedOutput("keys", big),
      pbkdf2Callback: refusedOutput("keys", big),
      scryptKey: refusedOutput("keys", big),
      scryptMemory: scryptError,
      fits: 1024 * 1024,
    });
    expect(scryptError[1]).toBe("ERR_CRYPTO_INVALID_SCRYPT_PARAMS");
  });
});

describe("work nothing can interrupt is held to a few seconds a call", () => {
  it("refuses pbkdf2, scrypt, key generation, prime checks and Diffie-Hellman past their bounds", async () => {
    const out = await run([
      "exports.handler = async ({ }) => ({",
      "  pbkdf2: failure(() => crypto.pbkdf2Sync('p', 's', 20_000_000, 32, 'sha256')),",
      "  pbkdf2Blocks: failure(() => crypto.pbkdf2Sync('p', 's', 1_000_000, 64 * 11, 'sha512')),",
      "  pbkdf2Callback: failure(() => crypto.pbkdf2('p', 's', 20_000_000, 32, 'sha256', () => {})),",
      "  scrypt: failure(() => crypto.scryptSync('p', 's', 16, { N: 2 ** 14, r: 8, p: 256 })),",
      "  rsa: failure(() => crypto.generateKeyPairSync('rsa', { modulusLength: 8192 })),",
      "  rsaPss: failure(() => crypto.generateKeyPairSync('rsa-pss', { modulusLength: 6144 })),",
      "  dsa: failure(() => crypto.generateKeyPairSync('dsa', { modulusLength: 4096, divisorLength: 256 })),",
      "  dh: failure(() => crypto.generateKeyPairSync('dh', { primeLength: 2048 })),",
      "  checkPrime: failure(() => crypto.checkPrimeSync((1n << 5000n) - 1n)),",
      "  dhPrime: failure(() => crypto.createDiffieHellman(Buffer.alloc(2048, 0xff)).generateKeys()),",
      "});",
    ]);
    const refused = (message: string) => ["RangeError", "ERR_OUT_OF_RANGE", message];
    expect(out).toEqual({
      pbkdf2: refused("isolambda runs pbkdf2 for at most 10000000 rounds (iterations × output blocks; asked for 20000000)"),
      pbkdf2Blocks: refused("isolambda runs pbkdf2 for at most 10000000 rounds (iterations × output blocks; asked for 11000000)"),
      pbkdf2Callback: refused("isolambda runs pbkdf2 for at most 10000000 rounds (iterations × output blocks; asked for 20000000)"),
      scrypt: refused(`isolambda runs scrypt with N × r × p of at most ${2 ** 24} (asked for ${2 ** 25})`),
      rsa: refused("isolambda generates RSA keys of at most 4096 bits (asked for 8192)"),
      rsaPss: refused("isolambda generates RSA keys of at most 4096 bits (asked for 6144)"),
      dsa: refused("isolambda generates DSA keys of at most 3072 bits (asked for 4096)"),
      dh: refused("isolambda generates Diffie-Hellman primes of at most 1024 bits (asked for 2048)"),
      checkPrime: refused("isolambda checks primes of at most 4096 bits (asked for 5000)"),
      dhPrime: refused("isolambda computes Diffie-Hellman keys over primes of at most 8192 bits (asked for 16384)"),
    });
  });

  it("answers as Node does inside the bounds", async () => {
    const prime = nodeCrypto.generatePrimeSync(2048, { bigint: true });
    const out = await run(
      [
        "exports.handler = async ({ prime }) => ({",
        "  pbkdf2: crypto.pbkdf2Sync('password', 'salt', 100_000, 64, 'sha512').toString('hex'),",
        "  pbkdf2Callback: await new Promise((resolve, reject) => crypto.pbkdf2('password', 'salt', 50_000, 32, 'sha256', (e, key) => (e ? reject(e) : resolve(key.toString('hex'))))),",
        "  scrypt: crypto.scryptSync('password', 'salt', 32, { N: 2 ** 14, r: 8, p: 2 }).toString('hex'),",
        "  checkPrime: crypto.checkPrimeSync(BigInt(prime)),",
        "  modp18: crypto.getDiffieHellman('modp18').generateKeys().length,",
        "});",
      ],
      { prime: prime.toString() },
    );
    expect(out).toEqual({
      pbkdf2: nodeCrypto.pbkdf2Sync("password", "salt", 100_000, 64, "sha512").toString("hex"),
      pbkdf2Callback: nodeCrypto.pbkdf2Sync("password", "salt", 50_000, 32, "sha256").toString("hex"),
      scrypt: nodeCrypto.scryptSync("password", "salt", 32, { N: 2 ** 14, r: 8, p: 2 }).toString("hex"),
      checkPrime: true,
      modp18: 1024,
    });
  });
});

describe("host work that straddles a deadline ends the invocation, not its executor", () => {
  const besideNeighbour = (handler: string) => expectTimeoutBesideNeighbour(sandbox, `const crypto = require("node:crypto");\n${handler}`);

  it("waits for one long call that outlives the deadline's grace, then times the invocation out", async () => {
    // 10M rounds of sha512 take 2–5 s here (~0.25 s a million on a fast machine), begun 0.1 s before
    // a 1 s deadline: the call returns well past the 1 s grace, after which the executor was terminated.
    await besideNeighbour(`exports.handler = async () => {
  const until = Date.now() + 900;
  while (Date.now() < until);
  return crypto.pbkdf2Sync("password", "salt", 10_000_000, 64, "sha512").length;
};`);
  }, 30_000);

  it("refuses to start long calls past the deadline, so a loop of them ends at its next interrupt check", async () => {
    // QuickJS checks for an interrupt every ~10,000 steps, hundreds of these loops' turns apart.
    await besideNeighbour(`exports.handler = async () => {
  for (;;) {
    try {
      crypto.pbkdf2Sync("password", "salt", 500_000, 64, "sha512");
    } catch {}
  }
};`);
  }, 30_000);
});
