// node:crypto and Web Crypto's SubtleCrypto. Hashes, HMAC and key derivation run on the host's
// OpenSSL (../crypto-hash.js); ciphers are the crypto-aes bundle and keys and signatures the
// crypto-keys bundle, loaded on first use. Randomness comes from the host's CSPRNG through
// crypto.getRandomValues.

import { Buffer } from "buffer";
import * as hashes from "../crypto-hash.js";

/**
 * The environment's host functions (src/sandbox/native/): native hashes, ciphers and keys run
 * there, over bytes. Set by whichever of createCrypto and createSubtle runs first.
 */
let host;
let loadBuiltin;

/** Keys, signatures and key agreement: the crypto-keys bundle, loaded when first used. */
let keys;
const keysModule = () =>
  (keys ??= loadBuiltin("crypto-keys").createKeys({
    host,
    KeyObject,
    keyObjectToken: secretKeys,
    CryptoKey,
    cryptoKeyToken: keyMaterial,
    keyMaterial: keyBytes,
    createSecretKey,
    randomBytes: (size) => globalThis.crypto.getRandomValues(new Uint8Array(size)),
    later,
  }));
const ASYMMETRIC = ["RSASSA-PKCS1-V1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "ED25519", "X25519"];

const nodeError = (Kind, code, message) => Object.assign(new Kind(message), { code });

const received = (value) =>
  value === null || value === undefined
    ? String(value)
    : typeof value === "object"
      ? `an instance of ${value.constructor?.name ?? "Object"}`
      : `type ${typeof value} (${String(value)})`;

/** Node's accepted inputs (string in an encoding, Buffer, TypedArray, DataView, ArrayBuffer) as bytes. */
function bytesOf(data, encoding, name = "data") {
  if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(data)}`,
  );
}

const { createHash, Hash, Hmac } = hashes;
/** Secret-key bytes from what Node accepts as a key: bytes, a string, a KeyObject or a CryptoKey. */
function secretOf(key, name = "key") {
  if (key instanceof KeyObject) return secretKeys.get(key);
  if (key instanceof CryptoKey) return keyBytes(key);
  return bytesOf(key, undefined, name);
}

export function createHmac(algorithm, key) {
  return hashes.createHmac(algorithm, key instanceof KeyObject || key instanceof CryptoKey ? secretOf(key) : key);
}

// Secret KeyObjects: JWT libraries (jsonwebtoken, jose) wrap an HMAC secret in one.
const secretKeys = new WeakMap();
class KeyObject {
  constructor(type, token) {
    if (token !== secretKeys) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "handle" argument must be of type object. Received ${received(token)}`);
    }
    this.type = type;
  }
  get symmetricKeySize() {
    return secretKeys.get(this).length;
  }
  get asymmetricKeyType() {
    return undefined;
  }
  export(options = {}) {
    const bytes = secretKeys.get(this);
    if (options.format === "jwk") return { kty: "oct", k: Buffer.from(bytes).toString("base64url") };
    return Buffer.from(bytes);
  }
  equals(other) {
    return other instanceof KeyObject && other.type === "secret" && timingSafeEqualBytes(secretKeys.get(this), secretKeys.get(other));
  }
  static from(key) {
    if (!(key instanceof CryptoKey))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "key" argument must be an instance of CryptoKey. Received ${received(key)}`);
    return key.type === "secret" ? createSecretKey(keyBytes(key)) : keysModule().subtle.keyObjectOf(key);
  }
}

function createSecretKey(key, encoding) {
  const secret = new KeyObject("secret", secretKeys);
  secretKeys.set(secret, Uint8Array.from(typeof key === "string" ? Buffer.from(key, encoding) : secretOf(key)));
  return secret;
}

function checkSize(value, name, max = 2 ** 31 - 1) {
  if (typeof value !== "number")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be of type number. Received ${received(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw nodeError(
      RangeError,
      "ERR_OUT_OF_RANGE",
      `The value of "${name}" is out of range. It must be >= 0 && <= ${max}. Received ${value}`,
    );
  }
}

/** Runs `compute` after the current task and hands its result to a Node-style callback. */
function later(callback, compute) {
  if (typeof callback !== "function")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "callback" argument must be of type function');
  setTimeout(() => {
    let result;
    try {
      result = compute();
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, result);
  }, 0);
}

/** Runs `compute` now (Node checks the arguments at once) and hands its result to the callback after the current task. */
function settle(callback, compute) {
  if (typeof callback !== "function")
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received ${received(callback)}`);
  const result = compute();
  setTimeout(() => callback(null, result), 0);
}

