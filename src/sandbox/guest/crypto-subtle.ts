// Web Crypto's SubtleCrypto for the secret-key algorithms (digest, HMAC, AES-GCM/CBC/CTR/KW, PBKDF2,
// HKDF) and the operations built from others (deriveKey, wrapKey, unwrapKey). Hashes run on the
// host's OpenSSL through ../crypto-hash.js, AES through the crypto-aes bundle; asymmetric algorithms
// go to the crypto-keys bundle. Part of the crypto bundle.

import type { Bytes, HostCapabilities } from "../shared/guest-protocol.js";
import type { Builtin } from "./builtin-modules.js";
import * as hashes from "./crypto-hash.js";
import { Buffer } from "./crypto-node-args.js";
import type { SubtleKeys } from "./crypto-subtle-keys.js";

/** Web Crypto's BufferSource. */
export type BufferSource = ArrayBufferView | ArrayBuffer;
/**
 * A Web Crypto algorithm argument: its name, or the dictionary of its parameters as the caller gave
 * it (each member is checked where it is read).
 */
export type AlgorithmIdentifier = string | Algorithm;
export interface Algorithm {
  name?: string;
  hash?: AlgorithmIdentifier;
  length?: number;
  iv?: BufferSource;
  counter?: BufferSource;
  additionalData?: BufferSource;
  tagLength?: number;
  salt?: BufferSource;
  info?: BufferSource;
  iterations?: number;
  namedCurve?: string;
  modulusLength?: number;
  publicExponent?: Uint8Array;
  saltLength?: number;
  label?: BufferSource;
  public?: CryptoKey;
}
/** A CryptoKey's algorithm, as Web Crypto reports it. */
export interface KeyAlgorithm {
  name: string;
  length?: number;
  hash?: { name: string };
  namedCurve?: string;
  modulusLength?: number;
  publicExponent?: Uint8Array;
}
/** A JSON Web Key, as given to importKey or made by exportKey. */
export type JsonWebKey = Record<string, unknown> & { kty?: unknown; k?: unknown; alg?: unknown; ext?: unknown; key_ops?: unknown };
/** A secret key's bytes; an asymmetric key's KeyObject (crypto-keys.ts). */
export type KeyMaterial = Uint8Array | object;

