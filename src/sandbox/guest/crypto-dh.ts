// node:crypto's key agreement over raw numbers (ECDH, DiffieHellman, DiffieHellmanGroup) and its
// primes (generatePrime, checkPrime), run by the host's OpenSSL (src/sandbox/executor/native/keys.ts and
// dh.ts). Their API hands the private key out, so the guest holds the numbers and each call carries
// them. Part of the crypto-keys bundle.
import type { Bytes, HostCapabilities } from "../shared/guest-protocol.js";
import { Buffer, type Later } from "./crypto-key-args.js";
import type { BufferSource } from "./crypto-subtle.js";
import { callHost } from "./native-error.js";

const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });
/** How Node's ERR_INVALID_ARG_TYPE names the value it got (a string quoted, cut at 25 characters). */
const received = (value: unknown): string => {
  if (value == null) return String(value);
  if (typeof value === "object") return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`;
  if (typeof value === "function") return `function ${value.name}`;
  const shown = typeof value === "string" ? `'${value.length > 25 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  return `type ${typeof value} (${shown})`;
};
const isBytes = (value: unknown): value is BufferSource => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
/** Node's toBuf: a string in `encoding` (utf8 for none or "buffer"), or a copy of the bytes. */
const bufferOf = (value: string | BufferSource, encoding?: string): Buffer =>
  typeof value === "string"
    ? Buffer.from(value, encoding && encoding !== "buffer" ? encoding : "utf8")
    : value instanceof ArrayBuffer
      ? Buffer.from(value.slice(0))
      : Buffer.from(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer);
const arrayBufferOf = (value: string | BufferSource, encoding?: string): Bytes => {
  const bytes = bufferOf(value, encoding);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as Bytes;
};
const encoded = (buffer: Buffer, encoding?: string): string | Buffer =>
  encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const KEY_TYPES = "one of type number or string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView";

/** A DiffieHellman group's numbers as the host answers them (base64), and its check's result. */
interface DhNumbers {
  prime: string;
  generator: string;
  verifyError: number;
}
/** The parameters every DiffieHellman call carries: a prime and generator, or a prime's length, or a named group. */
interface DhParams {
  prime?: string;
  generator?: number | string;
  primeLength?: number;
  group?: string;
}
/** What a DiffieHellman step answers, base64 each. */
interface DhAnswer {
  privateKey: string;
  publicKey: string;
  secret: string;
}

