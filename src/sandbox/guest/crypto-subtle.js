// Web Crypto's SubtleCrypto for the secret-key algorithms (digest, HMAC, AES-GCM/CBC/CTR/KW, PBKDF2,
// HKDF) and the operations built from others (deriveKey, wrapKey, unwrapKey). Hashes run on the
// host's OpenSSL through ../crypto-hash.js, AES through the crypto-aes bundle; asymmetric algorithms
// go to the crypto-keys bundle. Part of the crypto bundle.
import { Buffer } from "buffer";
import * as hashes from "./crypto-hash.js";

/** Web Crypto's hashes: OpenSSL's name and the block size (an HMAC key's default length). */
const WEB_HASHES = {
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

export const keyMaterial = new WeakMap();

const domError = (name, message) => Object.assign(new Error(message), { name });
const invalidAccess = () => domError("InvalidAccessError", "The requested operation is not valid for the provided key");

export class CryptoKey {
  constructor(token, type, extractable, algorithm, usages, material) {
    if (token !== keyMaterial) throw new TypeError("Illegal constructor");
    this.type = type;
    this.extractable = extractable;
    this.algorithm = algorithm;
    this.usages = usages;
    keyMaterial.set(this, material);
  }
  get [Symbol.toStringTag]() {
    return "CryptoKey";
  }
}

export function keyBytes(key) {
  const material = keyMaterial.get(key);
  if (!material) throw new TypeError("Not a CryptoKey");
  return material;
}

const algorithmName = (algorithm) => {
  const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
  if (typeof name !== "string") throw new TypeError("Algorithm: name is missing");
  return name.toUpperCase();
};

function webHash(hash) {
  const name = algorithmName(hash);
  if (!Object.hasOwn(WEB_HASHES, name)) throw domError("NotSupportedError", `Unrecognized algorithm name: ${name}`);
  return { name, ...WEB_HASHES[name] };
}

const bufferSource = (data, name = "data") => {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  throw new TypeError(`Failed to execute: parameter ${name} is not of type 'BufferSource'`);
};
const arrayBuffer = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

function checkUsages(usages, allowed, kind) {
  for (const usage of usages) {
    if (!allowed.includes(usage)) throw domError("SyntaxError", `Unsupported key usage for ${kind}`);
  }
  if (usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
}

function hmacKey(algorithm, material, extractable, usages) {
  checkUsages(usages, HMAC_USAGES, "an HMAC key");
  const hash = webHash(algorithm.hash);
  const length = algorithm.length ?? material.length * 8;
  if (length === 0 || length > material.length * 8) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name: "HMAC", length, hash: { name: hash.name } }, usages, material);
}

function aesKey(name, material, extractable, usages) {
  checkUsages(usages, name === "AES-KW" ? KW_USAGES : AES_USAGES, "an AES key");
  if (![16, 24, 32].includes(material.length)) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name, length: material.length * 8 }, usages, material);
}

function checkJwk(jwk, extractable, usages) {
  if (jwk === null || typeof jwk !== "object") throw new TypeError("keyData must be a JsonWebKey");
  if (jwk.kty !== "oct") throw domError("DataError", 'Invalid JWK "kty" Parameter');
  if (typeof jwk.k !== "string") throw domError("DataError", "Invalid keyData");
  if (jwk.ext === false && extractable) throw domError("DataError", 'JWK "ext" Parameter and extractable mismatch');
  if (Array.isArray(jwk.key_ops) && usages.some((usage) => !jwk.key_ops.includes(usage))) {
    throw domError("DataError", "Key operations and usage mismatch");
  }
  return new Uint8Array(Buffer.from(jwk.k, "base64url"));
}

/** The JWK "alg" of a secret key: HS256..., A128GCM, A256KW... */
const jwkAlg = (algorithm, bytes) =>
  algorithm.name === "HMAC" ? `HS${algorithm.hash.name.slice(4)}` : `A${bytes * 8}${algorithm.name.slice(4)}`;

function importSecret(name, format, keyData, algorithm, extractable, usages) {
  if (format !== "raw" && format !== "jwk") throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
  const material = format === "raw" ? bufferSource(keyData, "keyData") : checkJwk(keyData, extractable, usages);
  const shape = name === "HMAC" ? { name, hash: { name: webHash(algorithm.hash).name } } : { name };
  if (format === "jwk" && keyData.alg !== undefined && keyData.alg !== jwkAlg(shape, material.length)) {
    throw domError("DataError", 'JWK "alg" does not match the requested algorithm');
  }
  return name === "HMAC" ? hmacKey(algorithm, material, extractable, usages) : aesKey(name, material, extractable, usages);
}

/** The bits deriveKey derives for a key of `algorithm`: null for PBKDF2 and HKDF, which take all. */
function derivedLength(algorithm) {
  const name = algorithmName(algorithm);
  if (AES.includes(name)) {
    if (![128, 192, 256].includes(algorithm.length)) throw domError("OperationError", "AES key length must be 128, 192 or 256 bits");
    return algorithm.length;
  }
  if (name === "HMAC") return algorithm.length ?? webHash(algorithm.hash).blockLen * 8;
  if (name === "PBKDF2" || name === "HKDF") return null;
  throw domError("NotSupportedError", `Unable to derive a ${name} key`);
}