/** Web Crypto's hashes: OpenSSL's name and the block size (an HMAC key's default length). */
const WEB_HASHES: Record<string, { algorithm: string; blockLen: number }> = {
  "SHA-1": { algorithm: "sha1", blockLen: 64 },
  "SHA-256": { algorithm: "sha256", blockLen: 64 },
  "SHA-384": { algorithm: "sha384", blockLen: 128 },
  "SHA-512": { algorithm: "sha512", blockLen: 128 },
};
const ASYMMETRIC = ["RSASSA-PKCS1-V1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "ED25519", "X25519"];
const AES = ["AES-GCM", "AES-CBC", "AES-CTR", "AES-KW"];
const HMAC_USAGES = ["sign", "verify"];
const DERIVE_USAGES = ["deriveBits", "deriveKey"];
const AES_USAGES = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
const KW_USAGES = ["wrapKey", "unwrapKey"];

export const keyMaterial = new WeakMap<CryptoKey, KeyMaterial>();

// Web Crypto rejects with DOMExceptions, as Node's does.
const domError = (name: string, message: string) => new DOMException(message, name);
/** What `new CryptoKey()` and `new SubtleCrypto()` throw in code: only this runtime makes them. */
const illegalConstructor = () => Object.assign(new TypeError("Illegal constructor"), { code: "ERR_ILLEGAL_CONSTRUCTOR" });
const invalidAccess = () => domError("InvalidAccessError", "The requested operation is not valid for the provided key");

/** Node's CryptoKey: its fields are prototype getters, so a key owns no property. */
export class CryptoKey {
  readonly #type: string;
  readonly #extractable: boolean;
  readonly #algorithm: KeyAlgorithm;
  readonly #usages: string[];
  constructor(token: unknown, type: string, extractable: boolean, algorithm: KeyAlgorithm, usages: string[], material: KeyMaterial) {
    if (token !== keyMaterial) throw illegalConstructor();
    this.#type = type;
    this.#extractable = extractable;
    this.#algorithm = algorithm;
    this.#usages = usages;
    keyMaterial.set(this, material);
  }
  get type(): string {
    return this.#type;
  }
  get extractable(): boolean {
    return this.#extractable;
  }
  get algorithm(): KeyAlgorithm {
    return this.#algorithm;
  }
  get usages(): string[] {
    return this.#usages;
  }
  get [Symbol.toStringTag]() {
    return "CryptoKey";
  }
}

/** A secret key's bytes (what an asymmetric key holds is crypto-keys.ts's). */
export function keyBytes(key: CryptoKey): Uint8Array {
  const material = keyMaterial.get(key);
  if (!material) throw new TypeError("Not a CryptoKey");
  return material as Uint8Array;
}

const algorithmName = (algorithm: AlgorithmIdentifier | undefined): string => {
  const name: unknown = typeof algorithm === "string" ? algorithm : algorithm?.name;
  if (typeof name !== "string") throw new TypeError("Algorithm: name is missing");
  return name.toUpperCase();
};

function webHash(hash: AlgorithmIdentifier | undefined) {
  const name = algorithmName(hash);
  if (!Object.hasOwn(WEB_HASHES, name)) throw domError("NotSupportedError", "Unrecognized algorithm name");
  return { name, ...(WEB_HASHES[name] as { algorithm: string; blockLen: number }) };
}

const bufferSource = (data: unknown, name = "data"): Uint8Array => {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  throw new TypeError(`Failed to execute: parameter ${name} is not of type 'BufferSource'`);
};
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

function checkUsages(usages: readonly string[], allowed: readonly string[], kind: string): void {
  for (const usage of usages) {
    if (!allowed.includes(usage)) throw domError("SyntaxError", `Unsupported key usage for ${kind}`);
  }
  if (usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
}

function hmacKey(algorithm: Algorithm, material: Uint8Array, extractable: boolean, usages: string[]): CryptoKey {
  checkUsages(usages, HMAC_USAGES, "an HMAC key");
  const hash = webHash(algorithm.hash);
  const length = algorithm.length ?? material.length * 8;
  if (length === 0 || length > material.length * 8) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name: "HMAC", length, hash: { name: hash.name } }, usages, material);
}

function aesKey(name: string, material: Uint8Array, extractable: boolean, usages: string[]): CryptoKey {
  checkUsages(usages, name === "AES-KW" ? KW_USAGES : AES_USAGES, "an AES key");
  if (![16, 24, 32].includes(material.length)) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name, length: material.length * 8 }, usages, material);
}

function checkJwk(jwk: JsonWebKey | null, extractable: boolean, usages: string[]): Uint8Array {
  if (jwk === null || typeof jwk !== "object") throw new TypeError("keyData must be a JsonWebKey");
  if (jwk.kty !== "oct") throw domError("DataError", 'Invalid JWK "kty" Parameter');
  if (typeof jwk.k !== "string") throw domError("DataError", "Invalid keyData");
  if (jwk.ext === false && extractable) throw domError("DataError", 'JWK "ext" Parameter and extractable mismatch');
  if (Array.isArray(jwk.key_ops) && usages.some((usage) => !(jwk.key_ops as unknown[]).includes(usage))) {
    throw domError("DataError", "Key operations and usage mismatch");
  }
  return new Uint8Array(Buffer.from(jwk.k, "base64url"));
}

/** The JWK "alg" of a secret key: HS256..., A128GCM, A256KW... */
const jwkAlg = (algorithm: KeyAlgorithm, bytes: number): string =>
  algorithm.name === "HMAC" ? `HS${(algorithm.hash as { name: string }).name.slice(4)}` : `A${bytes * 8}${algorithm.name.slice(4)}`;