export function createDh({ host, later }: { host: HostCapabilities; later: Later }) {
  /** node:crypto's ECDH; the host answers each step from the raw keys. */
  class ECDH {
    #curve: string;
    #privateKey: Buffer | undefined;
    #publicKey: Buffer | undefined;
    constructor(curve: unknown) {
      if (typeof curve !== "string") {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "curve" argument must be of type string. Received ${received(curve)}`);
      }
      callHost(host.keyEcdh, "check", curve);
      this.#curve = curve;
    }
    static convertKey(key: string | BufferSource, curve: string, inputEncoding?: string, outputEncoding?: string, format?: string) {
      const out = Buffer.from(
        callHost(host.keyEcdh, "convert", curve, undefined, arrayBufferOf(key, inputEncoding), format ?? "uncompressed") as Bytes,
      );
      return encoded(out, outputEncoding);
    }
    generateKeys(encoding?: string, format?: string): string | Buffer {
      const pair = JSON.parse(callHost(host.keyEcdh, "generate", this.#curve) as string) as DhAnswer;
      this.#privateKey = Buffer.from(pair.privateKey, "base64");
      this.#publicKey = Buffer.from(pair.publicKey, "base64");
      return this.getPublicKey(encoding, format);
    }
    computeSecret(otherPublicKey: string | BufferSource, inputEncoding?: string, outputEncoding?: string): string | Buffer {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve");
      const other = arrayBufferOf(otherPublicKey, inputEncoding);
      return encoded(
        Buffer.from(callHost(host.keyEcdh, "compute", this.#curve, arrayBufferOf(this.#privateKey), other) as Bytes),
        outputEncoding,
      );
    }
    getPrivateKey(encoding?: string): string | Buffer {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Failed to get ECDH private key");
      return encoded(Buffer.from(this.#privateKey), encoding);
    }
    getPublicKey(encoding?: string, format?: string): string | Buffer {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Failed to get ECDH public key");
      const out =
        format && format !== "uncompressed"
          ? Buffer.from(callHost(host.keyEcdh, "public", this.#curve, arrayBufferOf(this.#privateKey), undefined, format) as Bytes)
          : Buffer.from(this.#publicKey as Buffer);
      return encoded(out, encoding);
    }
    setPrivateKey(privateKey: string | BufferSource, encoding?: string): this {
      const key = bufferOf(privateKey, encoding);
      this.#publicKey = Buffer.from(callHost(host.keyEcdh, "public", this.#curve, arrayBufferOf(key)) as Bytes);
      this.#privateKey = key;
      return this;
    }
  }

  const dhCall = <T>(op: string, state: object) => JSON.parse(callHost(host.dhCall, op, JSON.stringify(state))) as T;
  const noKey = (which: string) => nodeError(Error, "ERR_CRYPTO_INVALID_STATE", `No ${which} key - did you forget to generate one?`);

  /** What a DiffieHellman and a DiffieHellmanGroup share: the parameters, the key pair and the secret. */
  class DiffieHellmanBase {
    #params: DhParams;
    #numbers: DhNumbers;
    #privateKey: string | undefined;
    #publicKey: string | undefined;
    constructor(params: DhParams, numbers: DhNumbers) {
      this.#params = params;
      this.#numbers = numbers;
    }
    get verifyError(): number {
      return this.#numbers.verifyError;
    }
    generateKeys(encoding?: string): string | Buffer {
      const pair = dhCall<DhAnswer>("generate", { ...this.#params, privateKey: this.#privateKey });
      this.#privateKey = pair.privateKey;
      this.#publicKey = pair.publicKey;
      return this.getPublicKey(encoding);
    }
    computeSecret(otherPublicKey: string | BufferSource, inputEncoding?: string, outputEncoding?: string): string | Buffer {
      const other = base64(bufferOf(otherPublicKey, inputEncoding));
      const { secret } = dhCall<DhAnswer>("compute", { ...this.#params, privateKey: this.#privateKey, other });
      return encoded(Buffer.from(secret, "base64"), outputEncoding);
    }
    getPrime(encoding?: string): string | Buffer {
      return encoded(Buffer.from(this.#numbers.prime, "base64"), encoding);
    }
    getGenerator(encoding?: string): string | Buffer {
      return encoded(Buffer.from(this.#numbers.generator, "base64"), encoding);
    }
    getPublicKey(encoding?: string): string | Buffer {
      if (this.#publicKey === undefined) throw noKey("public");
      return encoded(Buffer.from(this.#publicKey, "base64"), encoding);
    }
    getPrivateKey(encoding?: string): string | Buffer {
      if (this.#privateKey === undefined) throw noKey("private");
      return encoded(Buffer.from(this.#privateKey, "base64"), encoding);
    }
    /** For DiffieHellman's setters only. */
    static setKey<D extends DiffieHellmanBase>(dh: D, which: string, key: string | BufferSource, encoding?: string): D {
      const value = base64(bufferOf(key, encoding));
      if (which === "private") dh.#privateKey = value;
      else dh.#publicKey = value;
      return dh;
    }
  }

  class DiffieHellman extends DiffieHellmanBase {
    constructor(sizeOrKey: unknown, keyEncoding?: unknown, generator?: unknown, genEncoding?: unknown) {
      if (typeof sizeOrKey !== "number" && typeof sizeOrKey !== "string" && !isBytes(sizeOrKey)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "sizeOrKey" argument must be ${KEY_TYPES}. Received ${received(sizeOrKey)}`,
        );
      }
      // Node's overload: a second argument that is no encoding is the generator.
      if (keyEncoding && !Buffer.isEncoding(keyEncoding as string) && keyEncoding !== "buffer") {
        [genEncoding, generator, keyEncoding] = [generator, keyEncoding, undefined];
      }
      let gen: number | string = 2;
      if (typeof generator === "number") gen = generator;
      else if (typeof generator === "string" || isBytes(generator)) gen = base64(bufferOf(generator, genEncoding as string | undefined));
      else if (generator) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "generator" argument must be ${KEY_TYPES}. Received ${received(generator)}`,
        );
      }
      const given =
        typeof sizeOrKey === "number"
          ? { primeLength: sizeOrKey, generator: gen }
          : { prime: base64(bufferOf(sizeOrKey as string | BufferSource, keyEncoding as string | undefined)), generator: gen };
      const numbers = dhCall<DhNumbers>("params", given);
      // A generated prime is kept, so the keys that follow use the same group.
      super({ prime: numbers.prime, generator: numbers.generator }, numbers);
    }
    setPublicKey(key: string | BufferSource, encoding?: string): this {
      return DiffieHellmanBase.setKey(this, "public", key, encoding);
    }
    setPrivateKey(key: string | BufferSource, encoding?: string): this {
      return DiffieHellmanBase.setKey(this, "private", key, encoding);
    }
  }

  class DiffieHellmanGroup extends DiffieHellmanBase {
    constructor(name: unknown) {
      if (typeof name !== "string") {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "name" argument must be of type string. Received ${received(name)}`);
      }
      const numbers = dhCall<DhNumbers>("params", { group: name });
      super({ prime: numbers.prime, generator: numbers.generator }, numbers);
    }
  }

  function checkSize(size: unknown): asserts size is number {
    if (typeof size !== "number") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "size" argument must be of type number. Received ${received(size)}`);
    }
    if (!Number.isInteger(size) || size < 1 || size > 2 ** 31 - 1) {
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "size" is out of range. It must be >= 1 && <= 2147483647. Received ${size}`,
      );
    }
  }
  /** A bigint or bytes as the big-endian bytes OpenSSL reads, in base64. */
  const bigBytes = (value: unknown, name: string): string => {
    if (typeof value === "bigint") {
      const hex = value.toString(16);
      return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64");
    }
    if (isBytes(value)) return base64(bufferOf(value));
    throw nodeError(
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      `The "${name}" argument must be of type bigint or an instance of ArrayBuffer, TypedArray, Buffer, or DataView. Received ${received(value)}`,
    );
  };

  /** generatePrime's options: a safe prime, a congruence (add, rem), and a bigint answer. */
  type PrimeOptions = { safe?: unknown; add?: unknown; rem?: unknown; bigint?: unknown } | null;
  function generatePrimeSync(size: unknown, options: PrimeOptions = {}): bigint | ArrayBuffer {
    checkSize(size);
    const { safe = false, add, rem, bigint = false } = options ?? {};
    const spec: { safe: boolean; add?: string; rem?: string } = { safe: Boolean(safe) };
    if (add !== undefined) spec.add = bigBytes(add, "options.add");
    if (rem !== undefined) spec.rem = bigBytes(rem, "options.rem");
    const prime = Buffer.from(callHost(host.primeGenerate, size, JSON.stringify(spec)), "base64");
    if (bigint) return BigInt(`0x${prime.toString("hex")}`);
    return prime.buffer.slice(prime.byteOffset, prime.byteOffset + prime.byteLength) as ArrayBuffer;
  }
  function checkPrimeSync(candidate: unknown, options: { checks?: number } | null = {}): boolean {
    const checks = options?.checks ?? 0;
    return callHost(host.primeCheck, bigBytes(candidate, "candidate"), checks);
  }
  /** The callback form: Node checks the first argument at once and answers after the current task. */
  const withCallback =
    <O>(check: (first: unknown) => void, sync: (first: unknown, options: O) => unknown) =>
    (first: unknown, options: O | ((...args: unknown[]) => void), callback?: unknown) => {
      if (typeof options === "function") [options, callback] = [{} as O, options];
      check(first);
      later(callback, () => sync(first, options as O));
    };

  return {
    ECDH,
    createECDH: (curve: unknown) => new ECDH(curve),
    DiffieHellman,
    DiffieHellmanGroup,
    createDiffieHellman: (...args: ConstructorParameters<typeof DiffieHellman>) => new DiffieHellman(...args),
    getDiffieHellman: (name: unknown) => new DiffieHellmanGroup(name),
    createDiffieHellmanGroup: (name: unknown) => new DiffieHellmanGroup(name),
    generatePrimeSync,
    generatePrime: withCallback(checkSize, generatePrimeSync),
    checkPrimeSync,
    checkPrime: withCallback((candidate) => bigBytes(candidate, "candidate"), checkPrimeSync),
  };
}