// ---------------------------------------------------------------------------------------------
// Web Crypto: digest, HMAC, AES-GCM/CBC/CTR, PBKDF2 and HKDF; other algorithms are refused as
// NotSupportedError.

/** Web Crypto's hashes: OpenSSL's name and the block size (an HMAC key's default length). */
const WEB_HASHES = {
  "SHA-1": { algorithm: "sha1", blockLen: 64 },
  "SHA-256": { algorithm: "sha256", blockLen: 64 },
  "SHA-384": { algorithm: "sha384", blockLen: 128 },
  "SHA-512": { algorithm: "sha512", blockLen: 128 },
};
const keyMaterial = new WeakMap();

const domError = (name, message) => Object.assign(new Error(message), { name });

class CryptoKey {
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

function keyBytes(key) {
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

const HMAC_USAGES = ["sign", "verify"];
const DERIVE_USAGES = ["deriveBits", "deriveKey"];

function checkUsages(usages, allowed) {
  for (const usage of usages) {
    if (!allowed.includes(usage)) throw domError("SyntaxError", `Unsupported key usage for this algorithm: ${usage}`);
  }
}

function hmacKey(algorithm, material, extractable, usages) {
  checkUsages(usages, HMAC_USAGES);
  if (usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
  const hash = webHash(algorithm.hash);
  const length = algorithm.length ?? material.length * 8;
  if (length === 0 || length > material.length * 8) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name: "HMAC", length, hash: { name: hash.name } }, usages, material);
}

function importJwk(jwk, algorithm, extractable, usages) {
  if (jwk === null || typeof jwk !== "object") throw new TypeError("keyData must be a JsonWebKey");
  if (jwk.kty !== "oct") throw domError("DataError", 'Invalid JWK "kty" Parameter');
  if (typeof jwk.k !== "string") throw domError("DataError", "Invalid keyData");
  if (jwk.ext === false && extractable) throw domError("DataError", 'JWK "ext" Parameter and extractable mismatch');
  if (Array.isArray(jwk.key_ops) && usages.some((usage) => !jwk.key_ops.includes(usage))) {
    throw domError("DataError", "Key operations and usage mismatch");
  }
  const hash = webHash(algorithm.hash);
  if (jwk.alg !== undefined && jwk.alg !== `HS${hash.name.slice(4)}`)
    throw domError("DataError", 'JWK "alg" does not match the requested algorithm');
  return hmacKey(algorithm, new Uint8Array(Buffer.from(jwk.k, "base64url")), extractable, usages);
}

function deriveBits(algorithm, baseKey, length) {
  const name = algorithmName(algorithm);
  if (baseKey.algorithm.name !== name) throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
  if (!baseKey.usages.includes("deriveBits") && !baseKey.usages.includes("deriveKey")) {
    throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
  }
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

const AES = ["AES-GCM", "AES-CBC", "AES-CTR"];
const AES_USAGES = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];

function aesKey(name, material, extractable, usages) {
  checkUsages(usages, AES_USAGES);
  if (usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
  if (![16, 24, 32].includes(material.length)) throw domError("DataError", "Invalid key length");
  return new CryptoKey(keyMaterial, "secret", extractable, { name, length: material.length * 8 }, usages, material);
}

class SubtleCrypto {
  #getRandomValues;
  #load;
  constructor(getRandomValues, load) {
    this.#getRandomValues = getRandomValues;
    this.#load = load;
  }
  async digest(algorithm, data) {
    return hashes.digestOf(webHash(algorithm).algorithm, bufferSource(data));
  }
  async importKey(format, keyData, algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (name === "HMAC") {
      if (format === "raw") return hmacKey(algorithm, bufferSource(keyData, "keyData"), Boolean(extractable), [...usages]);
      if (format === "jwk") return importJwk(keyData, algorithm, Boolean(extractable), [...usages]);
      throw domError("NotSupportedError", `Unable to import HMAC key with format ${format}`);
    }
    if (AES.includes(name)) {
      if (format === "raw") return aesKey(name, bufferSource(keyData, "keyData"), Boolean(extractable), [...usages]);
      if (format === "jwk") {
        if (keyData?.kty !== "oct" || typeof keyData.k !== "string") throw domError("DataError", "Invalid keyData");
        const material = new Uint8Array(Buffer.from(keyData.k, "base64url"));
        if (keyData.alg !== undefined && keyData.alg !== `A${material.length * 8}${name.slice(4)}`) {
          throw domError("DataError", 'JWK "alg" does not match the requested algorithm');
        }
        return aesKey(name, material, Boolean(extractable), [...usages]);
      }
      throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
    }
    if (name === "PBKDF2" || name === "HKDF") {
      if (format !== "raw") throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
      if (extractable) throw domError("SyntaxError", `${name} keys are not extractable`);
      checkUsages(usages, DERIVE_USAGES);
      return new CryptoKey(keyMaterial, "secret", false, { name }, [...usages], bufferSource(keyData, "keyData"));
    }
    if (ASYMMETRIC.includes(name)) return keysModule().subtle.importKey(format, keyData, algorithm, extractable, [...usages]);
    throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
  }
  async exportKey(format, key) {
    if (!key.extractable) throw domError("InvalidAccessError", "key is not extractable");
    if (key.type !== "secret") return keysModule().subtle.exportKey(format, key);
    const material = keyBytes(key);
    if (format === "raw") return arrayBuffer(material);
    if (format === "jwk" && AES.includes(key.algorithm.name)) {
      return {
        kty: "oct",
        k: Buffer.from(material).toString("base64url"),
        alg: `A${key.algorithm.length}${key.algorithm.name.slice(4)}`,
        key_ops: [...key.usages],
        ext: true,
      };
    }
    if (format === "jwk" && key.algorithm.name === "HMAC") {
      return {
        kty: "oct",
        k: Buffer.from(material).toString("base64url"),
        alg: `HS${key.algorithm.hash.name.slice(4)}`,
        key_ops: [...key.usages],
        ext: true,
      };
    }
    throw domError("NotSupportedError", `Unable to export a key with format ${format}`);
  }
  async generateKey(algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (AES.includes(name)) {
      if (![128, 192, 256].includes(algorithm.length)) throw domError("OperationError", "AES key length must be 128, 192 or 256 bits");
      return aesKey(name, this.#getRandomValues(new Uint8Array(algorithm.length / 8)), Boolean(extractable), [...usages]);
    }
    if (ASYMMETRIC.includes(name)) return keysModule().subtle.generateKey(algorithm, extractable, [...usages]);
    if (name !== "HMAC") throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto`);
    const bits = algorithm.length ?? webHash(algorithm.hash).blockLen * 8;
    const material = this.#getRandomValues(new Uint8Array(Math.ceil(bits / 8)));
    return hmacKey({ ...algorithm, length: bits }, material, Boolean(extractable), [...usages]);
  }
  async sign(algorithm, key, data) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return keysModule().subtle.sign(algorithm, key, data);
    return arrayBuffer(this.#mac(algorithm, key, "sign", data));
  }
  async verify(algorithm, key, signature, data) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return keysModule().subtle.verify(algorithm, key, signature, data);
    const expected = this.#mac(algorithm, key, "verify", data);
    return timingSafeEqualBytes(expected, bufferSource(signature, "signature"));
  }
  async deriveBits(algorithm, baseKey, length) {
    if (ASYMMETRIC.includes(algorithmName(algorithm))) return keysModule().subtle.deriveBits(algorithm, baseKey, length);
    return arrayBuffer(deriveBits(algorithm, baseKey, length));
  }
  async deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
    if (algorithmName(derivedKeyAlgorithm) !== "HMAC") throw domError("NotSupportedError", "isolambda's Web Crypto derives HMAC keys only");
    const length = derivedKeyAlgorithm.length ?? webHash(derivedKeyAlgorithm.hash).blockLen * 8;
    return hmacKey(derivedKeyAlgorithm, deriveBits(algorithm, baseKey, length), Boolean(extractable), [...usages]);
  }
  async encrypt(algorithm, key, data) {
    return arrayBuffer(this.#cipher(true, algorithm, key, data));
  }
  async decrypt(algorithm, key, data) {
    return arrayBuffer(this.#cipher(false, algorithm, key, data));
  }
  #cipher(encrypt, algorithm, key, data) {
    const name = algorithmName(algorithm);
    if (name === "RSA-OAEP") return new Uint8Array(keysModule().subtle.crypt(encrypt, algorithm, key, data));
    if (!AES.includes(name))
      throw domError("NotSupportedError", `${name} is not supported by isolambda's Web Crypto (AES-GCM, AES-CBC and AES-CTR are)`);
    const usage = encrypt ? "encrypt" : "decrypt";
    if (key.algorithm.name !== name || !key.usages.includes(usage)) {
      throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
    }
    const params = {
      iv: algorithm.iv === undefined ? undefined : bufferSource(algorithm.iv, "iv"),
      counter: algorithm.counter === undefined ? undefined : bufferSource(algorithm.counter, "counter"),
      additionalData: algorithm.additionalData === undefined ? undefined : bufferSource(algorithm.additionalData, "additionalData"),
      tagLength: algorithm.tagLength,
      length: algorithm.length,
    };
    return this.#load("crypto-aes").webCipher(host, encrypt, name, params, keyBytes(key), bufferSource(data));
  }
  #mac(algorithm, key, usage, data) {
    if (algorithmName(algorithm) !== "HMAC") throw domError("NotSupportedError", "isolambda's Web Crypto signs with HMAC only");
    if (key.algorithm.name !== "HMAC" || !key.usages.includes(usage)) {
      throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
    }
    return new Uint8Array(
      hashes.digestOf(WEB_HASHES[key.algorithm.hash.name].algorithm, bufferSource(data), hashes.arrayBufferOf(keyBytes(key))),
    );
  }
}
for (const method of ["wrapKey", "unwrapKey"]) {
  SubtleCrypto.prototype[method] = async () => {
    throw domError("NotSupportedError", `SubtleCrypto.${method} is not available in isolambda`);
  };
}

/** The SubtleCrypto behind globalThis.crypto.subtle; one per environment. */
let subtle;
export function createSubtle(getRandomValues, load, hostFunctions) {
  host ??= hostFunctions;
  hashes.useHost(hostFunctions);
  loadBuiltin ??= load;
  subtle ??= new SubtleCrypto(getRandomValues, load);
  return subtle;
}

function timingSafeEqualBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
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
];

/** Functions still without an implementation: present, so a handler learns why it cannot use them. */
const UNAVAILABLE = ["createDiffieHellman", "getDiffieHellman", "generatePrime", "generatePrimeSync", "checkPrime", "checkPrimeSync"];

let nodeCrypto;
export function createCrypto(webcrypto, load, hostFunctions) {
  host ??= hostFunctions;
  hashes.useHost(hostFunctions);
  loadBuiltin ??= load;
  if (nodeCrypto) return nodeCrypto;
  const { getRandomValues } = webcrypto;
  // One crossing for any size (Web Crypto's getRandomValues keeps its 64 KiB quota): 1 MB in 16
  // quota-sized calls onto a zeroed Buffer cost 3.5× Node.
  const fill = (bytes) => {
    if (bytes.length > 0) bytes.set(new Uint8Array(host.random(bytes.length)));
    return bytes;
  };
  const fresh = (size) => (size === 0 ? Buffer.alloc(0) : Buffer.from(host.random(size)));
  const randomBytes = (size, callback) => {
    checkSize(size, "size");
    if (callback === undefined) return fresh(size);
    later(callback, () => fresh(size));
  };
  const viewBytes = (buf, offset, size) => {
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
  const randomFillSync = (buf, offset = 0, size) => {
    fill(viewBytes(buf, offset, size));
    return buf;
  };
  const randomFill = (buf, offset, size, callback) => {
    if (typeof offset === "function") [offset, callback] = [0, offset];
    else if (typeof size === "function") [size, callback] = [undefined, size];
    const view = viewBytes(buf, offset, size);
    later(callback, () => {
      fill(view);
      return buf;
    });
  };
  const randomInt = (min, max, callback) => {
    if (max === undefined || typeof max === "function") [min, max, callback] = [0, min, max];
    if (!Number.isSafeInteger(min))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "min" argument must be a safe integer. Received ${received(min)}`);
    if (!Number.isSafeInteger(max))
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "max" argument must be a safe integer. Received ${received(max)}`);
    if (max <= min)
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "max" is out of range. It must be greater than the value of "min" (${min}). Received ${max}`,
      );
    const range = max - min;
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
        if (x < limit) return min + (x % range);
      }
    };
    if (callback === undefined) return draw();
    later(callback, draw);
  };
  const timingSafeEqual = (a, b) => {
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
  const pbkdf2Sync = (password, salt, iterations, keylen, digest) =>
    Buffer.from(hashes.pbkdf2(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), iterations, keylen, digest));
  const hkdfSync = (digest, ikm, salt, info, keylen) =>
    hashes.hkdf(
      digest,
      ikm instanceof KeyObject ? hashes.arrayBufferOf(secretOf(ikm)) : hashes.kdfInput(ikm, "ikm"),
      hashes.kdfInput(salt, "salt"),
      hashes.kdfInput(info, "info"),
      keylen,
    );
  const scryptSync = (password, salt, keylen, options) =>
    Buffer.from(hashes.scrypt(hashes.kdfInput(password, "password"), hashes.kdfInput(salt, "salt"), keylen, options));

  nodeCrypto = {
    createHash,
    createHmac,
    hash: (algorithm, data, outputEncoding = "hex") => createHash(algorithm).update(data).digest(outputEncoding),
    getHashes: hashes.hashNames,
    getCiphers: () => [
      "aes-128-cbc",
      "aes-128-ctr",
      "aes-128-ecb",
      "aes-128-gcm",
      "aes-192-cbc",
      "aes-192-ctr",
      "aes-192-ecb",
      "aes-192-gcm",
      "aes-256-cbc",
      "aes-256-ctr",
      "aes-256-ecb",
      "aes-256-gcm",
      "chacha20-poly1305",
    ],
    createCipheriv: (...args) => load("crypto-aes").createCipheriv(host, ...args),
    createDecipheriv: (...args) => load("crypto-aes").createDecipheriv(host, ...args),
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync,
    randomFill,
    randomInt,
    randomUUID: webcrypto.randomUUID,
    getRandomValues: (array) => getRandomValues(array),
    timingSafeEqual,
    pbkdf2Sync,
    pbkdf2: (password, salt, iterations, keylen, digest, callback) =>
      settle(callback, () => pbkdf2Sync(password, salt, iterations, keylen, digest)),
    hkdfSync,
    hkdf: (digest, ikm, salt, info, keylen, callback) => settle(callback, () => hkdfSync(digest, ikm, salt, info, keylen)),
    scryptSync,
    scrypt: (password, salt, keylen, options, callback) => {
      if (typeof options === "function") [options, callback] = [undefined, options];
      settle(callback, () => scryptSync(password, salt, keylen, options));
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
  for (const name of KEY_FUNCTIONS) nodeCrypto[name] = (...args) => keysModule().node[name](...args);
  // Not enumerable: listing node:crypto's names (an ES module's import) does not load the bundle.
  for (const name of ["Sign", "Verify", "ECDH"]) {
    Object.defineProperty(nodeCrypto, name, { configurable: true, get: () => keysModule().node[name] });
  }
  for (const name of UNAVAILABLE) {
    nodeCrypto[name] = () => {
      throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", `crypto.${name} is not available in isolambda`);
    };
  }
  return nodeCrypto;
}

export { CryptoKey };