function importSecret(
  name: string,
  format: string,
  keyData: unknown,
  algorithm: Algorithm,
  extractable: boolean,
  usages: string[],
): CryptoKey {
  if (format !== "raw" && format !== "jwk") throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
  const material = format === "raw" ? bufferSource(keyData, "keyData") : checkJwk(keyData as JsonWebKey, extractable, usages);
  const shape = name === "HMAC" ? { name, hash: { name: webHash(algorithm.hash).name } } : { name };
  if (format === "jwk" && (keyData as JsonWebKey).alg !== undefined && (keyData as JsonWebKey).alg !== jwkAlg(shape, material.length)) {
    throw domError("DataError", 'JWK "alg" does not match the requested algorithm');
  }
  return name === "HMAC" ? hmacKey(algorithm, material, extractable, usages) : aesKey(name, material, extractable, usages);
}

/** The bits deriveKey derives for a key of `algorithm`: null for PBKDF2 and HKDF, which take all. */
function derivedLength(algorithm: Algorithm): number | null {
  const name = algorithmName(algorithm);
  if (AES.includes(name)) {
    if (![128, 192, 256].includes(algorithm.length as number))
      throw domError("OperationError", "AES key length must be 128, 192 or 256 bits");
    return algorithm.length as number;
  }
  if (name === "HMAC") return algorithm.length ?? webHash(algorithm.hash).blockLen * 8;
  if (name === "PBKDF2" || name === "HKDF") return null;
  throw domError("NotSupportedError", `Unable to derive a ${name} key`);
}

function deriveSecret(algorithm: Algorithm, baseKey: CryptoKey, length: unknown): Uint8Array {
  const name = algorithmName(algorithm);
  if (baseKey.algorithm.name !== name) throw invalidAccess();
  if (!baseKey.usages.includes("deriveBits") && !baseKey.usages.includes("deriveKey")) throw invalidAccess();
  if (typeof length !== "number" || length % 8 !== 0) throw domError("OperationError", "length must be a multiple of 8");
  const hash = webHash(algorithm.hash).algorithm;
  const material = hashes.arrayBufferOf(keyBytes(baseKey));
  const salt = bufferSource(algorithm.salt, "salt").buffer as ArrayBuffer;
  if (name === "PBKDF2") {
    if (!((algorithm.iterations as number) > 0)) throw domError("OperationError", "iterations cannot be zero");
    return new Uint8Array(hashes.pbkdf2(material, salt, algorithm.iterations, length / 8, hash));
  }
  return new Uint8Array(hashes.hkdf(hash, material, salt, bufferSource(algorithm.info, "info").buffer, length / 8));
}

/** Constant-time equality of two byte arrays. */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Web Crypto's getRandomValues. */
export type GetRandomValues = <T extends ArrayBufferView>(array: T) => T;

