/**
 * A function's work on Node's thread pool (pbkdf2's, scrypt's and hkdf's callback forms) waits for
 * a place there instead of filling the pool, which the server's own file work shares: the server
 * reads a file while a flood of a function's pbkdf2s still waits, and a neighbour's pbkdf2 gets a
 * thread. Argument errors are still Node's, thrown at the call; the answers are still Node's.
 */
import * as nodeCrypto from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { MAX_WAITING_JOBS } from "../../src/sandbox/executor/host-jobs.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, FAILURE_SOURCE, hostFailure, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** Starts 40 pbkdf2s of a million rounds (a few seconds of the pool each thread) and counts those done. */
const FLOOD = `const crypto = require('node:crypto');
let done = 0;
exports.handler = async ({ flood }) => {
  if (flood) for (let i = 0; i < 40; i++) crypto.pbkdf2('p' + i, 's', 1000000, 64, 'sha512', () => done++);
  // The callbacks of the jobs done meanwhile come first.
  else await new Promise((resolve) => setTimeout(resolve, 50));
  return done;
};`;

describe("a function's work on Node's thread pool", () => {
  it("leaves the server's file reads and a neighbour's pbkdf2 their threads while a flood of pbkdf2s waits", async () => {
    const flooding = await environmentFor(sandbox, { "index.js": FLOOD }, { timeoutSeconds: 60 });
    const neighbour = await environmentFor(
      sandbox,
      {
        "index.js":
          "const c = require('node:crypto'); exports.handler = async () => new Promise((r) => c.pbkdf2('n', 's', 1, 16, 'sha256', (e, k) => r(k.toString('hex'))));",
      },
      { timeoutSeconds: 60 },
    );
    try {
      expect(resultOf(await flooding.invoke(JSON.stringify({ flood: true })))).toBe(0);
      // Both answer while the flood's pbkdf2s are still under way or waiting: before, the pool took
      // them in the order queued, the server's read and the neighbour's pbkdf2 behind all 40.
      await readFile(new URL(import.meta.url));
      expect(resultOf(await neighbour.invoke("{}"))).toBe(nodeCrypto.pbkdf2Sync("n", "s", 1, 16, "sha256").toString("hex"));
      expect(resultOf(await flooding.invoke("{}"))).toBeLessThan(10);
    } finally {
      flooding.dispose();
      neighbour.dispose();
    }
  });

  it("answers as Node does, and throws Node's argument errors at the call", async () => {
    const source = `const crypto = require('node:crypto');
${FAILURE_SOURCE}
const call = (f) => new Promise((resolve) => f((error, key) => resolve(error ? error.message : Buffer.from(key).toString('hex'))));
exports.handler = async () => ({
  keys: await Promise.all([
    call((cb) => crypto.pbkdf2('pw', 'salt', 1000, 32, 'sha256', cb)),
    call((cb) => crypto.scrypt('pw', 'salt', 32, { N: 1024 }, cb)),
    call((cb) => crypto.hkdf('sha256', 'key', 'salt', 'info', 32, cb)),
  ]),
  errors: [
    failure(() => crypto.pbkdf2('pw', 'salt', 0, 32, 'sha256', () => {})),
    failure(() => crypto.pbkdf2('pw', 'salt', 0, -1, 'nope', () => {})),
    failure(() => crypto.pbkdf2('pw', 'salt', 1, -1, 'nope', () => {})),
    failure(() => crypto.pbkdf2('pw', 'salt', 1, 32, 'nope', () => {})),
    failure(() => crypto.scrypt('pw', 'salt', -1, { N: 3 }, () => {})),
    failure(() => crypto.scrypt('pw', 'salt', 32, { N: 3 }, () => {})),
  ],
});`;
    const env = await environmentFor(sandbox, { "index.js": source });
    const out = resultOf(await env.invoke("{}")) as { keys: string[]; errors: unknown[] };
    env.dispose();
    expect(out.keys).toEqual([
      nodeCrypto.pbkdf2Sync("pw", "salt", 1000, 32, "sha256").toString("hex"),
      nodeCrypto.scryptSync("pw", "salt", 32, { N: 1024 }).toString("hex"),
      Buffer.from(nodeCrypto.hkdfSync("sha256", "key", "salt", "info", 32)).toString("hex"),
    ]);
    const thrown = hostFailure;
    const none = () => {};
    expect(out.errors).toEqual([
      thrown(() => nodeCrypto.pbkdf2("pw", "salt", 0, 32, "sha256", none)),
      thrown(() => nodeCrypto.pbkdf2("pw", "salt", 0, -1, "nope", none)),
      thrown(() => nodeCrypto.pbkdf2("pw", "salt", 1, -1, "nope", none)),
      thrown(() => nodeCrypto.pbkdf2("pw", "salt", 1, 32, "nope", none)),
      thrown(() => nodeCrypto.scrypt("pw", "salt", -1, { N: 3 }, none)),
      thrown(() => nodeCrypto.scrypt("pw", "salt", 32, { N: 3 }, none)),
    ]);
  });

  it(`refuses a job past the ${MAX_WAITING_JOBS} waiting with a RangeError that says why`, async () => {
    const source = `const crypto = require('node:crypto');
${FAILURE_SOURCE}
exports.handler = async () => {
  for (let i = 0; i < ${MAX_WAITING_JOBS + 2}; i++) {
    const refused = failure(() => crypto.pbkdf2('p', 's', 100000, 16, 'sha256', () => {}));
    if (refused !== 'no error') return [i, refused];
  }
  return 'all taken';
};`;
    const env = await environmentFor(sandbox, { "index.js": source }, { timeoutSeconds: 60 });
    const out = resultOf(await env.invoke("{}")) as [number, string[]];
    env.dispose();
    // One runs and MAX_WAITING_JOBS wait; the next is refused.
    expect(out[0]).toBe(MAX_WAITING_JOBS + 1);
    expect(out[1]).toEqual([
      "RangeError",
      "ERR_OUT_OF_RANGE",
      expect.stringContaining(`${MAX_WAITING_JOBS} pbkdf2, scrypt or hkdf callbacks waiting`),
    ]);
  });
});
