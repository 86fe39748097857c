// node:crypto and Web Crypto's SubtleCrypto (../crypto-subtle.js). Hashes, HMAC and key derivation
// run on the host's OpenSSL (../crypto-hash.js); ciphers are the crypto-aes bundle and keys and signatures the
// crypto-keys bundle, loaded on first use. Randomness comes from the host's CSPRNG through
// crypto.getRandomValues.

import type { HostCapabilities } from "../../shared/guest-protocol.js";
import type { Builtin, BuiltinModules } from "../builtin-modules.js";
import * as hashes from "../crypto-hash.js";
import { Buffer, bytesOf, checkSize, later, nodeError, onHost, received } from "../crypto-node-args.js";
import {
  CryptoKey,
  type GetRandomValues,
  type JsonWebKey,
  keyBytes,
  keyMaterial,
  SubtleCrypto,
  timingSafeEqualBytes,
} from "../crypto-subtle.js";
import { lazyClass } from "../lazy-class.js";
import { callHost } from "../native-error.js";
import type { WebCrypto } from "./web-globals.js";

/**
 * The environment's host functions (src/sandbox/executor/native/): native hashes, ciphers and keys run
 * there, over bytes. Set by whichever of createCrypto and createSubtle runs first.
 */
let host: HostCapabilities;
let loadBuiltin: Builtin;

/** Keys, signatures and key agreement: the crypto-keys bundle, loaded when first used. */
let keys: ReturnType<BuiltinModules["crypto-keys"]["createKeys"]> | undefined;
const keysModule = () =>
  (keys ??= loadBuiltin("crypto-keys").createKeys({
    host,
    KeyObject,
    keyObjectToken: secretKeys,
    CryptoKey,
    cryptoKeyToken: keyMaterial,
    keyMaterial: keyBytes,
    createSecretKey,
    randomBytes: (size: number) => (globalThis as unknown as { crypto: WebCrypto }).crypto.getRandomValues(new Uint8Array(size)),
    later,
  }));

/** Ciphers: the crypto-aes bundle, loaded when first used. */
const aes = () => {
  const bundle = loadBuiltin("crypto-aes");
  bundle.useHost(host);
  return bundle;
};

const { createHash, Hash, Hmac } = hashes;
/** Secret-key bytes from what Node accepts as a key: bytes, a string, a KeyObject or a CryptoKey. */
function secretOf(key: unknown, name = "key"): Uint8Array {
  if (key instanceof KeyObject) return secretKeys.get(key) as Uint8Array;
  if (key instanceof CryptoKey) return keyBytes(key);
  return bytesOf(key, undefined, name);
}

export function createHmac(algorithm: unknown, key: unknown): hashes.Hmac {
  // A string key first: two instanceof tests are ~0.2 µs of a small HMAC's 4 here.
  if (typeof key === "string") return new Hmac(algorithm, key);
  return new Hmac(algorithm, key instanceof KeyObject || key instanceof CryptoKey ? secretOf(key) : key);
}

// Secret KeyObjects: JWT libraries (jsonwebtoken, jose) wrap an HMAC secret in one.
const secretKeys = new WeakMap<KeyObject, Uint8Array>();

/** KeyObject.export's options: Node's format, type, cipher and passphrase. */
export interface KeyExportOptions {
  format?: string;
  type?: string;
  [option: string]: unknown;
}

class KeyObject {
  declare type: string;
  constructor(type: string, token: unknown) {
    if (token !== secretKeys) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "handle" argument must be of type object. Received ${received(token)}`);
    }
    this.type = type;
  }
  get symmetricKeySize(): number | undefined {
    return (secretKeys.get(this) as Uint8Array).length;
  }
  get asymmetricKeyType(): string | undefined {
    return undefined;
  }
  export(options: KeyExportOptions & { format: "pem" }): string;
  export(options: KeyExportOptions & { format: "jwk" }): JsonWebKey;
  export(options?: KeyExportOptions): string | Buffer | JsonWebKey;
  export(options: KeyExportOptions = {}): string | Buffer | JsonWebKey {
    const bytes = secretKeys.get(this) as Uint8Array;
    if (options.format === "jwk") return { kty: "oct", k: Buffer.from(bytes).toString("base64url") };
    return Buffer.from(bytes);
  }
  equals(other: unknown): boolean {
    return (
      other instanceof KeyObject &&
      other.type === "secret" &&
      timingSafeEqualBytes(secretKeys.get(this) as Uint8Array, secretKeys.get(other) as Uint8Array)
    );
  }
  static from(key: unknown): KeyObject {
    if (!(key instanceof CryptoKey))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "key" argument must be an instance of CryptoKey. Received ${received(key)}`);
    return key.type === "secret" ? createSecretKey(keyBytes(key)) : keysModule().subtle.keyObjectOf(key);
  }
}