export class SubtleCrypto {
  #getRandomValues: GetRandomValues;
  #load: Builtin;
  #keys: () => SubtleKeys;
  #host: () => HostCapabilities;
  /** `token` is keyMaterial, as for a CryptoKey; `keys()` the crypto-keys bundle's subtle half; `host()` the environment's host functions. */
  constructor(token: unknown, getRandomValues: GetRandomValues, load: Builtin, keys: () => SubtleKeys, host: () => HostCapabilities) {
    if (token !== keyMaterial) throw illegalConstructor();
    this.#getRandomValues = getRandomValues;
    this.#load = load;
    this.#keys = keys;
    this.#host = host;
  }
  get [Symbol.toStringTag]() {
    return "SubtleCrypto";
  }
  async digest(algorithm: AlgorithmIdentifier, data: BufferSource): Promise<Bytes> {
    return hashes.digestOf(webHash(algorithm).algorithm, bufferSource(data));
  }
  async importKey(format: string, keyData: unknown, algorithm: AlgorithmIdentifier, extractable: boolean, usages: string[]) {
    return this.#import(format, keyData, algorithm, extractable, usages);
  }
  #import(format: string, keyData: unknown, algorithm: AlgorithmIdentifier, extractable: boolean, usages: string[]) {
    const name = algorithmName(algorithm);
    if (name === "HMAC" || AES.includes(name))
      return importSecret(name, format, keyData, algorithm as Algorithm, Boolean(extractable), [...usages]);
    if (name === "PBKDF2" || name === "HKDF") {
      if (format !== "raw") throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
      if (extractable) throw domError("SyntaxError", `${name} keys are not extractable`);
      checkUsages(usages, DERIVE_USAGES, `a ${name} key`);
      return new CryptoKey(keyMaterial, "secret", false, { name }, [...usages], bufferSource(keyData, "keyData"));
    }
    if (ASYMMETRIC.includes(name))
      return this.#keys().importKey(format, keyData as JsonWebKey | null, algorithm as Algorithm, extractable, [...usages]);
    throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
  }
  async exportKey(format: string, key: CryptoKey) {
    return this.#export(format, key);
  }
  #export(format: string, key: CryptoKey): ArrayBuffer | JsonWebKey {
    if (!(key instanceof CryptoKey)) throw new TypeError("The key argument must be a CryptoKey");
    if (!key.extractable) throw domError("InvalidAccessError", "key is not extractable");
    if (key.type !== "secret") return this.#keys().exportKey(format, key);
    const material = keyBytes(key);
    if (format === "raw") return arrayBuffer(material);
    if (format === "jwk" && (AES.includes(key.algorithm.name) || key.algorithm.name === "HMAC")) {
      const k = Buffer.from(material).toString("base64url");
      return { kty: "oct", k, alg: jwkAlg(key.algorithm, material.length), key_ops: [...key.usages], ext: true };
    }
    throw domError("NotSupportedError", `Unable to export a key with format ${format}`);
  }
  async generateKey(algorithm: AlgorithmIdentifier, extractable: boolean, usages: string[]) {
    const name = algorithmName(algorithm);
    if (AES.includes(name)) {
      if (![128, 192, 256].includes((algorithm as Algorithm).length as number))
        throw domError("OperationError", "AES key length must be 128, 192 or 256 bits");
      return aesKey(name, this.#getRandomValues(new Uint8Array(((algorithm as Algorithm).length as number) / 8)), Boolean(extractable), [
        ...usages,
      ]);
    }
    if (ASYMMETRIC.includes(name)) return this.#keys().generateKey(algorithm as Algorithm, extractable, [...usages]);
    if (name !== "HMAC") throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
    const bits = (algorithm as Algorithm).length ?? webHash((algorithm as Algorithm).hash).blockLen * 8;
    const material = this.#getRandomValues(new Uint8Array(Math.ceil(bits / 8)));
    return hmacKey({ ...(algorithm as Algorithm), length: bits }, material, Boolean(extractable), [...usages]);
  }
  async sign(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().sign(algorithm as Algorithm, key, data);
    return arrayBuffer(this.#mac(algorithm, key, "sign", data));
  }
  async verify(algorithm: AlgorithmIdentifier, key: CryptoKey, signature: BufferSource, data: BufferSource) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().verify(algorithm as Algorithm, key, signature, data);
    const expected = this.#mac(algorithm, key, "verify", data);
    return timingSafeEqualBytes(expected, bufferSource(signature, "signature"));
  }
  async deriveBits(algorithm: AlgorithmIdentifier, baseKey: CryptoKey, length?: number | null) {
    return this.#deriveBits(algorithm, baseKey, length);
  }
  #deriveBits(algorithm: AlgorithmIdentifier, baseKey: CryptoKey, length: number | null | undefined): ArrayBuffer {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().deriveBits(algorithm as Algorithm, baseKey, length);
    return arrayBuffer(deriveSecret(algorithm as Algorithm, baseKey, length));
  }
  async deriveKey(
    algorithm: AlgorithmIdentifier,
    baseKey: CryptoKey,
    derivedKeyAlgorithm: AlgorithmIdentifier,
    extractable: boolean,
    usages: string[],
  ) {
    if (!(baseKey instanceof CryptoKey)) throw new TypeError("The baseKey argument must be a CryptoKey");
    const length = derivedLength(derivedKeyAlgorithm as Algorithm);
    if (!baseKey.usages.includes("deriveKey")) throw invalidAccess();
    const bits = this.#deriveBits(algorithm, baseKey, length);
    return this.#import("raw", bits, derivedKeyAlgorithm, extractable, usages);
  }
  async encrypt(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) {
    return arrayBuffer(this.#cipher(true, algorithm as Algorithm, key, data, "encrypt"));
  }
  async decrypt(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) {
    return arrayBuffer(this.#cipher(false, algorithm as Algorithm, key, data, "decrypt"));
  }
  async wrapKey(format: string, key: CryptoKey, wrappingKey: CryptoKey, wrapAlgorithm: AlgorithmIdentifier) {
    const exported = this.#export(format, key);
    let bytes: Uint8Array;
    if (format === "jwk") {
      const text = JSON.stringify(exported);
      // Web Crypto (wrapKey, step 13's note): a JWK wrapped by AES-KW is padded with spaces to a multiple of 8 bytes.
      const padded =
        algorithmName(wrapAlgorithm) === "AES-KW" && text.length % 8 !== 0 ? text.padEnd(text.length + 8 - (text.length % 8)) : text;
      bytes = new TextEncoder().encode(padded);
    } else {
      bytes = new Uint8Array(exported as ArrayBuffer);
    }
    return arrayBuffer(this.#cipher(true, wrapAlgorithm as Algorithm, wrappingKey, bytes, "wrapKey"));
  }
  async unwrapKey(
    format: string,
    wrappedKey: BufferSource,
    unwrappingKey: CryptoKey,
    unwrapAlgorithm: AlgorithmIdentifier,
    unwrappedKeyAlgorithm: AlgorithmIdentifier,
    extractable: boolean,
    usages: string[],
  ) {
    const bytes = this.#cipher(false, unwrapAlgorithm as Algorithm, unwrappingKey, wrappedKey, "unwrapKey");
    let keyData: unknown = bytes;
    if (format === "jwk") {
      try {
        keyData = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw domError("DataError", "The unwrapped key is not a JSON Web Key");
      }
    }
    return this.#import(format, keyData, unwrappedKeyAlgorithm, extractable, usages);
  }
  /** Encrypt or decrypt under `usage`: encrypt/decrypt, or wrapKey/unwrapKey (the only use of AES-KW). */
  #cipher(encrypt: boolean, algorithm: Algorithm, key: CryptoKey, data: unknown, usage: string): Uint8Array {
    const name = algorithmName(algorithm);
    if (!(key instanceof CryptoKey)) throw new TypeError("The key argument must be a CryptoKey");
    if (name === "RSA-OAEP") return new Uint8Array(this.#keys().crypt(encrypt, algorithm, key, data, usage));
    if (!AES.includes(name) || (name === "AES-KW" && !KW_USAGES.includes(usage))) {
      throw domError("NotSupportedError", `${name} cannot ${usage} in Web Crypto`);
    }
    if (key.algorithm.name !== name || !key.usages.includes(usage)) throw invalidAccess();
    const params = {
      iv: algorithm.iv === undefined ? undefined : bufferSource(algorithm.iv, "iv"),
      counter: algorithm.counter === undefined ? undefined : bufferSource(algorithm.counter, "counter"),
      additionalData: algorithm.additionalData === undefined ? undefined : bufferSource(algorithm.additionalData, "additionalData"),
      tagLength: algorithm.tagLength,
      length: algorithm.length,
    };
    return this.#load("crypto-aes").webCipher(this.#host(), encrypt, name, params, keyBytes(key), bufferSource(data));
  }
  #mac(algorithm: AlgorithmIdentifier, key: CryptoKey, usage: string, data: unknown): Uint8Array {
    if (algorithmName(algorithm) !== "HMAC") throw domError("NotSupportedError", "isolambda's Web Crypto signs with HMAC only");
    if (key.algorithm.name !== "HMAC" || !key.usages.includes(usage)) throw invalidAccess();
    return new Uint8Array(
      hashes.digestOf(
        (WEB_HASHES[(key.algorithm.hash as { name: string }).name] as { algorithm: string }).algorithm,
        bufferSource(data),
        hashes.arrayBufferOf(keyBytes(key)),
      ),
    );
  }
}
