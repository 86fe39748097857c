// Web Crypto's asymmetric algorithms (RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP, ECDSA, ECDH, Ed25519,
// X25519) over the host functions node:crypto's keys use (src/sandbox/executor/native/keys.ts). Part of the
// crypto-keys bundle.
import type { Bytes, Data, HostCapabilities } from "../shared/guest-protocol.js";
import type { KeyObject } from "./builtins/crypto.js";
import { Buffer, type KeyInfo } from "./crypto-key-args.js";
import type { Algorithm, AlgorithmIdentifier, BufferSource, CryptoKey, JsonWebKey, KeyAlgorithm } from "./crypto-subtle.js";

// Web Crypto rejects with DOMExceptions, as Node's does.
const domError = (name: string, message: string) => new DOMException(message, name);
/** Node's RSA constants (crypto.constants) that key options use. */
const RSA_PKCS1_OAEP_PADDING = 4;
const RSA_PKCS1_PSS_PADDING = 6;

const CANONICAL: Record<string, string> = {
  "RSASSA-PKCS1-V1_5": "RSASSA-PKCS1-v1_5",
  "RSA-PSS": "RSA-PSS",
  "RSA-OAEP": "RSA-OAEP",
  ECDSA: "ECDSA",
  ECDH: "ECDH",
  ED25519: "Ed25519",
  X25519: "X25519",
};

type Usages = Record<string, string[]> & { public: string[]; private: string[] };
const SIGN_USAGES = { public: ["verify"], private: ["sign"] };
const USAGES: Record<string, Usages> = {
  "RSASSA-PKCS1-v1_5": SIGN_USAGES,
  "RSA-PSS": SIGN_USAGES,
  "RSA-OAEP": { public: ["encrypt", "wrapKey"], private: ["decrypt", "unwrapKey"] },
  ECDSA: SIGN_USAGES,
  Ed25519: SIGN_USAGES,
  ECDH: { public: [], private: ["deriveKey", "deriveBits"] },
  X25519: { public: [], private: ["deriveKey", "deriveBits"] },
};
/** The key type OpenSSL reports for each algorithm's keys. */
const KEY_TYPES: Record<string, (string | undefined)[]> = {
  "RSASSA-PKCS1-v1_5": ["rsa"],
  "RSA-PSS": ["rsa", "rsa-pss"],
  "RSA-OAEP": ["rsa"],
  ECDSA: ["ec"],
  ECDH: ["ec"],
  Ed25519: ["ed25519"],
  X25519: ["x25519"],
};
const CURVES: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
const NIST: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
const HASH_NAMES: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
/** SPKI's fixed prefix before a raw public key, and the raw key's length, per curve. */
const RAW_PUBLIC: Record<string, { prefix: string; length: number }> = {
  "P-256": { prefix: "3059301306072a8648ce3d020106082a8648ce3d030107034200", length: 65 },
  "P-384": { prefix: "3076301006072a8648ce3d020106052b81040022036200", length: 97 },
  "P-521": { prefix: "30819b301006072a8648ce3d020106052b8104002303818600", length: 133 },
  Ed25519: { prefix: "302a300506032b6570032100", length: 32 },
  X25519: { prefix: "302a300506032b656e032100", length: 32 },
};
const JWK_ALG: Record<string, (hash: string) => string> = {
  "RSASSA-PKCS1-v1_5": (hash) => `RS${hash.slice(4)}`,
  "RSA-PSS": (hash) => `PS${hash.slice(4)}`,
  "RSA-OAEP": (hash) => (hash === "SHA-1" ? "RSA-OAEP" : `RSA-OAEP-${hash.slice(4)}`),
};

/** An asymmetric KeyObject (builtins/crypto-keys.ts), as Web Crypto reads one. */
export interface AsymmetricKey extends KeyObject {
  readonly asymmetricKeyDetails: { modulusLength?: number; publicExponent?: bigint; namedCurve?: string };
}

/** What the crypto-keys bundle lends Web Crypto: its host calls, key table and KeyObject makers. */
export interface SubtleKeysDeps {
  host: HostCapabilities;
  call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R;
  arrayBufferOf(data: string | BufferSource, encoding?: string): Bytes;
  CryptoKey: typeof CryptoKey;
  cryptoKeyToken: unknown;
  ids: WeakMap<object, number>;
  created(kind: string, input: Data | undefined, spec: object): AsymmetricKey;
  keyObjectOf(info: KeyInfo): AsymmetricKey;
  fromCryptoKey(key: CryptoKey): KeyObject;
}

/** The crypto-keys bundle's half of SubtleCrypto (crypto-subtle.ts). */
export type SubtleKeys = ReturnType<typeof createSubtleKeys>;

