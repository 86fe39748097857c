/**
 * Finite-field Diffie-Hellman and primes for the guest's node:crypto (createDiffieHellman,
 * getDiffieHellman, generatePrime, checkPrime), run by the host's OpenSSL. Node's DiffieHellman hands
 * its private key out, so the guest holds the numbers and each call carries them: no state here.
 * Numbers cross as base64 in JSON, a few hundred bytes each.
 */
import {
  checkPrimeSync,
  createDiffieHellman,
  createDiffieHellmanGroup,
  type DiffieHellman,
  type DiffieHellmanGroup,
  generatePrimeSync,
} from "node:crypto";
import type { QuickJSContext } from "quickjs-emscripten-core";
import type { HostFunction, HostImplementation } from "../guest-host.js";
import { guardedFunction } from "./guest-values.js";
import {
  checkBits,
  checkTime,
  MAX_CHECKED_PRIME_BITS,
  MAX_DH_PRIME_BITS,
  MAX_PRIME_BITS,
  MAX_SAFE_PRIME_BITS,
  type WorkLimits,
} from "./work-bounds.js";

interface DhState {
  prime?: string;
  primeLength?: number;
  generator?: string | number;
  group?: string;
  privateKey?: string;
  publicKey?: string;
  other?: string;
}

const b64 = (value: string | undefined): Buffer => Buffer.from(value ?? "", "base64");

/** The host's DiffieHellman for the guest's prime and generator (a named group's numbers too). */
function diffieHellmanOf(state: DhState): DiffieHellman {
  const prime = b64(state.prime);
  checkBits(bitLength(prime), MAX_DH_PRIME_BITS, "computes Diffie-Hellman keys over primes");
  const generator = typeof state.generator === "number" ? state.generator : b64(state.generator);
  return createDiffieHellman(prime, generator);
}

/** "params": a named group, a prime of `primeLength` bits OpenSSL generates, or the guest's prime. */
function paramsOf(state: DhState): DiffieHellman | DiffieHellmanGroup {
  if (state.group !== undefined) return createDiffieHellmanGroup(state.group);
  if (state.primeLength === undefined) return diffieHellmanOf(state);
  checkBits(state.primeLength, MAX_SAFE_PRIME_BITS, "generates Diffie-Hellman primes");
  // Node takes a number or bytes as the generator here; its typings list the number only.
  const generator = (typeof state.generator === "number" ? state.generator : b64(state.generator)) as number;
  return createDiffieHellman(state.primeLength, generator);
}

export function dhFunctions(ctx: QuickJSContext, limits: WorkLimits) {
  const stateOf = (handle: Parameters<HostFunction>[0]): DhState => JSON.parse(ctx.getString(handle)) as DhState;
  const reply = (value: unknown) => ctx.newString(JSON.stringify(value));

  return {
    /**
     * (op, state JSON) → JSON. "params": a group's or a new prime's numbers and verifyError;
     * "generate": the key pair (from the private key if one is set); "compute": the shared secret.
     */
    dhCall: guardedFunction(ctx, (opHandle, stateHandle) => {
      checkTime(limits);
      const op = ctx.getString(opHandle);
      const state = stateOf(stateHandle);
      if (op === "params") {
        const dh = paramsOf(state);
        return reply({ prime: dh.getPrime("base64"), generator: dh.getGenerator("base64"), verifyError: dh.verifyError });
      }
      const dh = diffieHellmanOf(state);
      if (state.privateKey !== undefined) dh.setPrivateKey(b64(state.privateKey));
      if (op === "generate") {
        dh.generateKeys();
        return reply({ privateKey: dh.getPrivateKey("base64"), publicKey: dh.getPublicKey("base64") });
      }
      if (op === "compute") return reply({ secret: dh.computeSecret(b64(state.other)).toString("base64") });
      throw new TypeError(`Unknown Diffie-Hellman operation ${op}`);
    }),
    /** generatePrimeSync(size, {safe, add, rem}) → the prime's big-endian bytes (base64). */
    primeGenerate: guardedFunction(ctx, (sizeHandle, optionsHandle) => {
      checkTime(limits);
      const size = ctx.getNumber(sizeHandle);
      const options = JSON.parse(ctx.getString(optionsHandle)) as { safe?: boolean; add?: string; rem?: string };
      if (options.safe) checkBits(size, MAX_SAFE_PRIME_BITS, "generates safe primes");
      else checkBits(size, MAX_PRIME_BITS, "generates primes");
      const prime = generatePrimeSync(size, {
        safe: options.safe,
        ...(options.add === undefined ? {} : { add: b64(options.add) }),
        ...(options.rem === undefined ? {} : { rem: b64(options.rem) }),
      });
      return ctx.newString(Buffer.from(prime).toString("base64"));
    }),
    /** checkPrimeSync(candidate bytes as base64, checks) → boolean. */
    primeCheck: guardedFunction(ctx, (candidateHandle, checksHandle) => {
      checkTime(limits);
      const checks = ctx.getNumber(checksHandle);
      const candidate = b64(ctx.getString(candidateHandle));
      checkBits(bitLength(candidate), MAX_CHECKED_PRIME_BITS, "checks primes");
      return checkPrimeSync(candidate, { checks }) ? ctx.true : ctx.false;
    }),
  } satisfies Partial<HostImplementation>;
}

/** The bit length of a big-endian unsigned number. */
function bitLength(bytes: Uint8Array): number {
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first] as number));
}