function deriveSecret(algorithm, baseKey, length) {
  const name = algorithmName(algorithm);
  if (baseKey.algorithm.name !== name) throw invalidAccess();
  if (!baseKey.usages.includes("deriveBits") && !baseKey.usages.includes("deriveKey")) throw invalidAccess();
  if (typeof length !== "number" || length % 8 !== 0) throw domError("OperationError", "length must be a multiple of 8");
  const hash = webHash(algorithm.hash).algorithm;
  const material = hashes.arrayBufferOf(keyBytes(baseKey));
  const salt = bufferSource(algorithm.salt, "salt").buffer;
  if (name === "PBKDF2") {
    if (!(algorithm.iterations > 0)) throw domError("OperationError", "iterations cannot be zero");
    return new Uint8Array(hashes.pbkdf2(material, salt, algorithm.iterations, length / 8, hash));
  }
  return new Uint8Array(hashes.hkdf(hash, material, salt, bufferSource(algorithm.info, "info").buffer, length / 8));
}

/** Constant-time equality of two byte arrays. */
export function timingSafeEqualBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export class SubtleCrypto {
  #getRandomValues;
  #load;
  #keys;
  #host;
  /** `keys()` is the crypto-keys bundle's subtle half; `host()` the environment's host functions. */
  constructor(getRandomValues, load, keys, host) {
    this.#getRandomValues = getRandomValues;
    this.#load = load;
    this.#keys = keys;
    this.#host = host;
  }
  async digest(algorithm, data) {
    return hashes.digestOf(webHash(algorithm).algorithm, bufferSource(data));
  }
  async importKey(format, keyData, algorithm, extractable, usages) {
    return this.#import(format, keyData, algorithm, extractable, usages);
  }
  #import(format, keyData, algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (name === "HMAC" || AES.includes(name)) return importSecret(name, format, keyData, algorithm, Boolean(extractable), [...usages]);
    if (name === "PBKDF2" || name === "HKDF") {
      if (format !== "raw") throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
      if (extractable) throw domError("SyntaxError", `${name} keys are not extractable`);
      checkUsages(usages, DERIVE_USAGES, `a ${name} key`);
      return new CryptoKey(keyMaterial, "secret", false, { name }, [...usages], bufferSource(keyData, "keyData"));
    }
    if (ASYMMETRIC.includes(name)) return this.#keys().importKey(format, keyData, algorithm, extractable, [...usages]);
    throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
  }
  async exportKey(format, key) {
    return this.#export(format, key);
  }
  #export(format, key) {
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
  async generateKey(algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (AES.includes(name)) {
      if (![128, 192, 256].includes(algorithm.length)) throw domError("OperationError", "AES key length must be 128, 192 or 256 bits");
      return aesKey(name, this.#getRandomValues(new Uint8Array(algorithm.length / 8)), Boolean(extractable), [...usages]);
    }
    if (ASYMMETRIC.includes(name)) return this.#keys().generateKey(algorithm, extractable, [...usages]);
    if (name !== "HMAC") throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
    const bits = algorithm.length ?? webHash(algorithm.hash).blockLen * 8;
    const material = this.#getRandomValues(new Uint8Array(Math.ceil(bits / 8)));
    return hmacKey({ ...algorithm, length: bits }, material, Boolean(extractable), [...usages]);
  }
  async sign(algorithm, key, data) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().sign(algorithm, key, data);
    return arrayBuffer(this.#mac(algorithm, key, "sign", data));
  }
  async verify(algorithm, key, signature, data) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().verify(algorithm, key, signature, data);
    const expected = this.#mac(algorithm, key, "verify", data);
    return timingSafeEqualBytes(expected, bufferSource(signature, "signature"));
  }
  async deriveBits(algorithm, baseKey, length) {
    return this.#deriveBits(algorithm, baseKey, length);
  }
  #deriveBits(algorithm, baseKey, length) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return this.#keys().deriveBits(algorithm, baseKey, length);
    return arrayBuffer(deriveSecret(algorithm, baseKey, length));
  }
  async deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
    if (!(baseKey instanceof CryptoKey)) throw new TypeError("The baseKey argument must be a CryptoKey");
    const length = derivedLength(derivedKeyAlgorithm);
    if (!baseKey.usages.includes("deriveKey")) throw invalidAccess();
    const bits = this.#deriveBits(algorithm, baseKey, length);
    return this.#import("raw", bits, derivedKeyAlgorithm, extractable, usages);
  }
  async encrypt(algorithm, key, data) {
    return arrayBuffer(this.#cipher(true, algorithm, key, data, "encrypt"));
  }
  async decrypt(algorithm, key, data) {
    return arrayBuffer(this.#cipher(false, algorithm, key, data, "decrypt"));
  }
  async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    const exported = this.#export(format, key);
    let bytes;
    if (format === "jwk") {
      const text = JSON.stringify(exported);
      // Web Crypto (wrapKey, step 13's note): a JWK wrapped by AES-KW is padded with spaces to a multiple of 8 bytes.
      const padded =
        algorithmName(wrapAlgorithm) === "AES-KW" && text.length % 8 !== 0 ? text.padEnd(text.length + 8 - (text.length % 8)) : text;
      bytes = new TextEncoder().encode(padded);
    } else {
      bytes = new Uint8Array(exported);
    }
    return arrayBuffer(this.#cipher(true, wrapAlgorithm, wrappingKey, bytes, "wrapKey"));
  }
  async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, usages) {
    const bytes = this.#cipher(false, unwrapAlgorithm, unwrappingKey, wrappedKey, "unwrapKey");
    let keyData = bytes;
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
  #cipher(encrypt, algorithm, key, data, usage) {
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
  #mac(algorithm, key, usage, data) {
    if (algorithmName(algorithm) !== "HMAC") throw domError("NotSupportedError", "isolambda's Web Crypto signs with HMAC only");
    if (key.algorithm.name !== "HMAC" || !key.usages.includes(usage)) throw invalidAccess();
    return new Uint8Array(
      hashes.digestOf(WEB_HASHES[key.algorithm.hash.name].algorithm, bufferSource(data), hashes.arrayBufferOf(keyBytes(key))),
    );
  }
}