export function createSubtleKeys({
  host,
  call,
  arrayBufferOf,
  CryptoKey,
  cryptoKeyToken,
  ids,
  created,
  keyObjectOf,
  fromCryptoKey,
}: SubtleKeysDeps) {
  const nameOf = (algorithm: AlgorithmIdentifier | undefined): string => {
    const name: unknown = typeof algorithm === "string" ? algorithm : algorithm?.name;
    if (typeof name !== "string") throw new TypeError("Algorithm: name is missing");
    const canonical = CANONICAL[name.toUpperCase()] as string;
    if (!canonical) throw domError("NotSupportedError", "Unrecognized algorithm name");
    return canonical;
  };
  const hashOf = (hash: AlgorithmIdentifier | undefined): string => {
    const name: unknown = typeof hash === "string" ? hash : hash?.name;
    const upper = typeof name === "string" ? name.toUpperCase() : undefined;
    if (!upper || !HASH_NAMES[upper]) throw domError("NotSupportedError", "Unrecognized algorithm name");
    return upper;
  };
  const bufferSource = (data: unknown, name = "data"): Bytes => {
    if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return arrayBufferOf(data);
    throw new TypeError(`Failed to execute: parameter ${name} is not of type 'BufferSource'`);
  };
  const invalidAccess = () => domError("InvalidAccessError", "The requested operation is not valid for the provided key");
  const material = (key: unknown): AsymmetricKey => {
    if (!(key instanceof CryptoKey)) throw new TypeError("The key argument must be a CryptoKey");
    return fromCryptoKey(key) as AsymmetricKey;
  };
  const idOf = (key: CryptoKey) => ids.get(material(key)) as number;

  /** The CryptoKey for `keyObject` under `algorithm`, checked as Web Crypto checks an import. */
  function cryptoKey(keyObject: AsymmetricKey, name: string, algorithm: Algorithm, extractable: unknown, usages: string[]): CryptoKey {
    if (!(KEY_TYPES[name] as (string | undefined)[]).includes(keyObject.asymmetricKeyType)) throw domError("DataError", "Invalid key type");
    const allowed = (USAGES[name] as Usages)[keyObject.type] as string[];
    for (const usage of usages) {
      if (!allowed.includes(usage)) throw domError("SyntaxError", `Unsupported key usage for a ${name} key`);
    }
    if (keyObject.type === "private" && usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
    const details = keyObject.asymmetricKeyDetails;
    let shape: KeyAlgorithm = { name };
    if (name.startsWith("RSA")) {
      const exponent = BigInt(details.publicExponent as bigint);
      const bytes: number[] = [];
      for (let e = exponent; e > 0n; e >>= 8n) bytes.unshift(Number(e & 0xffn));
      shape = { name, modulusLength: details.modulusLength, publicExponent: new Uint8Array(bytes), hash: { name: hashOf(algorithm.hash) } };
    } else if (name === "ECDSA" || name === "ECDH") {
      const namedCurve = NIST[details.namedCurve as string];
      if (!namedCurve) throw domError("NotSupportedError", "Unsupported named curve");
      if (algorithm.namedCurve !== namedCurve) throw domError("DataError", "Named curve mismatch");
      shape = { name, namedCurve };
    }
    // A public key is always extractable (Web Crypto, 14.3.12).
    return new CryptoKey(
      cryptoKeyToken,
      keyObject.type,
      keyObject.type === "public" ? true : Boolean(extractable),
      shape,
      [...usages],
      keyObject,
    );
  }

  const asDataError = <T>(make: () => T): T => {
    try {
      return make();
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code) throw domError("DataError", "Invalid keyData");
      throw error;
    }
  };

  /** `keyData`: a JWK's members, or for the other formats a BufferSource (bufferSource checks it). */
  function importKey(format: string, keyData: JsonWebKey | null, algorithm: Algorithm, extractable: boolean, usages: string[]): CryptoKey {
    const name = nameOf(algorithm);
    const make = (keyObject: AsymmetricKey) => cryptoKey(keyObject, name, algorithm, extractable, [...usages]);
    if (format === "spki")
      return make(asDataError(() => created("public", bufferSource(keyData, "keyData"), { format: "der", type: "spki" })));
    if (format === "pkcs8")
      return make(asDataError(() => created("private", bufferSource(keyData, "keyData"), { format: "der", type: "pkcs8" })));
    if (format === "jwk") {
      if (keyData === null || typeof keyData !== "object") throw new TypeError("keyData must be a JsonWebKey");
      if (keyData.ext === false && extractable) throw domError("DataError", 'JWK "ext" Parameter and extractable mismatch');
      if (Array.isArray(keyData.key_ops) && usages.some((usage) => !(keyData.key_ops as unknown[]).includes(usage))) {
        throw domError("DataError", "Key operations and usage mismatch");
      }
      const expectedKty = name.startsWith("RSA") ? "RSA" : name === "ECDSA" || name === "ECDH" ? "EC" : "OKP";
      if (keyData.kty !== expectedKty) throw domError("DataError", 'Invalid JWK "kty" Parameter');
      if (
        JWK_ALG[name] &&
        keyData.alg !== undefined &&
        keyData.alg !== (JWK_ALG[name] as (hash: string) => string)(hashOf(algorithm.hash))
      ) {
        throw domError("DataError", 'JWK "alg" does not match the requested algorithm');
      }
      if (expectedKty === "EC" && keyData.crv !== algorithm.namedCurve)
        throw domError("DataError", 'JWK "crv" does not match the requested algorithm');
      if (expectedKty === "OKP" && keyData.crv !== name) throw domError("DataError", 'JWK "crv" Parameter and algorithm name mismatch');
      const { kty, crv, n, e, d, p, q, dp, dq, qi, x, y } = keyData;
      const jwk = Object.fromEntries(Object.entries({ kty, crv, n, e, d, p, q, dp, dq, qi, x, y }).filter(([, v]) => v !== undefined));
      return make(asDataError(() => created(d === undefined ? "public" : "private", undefined, { format: "jwk", jwk })));
    }
    if (format === "raw") {
      const curve = name === "ECDSA" || name === "ECDH" ? algorithm.namedCurve : name;
      const raw = RAW_PUBLIC[curve as string];
      if (!raw) throw domError("NotSupportedError", `Unable to import ${name} key with format raw`);
      let point = new Uint8Array(bufferSource(keyData, "keyData"));
      if ((curve as string).startsWith("P-") && point[0] !== 4 && point.length !== raw.length) {
        point = new Uint8Array(
          asDataError(
            () =>
              call(host.keyEcdh, "convert", CURVES[curve as string] as string, undefined, point.buffer as Bytes, "uncompressed") as Bytes,
          ),
        );
      }
      if (point.length !== raw.length) throw domError("DataError", "Invalid keyData");
      const der = new Uint8Array(Buffer.concat([Buffer.from(raw.prefix, "hex"), point]));
      return make(asDataError(() => created("public", der.buffer as Bytes, { format: "der", type: "spki" })));
    }
    throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
  }

  function exportKey(format: string, key: CryptoKey): Bytes | JsonWebKey {
    const keyObject = material(key);
    const name = key.algorithm.name;
    if (format === "spki" || format === "pkcs8") {
      if (key.type !== (format === "spki" ? "public" : "private"))
        throw domError("InvalidAccessError", `Unable to export a ${key.type} key as ${format}`);
      return arrayBufferOf(keyObject.export({ format: "der", type: format }) as Buffer);
    }
    if (format === "jwk") {
      const jwk = keyObject.export({ format: "jwk" }) as JsonWebKey;
      if (JWK_ALG[name]) jwk.alg = JWK_ALG[name]((key.algorithm.hash as { name: string }).name);
      return { ...jwk, key_ops: [...key.usages], ext: true };
    }
    if (format === "raw") {
      const raw = RAW_PUBLIC[key.algorithm.namedCurve ?? name];
      if (!raw || key.type !== "public") throw domError("InvalidAccessError", `Unable to export a ${name} ${key.type} key as raw`);
      const der = keyObject.export({ format: "der", type: "spki" }) as Buffer;
      return arrayBufferOf(der.subarray(der.length - raw.length));
    }
    throw domError("NotSupportedError", `Unable to export a key with format ${format}`);
  }

  function generateKey(algorithm: Algorithm, extractable: boolean, usages: string[]): { publicKey: CryptoKey; privateKey: CryptoKey } {
    const name = nameOf(algorithm);
    let type = name.toLowerCase();
    let options: object = {};
    if (name.startsWith("RSA")) {
      hashOf(algorithm.hash);
      const exponent = algorithm.publicExponent;
      if (!(exponent instanceof Uint8Array)) throw new TypeError("algorithm.publicExponent must be a Uint8Array");
      type = "rsa";
      options = { modulusLength: algorithm.modulusLength, publicExponent: exponent.reduce((n, byte) => n * 256 + byte, 0) };
    } else if (name === "ECDSA" || name === "ECDH") {
      if (!CURVES[algorithm.namedCurve as string]) throw domError("NotSupportedError", "Unsupported named curve");
      type = "ec";
      options = { namedCurve: algorithm.namedCurve };
    }
    const allowed = USAGES[name] as Usages;
    const privateUsages = usages.filter((usage) => allowed.private.includes(usage));
    const publicUsages = usages.filter((usage) => allowed.public.includes(usage));
    if (usages.some((usage) => !privateUsages.includes(usage) && !publicUsages.includes(usage))) {
      throw domError("SyntaxError", `Unsupported key usage for a ${name} key`);
    }
    if (privateUsages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
    const pair = JSON.parse(call(host.keyGenerate, type, JSON.stringify(options))) as { publicKey: KeyInfo; privateKey: KeyInfo };
    return {
      publicKey: cryptoKey(keyObjectOf(pair.publicKey), name, algorithm, true, publicUsages),
      privateKey: cryptoKey(keyObjectOf(pair.privateKey), name, algorithm, extractable, privateUsages),
    };
  }

  /** The host's sign/verify arguments for a Web Crypto signature algorithm. */
  function signature(algorithm: Algorithm, key: CryptoKey, usage: string): { digest: string; options: object } {
    const name = nameOf(algorithm);
    if (key.algorithm.name !== name || !key.usages.includes(usage)) throw invalidAccess();
    if (name === "Ed25519") return { digest: "", options: {} };
    if (name === "ECDSA") return { digest: HASH_NAMES[hashOf(algorithm.hash)] as string, options: { dsaEncoding: "ieee-p1363" } };
    const digest = HASH_NAMES[(key.algorithm.hash as { name: string }).name] as string;
    if (name === "RSA-PSS") {
      const saltLength = algorithm.saltLength;
      if (!Number.isInteger(saltLength) || (saltLength as number) < 0)
        throw new TypeError("algorithm.saltLength must be a non-negative integer");
      return { digest, options: { padding: RSA_PKCS1_PSS_PADDING, saltLength } };
    }
    if (name !== "RSASSA-PKCS1-v1_5") throw invalidAccess();
    return { digest, options: {} };
  }

  const operationError = <T>(make: () => T): T => {
    try {
      return make();
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code)
        throw domError("OperationError", "The operation failed for an operation-specific reason");
      throw error;
    }
  };

  return {
    importKey,
    exportKey,
    generateKey,
    sign(algorithm: Algorithm, key: CryptoKey, data: unknown): Bytes {
      const { digest, options } = signature(algorithm, key, "sign");
      return operationError(() => call(host.keySign, digest, bufferSource(data), idOf(key), JSON.stringify(options)));
    },
    verify(algorithm: Algorithm, key: CryptoKey, sig: unknown, data: unknown): boolean {
      const { digest, options } = signature(algorithm, key, "verify");
      try {
        return call(host.keyVerify, digest, bufferSource(data), idOf(key), bufferSource(sig, "signature"), JSON.stringify(options));
      } catch (error) {
        // A signature of the wrong length for the curve is simply not valid.
        if ((error as { code?: unknown } | undefined)?.code) return false;
        throw error;
      }
    },
    /** RSA-OAEP encrypt or decrypt under `usage`: encrypt/decrypt, or wrapKey/unwrapKey. */
    crypt(encrypt: boolean, algorithm: Algorithm, key: CryptoKey, data: unknown, usage = encrypt ? "encrypt" : "decrypt"): Bytes {
      if (key.algorithm.name !== "RSA-OAEP" || !key.usages.includes(usage)) throw invalidAccess();
      const spec: { padding: number; oaepHash: string | undefined; oaepLabel?: string } = {
        padding: RSA_PKCS1_OAEP_PADDING,
        oaepHash: HASH_NAMES[(key.algorithm.hash as { name: string }).name],
      };
      if (algorithm.label !== undefined) spec.oaepLabel = Buffer.from(bufferSource(algorithm.label, "label")).toString("base64");
      return operationError(() =>
        call(host.keyCrypt, encrypt ? "publicEncrypt" : "privateDecrypt", idOf(key), bufferSource(data), JSON.stringify(spec)),
      );
    },
    deriveBits(algorithm: Algorithm, baseKey: CryptoKey, length: number | null | undefined): ArrayBuffer {
      const name = nameOf(algorithm);
      const publicKey = algorithm.public;
      if (!(publicKey instanceof CryptoKey) || publicKey.type !== "public" || publicKey.algorithm.name !== name) throw invalidAccess();
      if (baseKey.algorithm.name !== name || baseKey.type !== "private") throw invalidAccess();
      if (!baseKey.usages.includes("deriveBits") && !baseKey.usages.includes("deriveKey")) throw invalidAccess();
      if (name === "ECDH" && publicKey.algorithm.namedCurve !== baseKey.algorithm.namedCurve) throw invalidAccess();
      const secret = new Uint8Array(operationError(() => call(host.keyDiffieHellman, idOf(baseKey), idOf(publicKey))));
      if (length === null || length === undefined) return secret.buffer as ArrayBuffer;
      if (length > secret.length * 8) throw domError("OperationError", "derived bit length is too small");
      const out = secret.slice(0, Math.ceil(length / 8));
      if (length % 8) (out[out.length - 1] as number) &= 0xff << (8 - (length % 8));
      return out.buffer as ArrayBuffer;
    },
    /** KeyObject.from for an asymmetric CryptoKey. */
    keyObjectOf: (key: CryptoKey): AsymmetricKey => material(key),
  };
}