/** Node's class of secret keys (createSecretKey's), as its public and private keys have their own. */
class SecretKeyObject extends KeyObject {}

function createSecretKey(key: unknown, encoding?: string): KeyObject {
  const secret = new SecretKeyObject("secret", secretKeys);
  secretKeys.set(secret, Uint8Array.from(typeof key === "string" ? Buffer.from(key, encoding) : secretOf(key)));
  return secret;
}

/** The SubtleCrypto behind globalThis.crypto.subtle; one per environment. */
let subtle: SubtleCrypto | undefined;
export function createSubtle(getRandomValues: GetRandomValues, load: Builtin, hostFunctions: HostCapabilities): SubtleCrypto {
  host ??= hostFunctions;
  hashes.useHost(hostFunctions);
  loadBuiltin ??= load;
  subtle ??= new SubtleCrypto(
    keyMaterial,
    getRandomValues,
    load,
    () => keysModule().subtle,
    () => host,
  );
  return subtle;
}

// ---------------------------------------------------------------------------------------------
// node:crypto

/** node:crypto's functions over keys, forwarded to the crypto-keys bundle. */
const KEY_FUNCTIONS = [
  "createSign",
  "createVerify",
  "sign",
  "verify",
  "generateKeyPair",
  "generateKeyPairSync",
  "generateKey",
  "generateKeySync",
  "createPublicKey",
  "createPrivateKey",
  "publicEncrypt",
  "privateDecrypt",
  "privateEncrypt",
  "publicDecrypt",
  "createECDH",
  "diffieHellman",
  "getCurves",
  "createDiffieHellman",
  "createDiffieHellmanGroup",
  "getDiffieHellman",
  "generatePrime",
  "generatePrimeSync",
  "checkPrime",
  "checkPrimeSync",
];

type CipherModule = BuiltinModules["crypto-aes"];
/** A bundle's exports looked up by a name from a list. */
type Functions = Record<string, (...args: unknown[]) => unknown>;
type Classes = Record<string, abstract new (...args: never[]) => unknown>;

/** What isolambda does not offer (and the classes below): present, so a handler learns why it cannot use them. */
const UNAVAILABLE = ["setEngine", "setFips"];
const unavailable = (name: string) =>
  nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", `crypto.${name} is not available in isolambda`);

/** node:crypto's exports, by name. */
export type NodeCrypto = Record<string, unknown>;

