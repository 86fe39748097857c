/**
 * How much one native call may make the host do for a guest. A native call runs on the executor's
 * thread (or on a thread of Node's pool, which the whole server shares) and nothing interrupts it:
 * the invocation's timeout ends the guest, not OpenSSL or zlib, and an executor terminated past its
 * deadline keeps its thread busy until the call returns. So the CPU one call may take is bounded
 * here to a few seconds of this project's slowest machine (a 2-core AMD EPYC; the figures beside
 * each bound), and what the host allocates for the guest to the guest's own memory, which could not
 * hold more anyway. Past a bound the call throws a RangeError (ERR_OUT_OF_RANGE) that names it.
 */
import { createHash } from "node:crypto";
import { outOfRange } from "./guest-values.js";

/** RSA moduli generated: 4,096 bits took 0.9–2.1 s here (8,192 ~10 s, and the time grows as bits⁴). */
export const MAX_RSA_BITS = 4096;
/** DSA moduli generated: 3,072 bits took 1.0–4.2 s here. */
export const MAX_DSA_BITS = 3072;
/** Primes generated: 2,048 bits took ~0.9 s here. */
export const MAX_PRIME_BITS = 2048;
/** Safe primes (Diffie-Hellman groups) generated: 1,024 bits took 0.04–9 s here, by luck. */
export const MAX_SAFE_PRIME_BITS = 1024;
/** Candidates of checkPrime: a 2,048-bit prime took ~0.12 s here, a 4,423-bit one 4.8 s. */
export const MAX_CHECKED_PRIME_BITS = 4096;
/** A Diffie-Hellman prime given by the guest: 8,192 bits (modp18, Node's largest group) costs ~7 ms an exponentiation. */
export const MAX_DH_PRIME_BITS = 8192;
/** pbkdf2's rounds of the hash (iterations × output blocks): 1M took 0.2 s (sha256) to 0.47 s (sha512) here. */
export const MAX_PBKDF2_ROUNDS = 10_000_000;
/** scrypt's N × r × p: Node's default (2¹⁴ × 8 × 1) took 44 ms here, this is 128 times that. */
export const MAX_SCRYPT_COST = 2 ** 24;

/** What bounds one native call of an environment. */
export interface WorkLimits {
  /** The most bytes the host makes for the guest in one call: its memory. */
  outputBytes(): number;
  /** The phase must end (past its deadline, out of memory). */
  timeIsUp(): boolean;
  /**
   * Counts bytes the host holds for the guest beyond the call (negative: gives them back) within
   * its memory; false when they would pass it, and the function has then run out of memory.
   */
  hold(delta: number): boolean;
}

/** What a native call throws when what the host would hold for the guest passes its memory: the linear memory's own refusal. */
export function pastMemorySize(): RangeError {
  return new RangeError("the function's MemorySize is reached");
}

/**
 * Refuses to start a long call once the phase must end, with the error QuickJS's interrupt gives.
 * QuickJS checks for an interrupt only every ~10,000 of its steps, so a guest looping over such
 * calls past its deadline would otherwise hold its executor for as many calls.
 */
export function checkTime(limits: WorkLimits): void {
  if (limits.timeIsUp()) throw Object.assign(new Error("interrupted"), { name: "InternalError" });
}

/** Refuses `bits` past `max`, naming what would have been made. */
export function checkBits(bits: number, max: number, what: string): void {
  if (bits > max) throw outOfRange(`isolambda ${what} of at most ${max} bits (asked for ${bits})`);
}

/** Refuses an output of `bytes` that the guest's memory (`limit`) could not hold, before the host makes it. */
export function checkOutputBytes(bytes: unknown, limit: number, what: string): void {
  if (typeof bytes === "number" && bytes > limit) {
    throw outOfRange(`isolambda makes ${what} of at most ${limit} bytes, the function's memory (asked for ${bytes})`);
  }
}

const digestSizes = new Map<string, number>();
/** A hash's output size in bytes, or undefined for a name Node will refuse with its own error. */
function digestSize(digest: unknown): number | undefined {
  if (typeof digest !== "string") return undefined;
  let size = digestSizes.get(digest);
  if (size === undefined) {
    try {
      size = createHash(digest).digest().byteLength;
    } catch {
      return undefined;
    }
    digestSizes.set(digest, size);
  }
  return size;
}

/** pbkdf2's bounds; arguments Node would refuse are left for Node's own error. */
export function checkPbkdf2(iterations: unknown, keylen: unknown, digest: unknown, limit: number): void {
  checkOutputBytes(keylen, limit, "keys");
  const size = digestSize(digest);
  if (typeof iterations !== "number" || typeof keylen !== "number" || size === undefined || size === 0) return;
  const rounds = iterations * Math.max(1, Math.ceil(keylen / size));
  if (rounds > MAX_PBKDF2_ROUNDS) {
    throw outOfRange(`isolambda runs pbkdf2 for at most ${MAX_PBKDF2_ROUNDS} rounds (iterations × output blocks; asked for ${rounds})`);
  }
}

interface ScryptParams {
  N?: number;
  cost?: number;
  r?: number;
  blockSize?: number;
  p?: number;
  parallelization?: number;
  maxmem?: number;
}

/**
 * scrypt's options with its memory held to the guest's (Node then refuses a larger N × r with its
 * own error), after refusing work past MAX_SCRYPT_COST.
 */
export function boundedScrypt<T extends ScryptParams>(options: T, keylen: unknown, limit: number): T {
  checkOutputBytes(keylen, limit, "keys");
  const n = options.N ?? options.cost ?? 16384;
  const r = options.r ?? options.blockSize ?? 8;
  const p = options.p ?? options.parallelization ?? 1;
  if ([n, r, p].every((value) => typeof value === "number") && n * r * p > MAX_SCRYPT_COST) {
    throw outOfRange(`isolambda runs scrypt with N × r × p of at most ${MAX_SCRYPT_COST} (asked for ${n * r * p})`);
  }
  const maxmem = options.maxmem ?? 32 * 1024 * 1024;
  return typeof maxmem === "number" ? { ...options, maxmem: Math.min(maxmem, limit) } : options;
}