let nodeCrypto: NodeCrypto | undefined;
export function createCrypto(webcrypto: WebCrypto, load: Builtin, hostFunctions: HostCapabilities): NodeCrypto {
  host ??= hostFunctions;
  hashes.useHost(hostFunctions);
  loadBuiltin ??= load;
  if (nodeCrypto) return nodeCrypto;
  const getRandomValues: GetRandomValues = (array) => webcrypto.getRandomValues(array);
  // One crossing for any size (Web Crypto's getRandomValues keeps its 64 KiB quota): 1 MB in 16
  // quota-sized calls onto a zeroed Buffer cost 3.5× Node.
  const fill = (bytes: Uint8Array): Uint8Array => {
    if (bytes.length > 0) bytes.set(new Uint8Array(host.random(bytes.length)));
    return bytes;
  };
  const fresh = (size: number): Buffer => (size === 0 ? Buffer.alloc(0) : Buffer.from(host.random(size)));
  const randomBytes = (size: unknown, callback?: unknown): Buffer | undefined => {
    checkSize(size, "size");
    if (callback === undefined) return fresh(size);
    later(callback, () => fresh(size));
  };
  const viewBytes = (buf: unknown, offset: unknown, size: unknown): Uint8Array => {
    if (!ArrayBuffer.isView(buf) && !(buf instanceof ArrayBuffer)) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "buf" argument must be an instance of ArrayBuffer or ArrayBufferView. Received ${received(buf)}`,
      );
    }
    const all = bytesOf(buf, undefined, "buf");
    checkSize(offset, "offset", all.length);
    const length = size ?? all.length - offset;
    checkSize(length, "size", all.length - offset);
    return all.subarray(offset, offset + length);
  };
  const randomFillSync = (buf: unknown, offset: unknown = 0, size?: unknown): unknown => {
    fill(viewBytes(buf, offset, size));
    return buf;
  };
  const randomFill = (buf: unknown, offset: unknown, size?: unknown, callback?: unknown): void => {
    if (typeof offset === "function") [offset, callback] = [0, offset];
    else if (typeof size === "function") [size, callback] = [undefined, size];
    const view = viewBytes(buf, offset, size);
    later(callback, () => {
      fill(view);
      return buf;
    });
  };
  const randomInt = (min: unknown, max?: unknown, callback?: unknown): number | undefined => {
    if (max === undefined || typeof max === "function") [min, max, callback] = [0, min, max];
    if (!Number.isSafeInteger(min))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "min" argument must be a safe integer. Received ${received(min)}`);
    if (!Number.isSafeInteger(max))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "max" argument must be a safe integer. Received ${received(max)}`);
    if ((max as number) <= (min as number))
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "max" is out of range. It must be greater than the value of "min" (${min}). Received ${max}`,
      );
    const range = (max as number) - (min as number);
    if (range > 2 ** 48)
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "max - min" is out of range. It must be <= 281474976710655. Received ${range}`,
      );
    // Rejection sampling over 48 random bits keeps every value equally likely.
    const limit = 2 ** 48 - (2 ** 48 % range);
    const draw = () => {
      for (;;) {
        const b = fill(new Uint8Array(6));
        const x = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5];
        if (x < limit) return (min as number) + (x % range);
      }
    };
    if (callback === undefined) return draw();
    later(callback, draw);
  };
  const timingSafeEqual = (a: unknown, b: unknown): boolean => {
    for (const [name, value] of [
      ["buf1", a],
      ["buf2", b],
    ]) {
      if (typeof value === "string") {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`,
        );
      }
    }
    const x = bytesOf(a, undefined, "buf1");
    const y = bytesOf(b, undefined, "buf2");
    if (x.byteLength !== y.byteLength)
      throw nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
    return timingSafeEqualBytes(x, y);
  };
  const pbkdf2Sync = (password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown): Buffer =>
    Buffer.from(hashes.pbkdf2(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), iterations, keylen, digest));
  /** hkdf's arguments as they cross: a KeyObject's secret, the rest as kdfInput makes them. */
  const hkdfInputs = (ikm: unknown, salt: unknown, info: unknown): [unknown, unknown, unknown] => [
    ikm instanceof KeyObject ? hashes.arrayBufferOf(secretOf(ikm)) : hashes.kdfInput(ikm, "ikm"),
    hashes.kdfInput(salt, "salt"),
    hashes.kdfInput(info, "info"),
  ];
  const hkdfSync = (digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown): ArrayBuffer =>
    hashes.hkdf(digest, ...hkdfInputs(ikm, salt, info), keylen);
  const scryptSync = (password: unknown, salt: unknown, keylen: unknown, options: unknown): Buffer =>
    Buffer.from(hashes.scrypt(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), keylen, options));

  nodeCrypto = {
    createHash,
    createHmac,
    hash: (algorithm: unknown, data: unknown, outputEncoding: unknown = "hex") => createHash(algorithm).update(data).digest(outputEncoding),
    getHashes: hashes.hashNames,
    getCiphers: () => host.cipherNames().split(","),
    getCipherInfo: (nameOrNid: unknown, options: { keyLength?: number; ivLength?: number } | null = {}) => {
      if (typeof nameOrNid !== "string" && typeof nameOrNid !== "number") {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "nameOrNid" argument must be one of type string or number. Received ${received(nameOrNid)}`,
        );
      }
      const { keyLength, ivLength } = options ?? {};
      const info = callHost(host.cipherInfo, nameOrNid, JSON.stringify({ keyLength, ivLength }));
      return info === "" ? undefined : (JSON.parse(info) as Record<string, unknown>);
    },
    // Not built in FIPS mode, and no secure heap (Node's answers when neither is enabled).
    getFips: () => 0,
    secureHeapUsed: () => ({ total: 0, min: 0, used: 0, utilization: 0 }),
    createCipheriv: (...args: Parameters<CipherModule["createCipheriv"]>) => aes().createCipheriv(...args),
    createDecipheriv: (...args: Parameters<CipherModule["createDecipheriv"]>) => aes().createDecipheriv(...args),
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync,
    randomFill,
    randomInt,
    randomUUID: () => webcrypto.randomUUID(),
    getRandomValues: (array: ArrayBufferView) => getRandomValues(array),
    timingSafeEqual,
    pbkdf2Sync,
    pbkdf2: (password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown, callback: unknown) =>
      onHost(callback, () =>
        hashes.pbkdf2Later(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), iterations, keylen, digest),
      ),
    hkdfSync,
    hkdf: (digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown, callback: unknown) =>
      onHost(
        callback,
        () => hashes.hkdfLater(digest, ...hkdfInputs(ikm, salt, info), keylen),
        (bytes) => bytes,
      ),
    scryptSync,
    scrypt: (password: unknown, salt: unknown, keylen: unknown, options: unknown, callback?: unknown) => {
      if (typeof options === "function") [options, callback] = [undefined, options];
      onHost(callback, () => hashes.scryptLater(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), keylen, options));
    },
    webcrypto,
    get subtle() {
      return webcrypto.subtle;
    },
    Hash,
    Hmac,
    KeyObject,
    createSecretKey,
    // The RSA options key-taking functions read (jsonwebtoken's PS256 passes these).
    constants: {
      RSA_PKCS1_PADDING: 1,
      RSA_NO_PADDING: 3,
      RSA_PKCS1_OAEP_PADDING: 4,
      RSA_X931_PADDING: 5,
      RSA_PKCS1_PSS_PADDING: 6,
      RSA_PSS_SALTLEN_DIGEST: -1,
      RSA_PSS_SALTLEN_MAX_SIGN: -2,
      RSA_PSS_SALTLEN_AUTO: -2,
    },
  };
  for (const name of KEY_FUNCTIONS) nodeCrypto[name] = (...args: unknown[]) => (keysModule().node as unknown as Functions)[name](...args);
  // Stand-ins until first use: listing node:crypto's names (an ES module's import) loads no bundle.
  // All but X509Certificate (a class in Node too) construct when called without new, as Node's do.
  for (const name of ["Sign", "Verify", "ECDH", "DiffieHellman", "DiffieHellmanGroup", "X509Certificate"]) {
    nodeCrypto[name] = lazyClass(name, () => (keysModule().node as unknown as Classes)[name], { constructs: name !== "X509Certificate" });
  }
  for (const name of ["Cipheriv", "Decipheriv"] as const) nodeCrypto[name] = lazyClass(name, () => aes()[name], { constructs: true });
  for (const name of UNAVAILABLE) {
    nodeCrypto[name] = () => {
      throw unavailable(name);
    };
  }
  // Certificate (SPKAC) and the IV-less Cipher and Decipher (createCipher, gone from Node 22).
  for (const name of ["Certificate", "Cipher", "Decipher"]) {
    nodeCrypto[name] = {
      [name]: class {
        constructor() {
          throw unavailable(name);
        }
      },
    }[name];
  }
  for (const method of ["verifySpkac", "exportPublicKey", "exportChallenge"]) {
    (nodeCrypto.Certificate as Functions)[method] = () => {
      throw unavailable(`Certificate.${method}`);
    };
  }
  return nodeCrypto;
}

export type { KeyObject };
// Web Crypto's classes are also the globals SubtleCrypto and CryptoKey.
export { CryptoKey, SubtleCrypto };
