// Public-key crypto for node:crypto and Web Crypto: KeyObjects, sign and verify, key pairs, RSA
// encryption, Diffie-Hellman and ECDH. The work runs in the host's OpenSSL (src/sandbox/native/keys.ts):
// key material stays in the environment's table there, and a KeyObject here holds only its number.
// A bundle of its own, loaded by crypto.js when a handler first uses one of these.
import { Buffer } from "buffer";

const nodeError = (Kind, code, message) => Object.assign(new Kind(message), { code });
const domError = (name, message) => Object.assign(new Error(message), { name });

const received = (value) =>
  value == null
    ? String(value)
    : typeof value === "object"
      ? `an instance of ${value.constructor?.name ?? "Object"}`
      : typeof value === "function"
        ? `function ${value.name}`
        : `type ${typeof value} (${String(value)})`;

const ERROR_KINDS = { TypeError, RangeError, SyntaxError };
/** A host call, its Node error thrown again as the class Node throws it (TypeError, RangeError...). */
function call(fn, ...args) {
  try {
    return fn(...args);
  } catch (error) {
    const Kind = ERROR_KINDS[error?.name];
    if (!Kind) throw error;
    throw Object.assign(new Kind(error.message), { code: error.code });
  }
}

const viewBytes = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
/** A copy of `data`'s bytes as an ArrayBuffer, the form bytes cross to the host in. */
function arrayBufferOf(data, encoding) {
  if (typeof data === "string") data = Buffer.from(data, encoding ?? "utf8");
  if (data instanceof ArrayBuffer) return data.slice(0);
  const bytes = viewBytes(data);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
const isBytes = (value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
const toBuffer = (arrayBuffer) => Buffer.from(arrayBuffer);
const encoded = (buffer, encoding) => (encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding));

function dataArgument(data, name = "data", encoding) {
  if (typeof data === "string" || isBytes(data)) return arrayBufferOf(data, encoding);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(data)}`,
  );
}

/** Node's RSA constants (crypto.constants) that key options use. */
const RSA_PKCS1_PADDING = 1;
const RSA_PKCS1_OAEP_PADDING = 4;
const RSA_PKCS1_PSS_PADDING = 6;

export function createKeys({
  host,
  KeyObject,
  keyObjectToken,
  CryptoKey,
  cryptoKeyToken,
  keyMaterial,
  createSecretKey,
  randomBytes,
  later,
}) {
  const ids = new WeakMap();
  const infos = new WeakMap();
  // A collected KeyObject lets go of its host entry, so keys imported per invocation do not pile up.
  const released = new FinalizationRegistry((id) => host.keyFree(id));

  class AsymmetricKeyObject extends KeyObject {
    constructor(type, info) {
      super(type, keyObjectToken);
      ids.set(this, info.id);
      infos.set(this, info);
      released.register(this, info.id);
    }
    get asymmetricKeyType() {
      return infos.get(this).asymmetricKeyType;
    }
    get asymmetricKeyDetails() {
      const details = { ...infos.get(this).details };
      if (details.publicExponent !== undefined) details.publicExponent = BigInt(details.publicExponent);
      return details;
    }
    get symmetricKeySize() {
      return undefined;
    }
    export(options = {}) {
      if (options === null || typeof options !== "object") {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options" argument must be of type object. Received ${received(options)}`);
      }
      const { passphrase, ...rest } = options;
      const spec = { ...rest, ...(passphrase === undefined ? {} : { passphrase: Buffer.from(passphrase).toString("latin1") }) };
      const out = call(host.keyExport, ids.get(this), JSON.stringify(spec));
      if (typeof out !== "string") return toBuffer(out);
      return options.format === "jwk" ? JSON.parse(out) : out;
    }
    equals(other) {
      if (!(other instanceof KeyObject)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "otherKeyObject" argument must be an instance of KeyObject. Received ${received(other)}`,
        );
      }
      if (other.type !== this.type) return false;
      return call(host.keyEquals, ids.get(this), ids.get(other));
    }
  }
  class PublicKeyObject extends AsymmetricKeyObject {}
  class PrivateKeyObject extends AsymmetricKeyObject {}

  const keyObjectOf = (info) => (info.type === "public" ? new PublicKeyObject("public", info) : new PrivateKeyObject("private", info));
  const created = (kind, input, spec) => keyObjectOf(JSON.parse(call(host.keyCreate, kind, input, JSON.stringify(spec))));

  const invalidKeyType = (key) =>
    nodeError(
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      `The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received ${received(key)}`,
    );
  const wrongKeyObject = (actual, expected) =>
    nodeError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", `Invalid key object type ${actual}, expected ${expected}.`);

  /** The KeyObject behind a CryptoKey (secret CryptoKeys hold bytes, asymmetric ones a KeyObject). */
  const fromCryptoKey = (key) => {
    const material = keyMaterial(key);
    return material instanceof KeyObject ? material : createSecretKey(material);
  };

  /**
   * A key argument as Node accepts it (PEM text or bytes, DER or JWK in an object with `format`, a
   * KeyObject or a CryptoKey) as a KeyObject of `kind`, plus the options the object carried.
   */
  function prepare(key, kind) {
    let options = {};
    let source = key;
    let spec = {};
    if (key !== null && typeof key === "object" && !isBytes(key) && !(key instanceof KeyObject) && !(key instanceof CryptoKey)) {
      const { key: inner, format, type, encoding, passphrase, ...rest } = key;
      options = rest;
      source = inner;
      if (format === "jwk") {
        if (inner === null || typeof inner !== "object") {
          throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "key.key" property must be of type object. Received ${received(inner)}`);
        }
        return { keyObject: created(kind, undefined, { format, jwk: inner }), options };
      }
      spec = { format, type, encoding };
      if (passphrase !== undefined)
        spec.passphrase = typeof passphrase === "string" ? passphrase : Buffer.from(passphrase).toString("latin1");
    }
    if (source instanceof CryptoKey) source = fromCryptoKey(source);
    if (source instanceof KeyObject) {
      if (source.type === "secret" || (kind === "private" && source.type !== "private")) {
        throw wrongKeyObject(source.type, kind === "private" ? "private" : "private or public");
      }
      return { keyObject: source, options };
    }
    if (typeof source === "string")
      return {
        keyObject: created(kind, spec.encoding && spec.format === "der" ? arrayBufferOf(source, spec.encoding) : source, spec),
        options,
      };
    if (isBytes(source)) return { keyObject: created(kind, arrayBufferOf(source), spec), options };
    throw invalidKeyType(source);
  }

  function createPublicKey(key) {
    if (key instanceof KeyObject || key instanceof CryptoKey || key?.key instanceof KeyObject || key?.key instanceof CryptoKey) {
      let source = key instanceof KeyObject || key instanceof CryptoKey ? key : key.key;
      if (source instanceof CryptoKey) source = fromCryptoKey(source);
      if (source.type === "public") return source;
      if (source.type !== "private") throw wrongKeyObject(source.type, "private");
      return created("public", undefined, { keyId: ids.get(source) });
    }
    return prepare(key, "public").keyObject;
  }
  const createPrivateKey = (key) => {
    if (key instanceof KeyObject || key instanceof CryptoKey) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received ${received(key)}`,
      );
    }
    return prepare(key, "private").keyObject;
  };

  /** Options for a sign or verify call: a key object's padding, saltLength and dsaEncoding. */
  const signOptions = ({ padding, saltLength, dsaEncoding }) => {
    const out = {};
    if (padding !== undefined) out.padding = padding;
    if (saltLength !== undefined) out.saltLength = saltLength;
    if (dsaEncoding !== undefined) out.dsaEncoding = dsaEncoding;
    return JSON.stringify(out);
  };

  function signBytes(algorithm, data, key) {
    if (key === undefined || key === null) throw nodeError(Error, "ERR_CRYPTO_SIGN_KEY_REQUIRED", "No key provided to sign");
    const { keyObject, options } = prepare(key, "private");
    return toBuffer(call(host.keySign, algorithm ?? "", data, ids.get(keyObject), signOptions(options)));
  }
  function verifyBytes(algorithm, data, key, signature) {
    const { keyObject, options } = prepare(key, "public");
    return call(host.keyVerify, algorithm ?? "", data, ids.get(keyObject), signature, signOptions(options));
  }

  const checkCallback = (callback) => {
    if (callback !== undefined && typeof callback !== "function") {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "callback" argument must be of type function. Received ${received(callback)}`,
      );
    }
  };

  function sign(algorithm, data, key, callback) {
    checkCallback(callback);
    const bytes = dataArgument(data);
    if (callback === undefined) return signBytes(algorithm, bytes, key);
    later(callback, () => signBytes(algorithm, bytes, key));
  }
  function verify(algorithm, data, key, signature, callback) {
    checkCallback(callback);
    const bytes = dataArgument(data);
    const sig = dataArgument(signature, "signature");
    if (callback === undefined) return verifyBytes(algorithm, bytes, key, sig);
    later(callback, () => verifyBytes(algorithm, bytes, key, sig));
  }

  /** Sign and Verify collect what update() gives and cross to the host once, at sign() or verify(). */
  class Collector {
    #algorithm;
    #chunks = [];
    #done = false;
    constructor(algorithm) {
      if (typeof algorithm !== "string") {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "algorithm" argument must be of type string. Received ${received(algorithm)}`,
        );
      }
      call(host.keyDigest, algorithm);
      this.#algorithm = algorithm;
    }
    update(data, encoding) {
      if (this.#done) throw nodeError(Error, "ERR_CRYPTO_SIGN_KEY_REQUIRED", "No key provided to sign");
      this.#chunks.push(new Uint8Array(dataArgument(data, "data", encoding)));
      return this;
    }
    finish() {
      this.#done = true;
      const length = this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const all = new Uint8Array(length);
      let offset = 0;
      for (const chunk of this.#chunks) {
        all.set(chunk, offset);
        offset += chunk.length;
      }
      this.#chunks = [];
      return { algorithm: this.#algorithm, data: all.buffer };
    }
  }
  class Sign extends Collector {
    sign(privateKey, outputEncoding) {
      const { algorithm, data } = this.finish();
      return encoded(signBytes(algorithm, data, privateKey), outputEncoding);
    }
  }
  class Verify extends Collector {
    verify(publicKey, signature, signatureEncoding) {
      const { algorithm, data } = this.finish();
      return verifyBytes(algorithm, data, publicKey, dataArgument(signature, "signature", signatureEncoding));
    }
  }

  function generateKeyPairSync(type, options = {}) {
    if (typeof type !== "string") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "type" argument must be of type string. Received ${received(type)}`);
    }
    const { publicKeyEncoding, privateKeyEncoding, publicExponent, ...rest } = options ?? {};
    const spec = { ...rest, ...(publicExponent === undefined ? {} : { publicExponent: Number(publicExponent) }) };
    const pair = JSON.parse(call(host.keyGenerate, type, JSON.stringify(spec)));
    const publicKey = keyObjectOf(pair.publicKey);
    const privateKey = keyObjectOf(pair.privateKey);
    return {
      publicKey: publicKeyEncoding ? publicKey.export(publicKeyEncoding) : publicKey,
      privateKey: privateKeyEncoding ? privateKey.export(privateKeyEncoding) : privateKey,
    };
  }
  function generateKeyPair(type, options, callback) {
    if (typeof options === "function") [options, callback] = [undefined, options];
    if (typeof callback !== "function") {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "callback" argument must be of type function. Received ${received(callback)}`,
      );
    }
    later(
      (error, pair) => (error ? callback(error) : callback(null, pair.publicKey, pair.privateKey)),
      () => generateKeyPairSync(type, options),
    );
  }
  function generateKeySync(type, options) {
    if (type !== "hmac" && type !== "aes") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'type' must be a supported key type. Received '${type}'`);
    }
    const length = options?.length;
    if (type === "aes" && ![128, 192, 256].includes(length)) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_VALUE",
        `The property 'options.length' must be one of: 128, 192, 256. Received ${length}`,
      );
    }
    if (type === "hmac" && !(Number.isInteger(length) && length >= 8 && length <= 2 ** 31 - 1)) {
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "options.length" is out of range. It must be >= 8 && <= 2147483647. Received ${length}`,
      );
    }
    return createSecretKey(randomBytes(Math.floor(length / 8)));
  }

  /** publicEncrypt and friends: `kind` is the key they need. */
  const crypt = (op, kind, defaultPadding) => (key, buffer) => {
    const { keyObject, options } = prepare(key, kind);
    const { padding = defaultPadding, oaepHash, oaepLabel } = options;
    const spec = { padding };
    if (oaepHash !== undefined) spec.oaepHash = oaepHash;
    if (oaepLabel !== undefined) spec.oaepLabel = Buffer.from(arrayBufferOf(oaepLabel)).toString("base64");
    return toBuffer(call(host.keyCrypt, op, ids.get(keyObject), dataArgument(buffer, "buffer"), JSON.stringify(spec)));
  };

  function diffieHellman(options) {
    if (options === null || typeof options !== "object") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options" argument must be of type object. Received ${received(options)}`);
    }
    const { privateKey, publicKey } = options;
    if (!(privateKey instanceof KeyObject)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The property 'options.privateKey' must be a private KeyObject.");
    }
    if (!(publicKey instanceof KeyObject)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The property 'options.publicKey' must be a public KeyObject.");
    }
    return toBuffer(call(host.keyDiffieHellman, ids.get(privateKey), ids.get(publicKey)));
  }

  /** node:crypto's ECDH over raw keys; its API hands the private key out, so the guest holds it. */
  class ECDH {
    #curve;
    #privateKey;
    #publicKey;
    constructor(curve) {
      if (typeof curve !== "string") {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "curve" argument must be of type string. Received ${received(curve)}`);
      }
      call(host.keyEcdh, "check", curve);
      this.#curve = curve;
    }
    static convertKey(key, curve, inputEncoding, outputEncoding, format) {
      const out = toBuffer(call(host.keyEcdh, "convert", curve, undefined, arrayBufferOf(key, inputEncoding), format ?? "uncompressed"));
      return encoded(out, outputEncoding);
    }
    generateKeys(encoding, format) {
      const pair = JSON.parse(call(host.keyEcdh, "generate", this.#curve));
      this.#privateKey = Buffer.from(pair.privateKey, "base64");
      this.#publicKey = Buffer.from(pair.publicKey, "base64");
      return this.getPublicKey(encoding, format);
    }
    computeSecret(otherPublicKey, inputEncoding, outputEncoding) {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve");
      const other = arrayBufferOf(typeof otherPublicKey === "string" ? Buffer.from(otherPublicKey, inputEncoding) : otherPublicKey);
      return encoded(toBuffer(call(host.keyEcdh, "compute", this.#curve, arrayBufferOf(this.#privateKey), other)), outputEncoding);
    }
    getPrivateKey(encoding) {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Failed to get ECDH private key");
      return encoded(Buffer.from(this.#privateKey), encoding);
    }
    getPublicKey(encoding, format) {
      if (!this.#privateKey) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Failed to get ECDH public key");
      const out =
        format && format !== "uncompressed"
          ? toBuffer(call(host.keyEcdh, "public", this.#curve, arrayBufferOf(this.#privateKey), undefined, format))
          : Buffer.from(this.#publicKey);
      return encoded(out, encoding);
    }
    setPrivateKey(privateKey, encoding) {
      const key = Buffer.from(arrayBufferOf(privateKey, encoding));
      this.#publicKey = toBuffer(call(host.keyEcdh, "public", this.#curve, arrayBufferOf(key)));
      this.#privateKey = key;
      return this;
    }
  }

  const node = {
    createPublicKey,
    createPrivateKey,
    sign,
    verify,
    createSign: (algorithm) => new Sign(algorithm),
    createVerify: (algorithm) => new Verify(algorithm),
    Sign,
    Verify,
    generateKeyPairSync,
    generateKeyPair,
    generateKeySync,
    generateKey: (type, options, callback) => {
      checkCallback(callback);
      later(callback, () => generateKeySync(type, options));
    },
    publicEncrypt: crypt("publicEncrypt", "public", RSA_PKCS1_OAEP_PADDING),
    privateDecrypt: crypt("privateDecrypt", "private", RSA_PKCS1_OAEP_PADDING),
    privateEncrypt: crypt("privateEncrypt", "private", RSA_PKCS1_PADDING),
    publicDecrypt: crypt("publicDecrypt", "public", RSA_PKCS1_PADDING),
    diffieHellman,
    createECDH: (curve) => new ECDH(curve),
    ECDH,
    getCurves: () => call(host.keyEcdh, "curves").split(","),
  };

  return {
    node,
    subtle: createSubtleKeys({ host, CryptoKey, cryptoKeyToken, ids, created, keyObjectOf, fromCryptoKey }),
  };
}

// ---------------------------------------------------------------------------------------------
// Web Crypto's asymmetric algorithms over the same host functions.

const CANONICAL = {
  "RSASSA-PKCS1-V1_5": "RSASSA-PKCS1-v1_5",
  "RSA-PSS": "RSA-PSS",
  "RSA-OAEP": "RSA-OAEP",
  ECDSA: "ECDSA",
  ECDH: "ECDH",
  ED25519: "Ed25519",
  X25519: "X25519",
};

const SIGN_USAGES = { public: ["verify"], private: ["sign"] };
const USAGES = {
  "RSASSA-PKCS1-v1_5": SIGN_USAGES,
  "RSA-PSS": SIGN_USAGES,
  "RSA-OAEP": { public: ["encrypt", "wrapKey"], private: ["decrypt", "unwrapKey"] },
  ECDSA: SIGN_USAGES,
  Ed25519: SIGN_USAGES,
  ECDH: { public: [], private: ["deriveKey", "deriveBits"] },
  X25519: { public: [], private: ["deriveKey", "deriveBits"] },
};
/** The key type OpenSSL reports for each algorithm's keys. */
const KEY_TYPES = {
  "RSASSA-PKCS1-v1_5": ["rsa"],
  "RSA-PSS": ["rsa", "rsa-pss"],
  "RSA-OAEP": ["rsa"],
  ECDSA: ["ec"],
  ECDH: ["ec"],
  Ed25519: ["ed25519"],
  X25519: ["x25519"],
};
const CURVES = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
const NIST = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
const HASH_NAMES = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
/** SPKI's fixed prefix before a raw public key, and the raw key's length, per curve. */
const RAW_PUBLIC = {
  "P-256": { prefix: "3059301306072a8648ce3d020106082a8648ce3d030107034200", length: 65 },
  "P-384": { prefix: "3076301006072a8648ce3d020106052b81040022036200", length: 97 },
  "P-521": { prefix: "30819b301006072a8648ce3d020106052b8104002303818600", length: 133 },
  Ed25519: { prefix: "302a300506032b6570032100", length: 32 },
  X25519: { prefix: "302a300506032b656e032100", length: 32 },
};
const JWK_ALG = {
  "RSASSA-PKCS1-v1_5": (hash) => `RS${hash.slice(4)}`,
  "RSA-PSS": (hash) => `PS${hash.slice(4)}`,
  "RSA-OAEP": (hash) => (hash === "SHA-1" ? "RSA-OAEP" : `RSA-OAEP-${hash.slice(4)}`),
};

function createSubtleKeys({ host, CryptoKey, cryptoKeyToken, ids, created, keyObjectOf, fromCryptoKey }) {
  const nameOf = (algorithm) => {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    if (typeof name !== "string") throw new TypeError("Algorithm: name is missing");
    const canonical = CANONICAL[name.toUpperCase()];
    if (!canonical) throw domError("NotSupportedError", `Unrecognized algorithm name: ${name}`);
    return canonical;
  };
  const hashOf = (hash) => {
    const name = typeof hash === "string" ? hash : hash?.name;
    const upper = typeof name === "string" ? name.toUpperCase() : undefined;
    if (!upper || !HASH_NAMES[upper]) throw domError("NotSupportedError", `Unrecognized algorithm name: ${name}`);
    return upper;
  };
  const bufferSource = (data, name = "data") => {
    if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return arrayBufferOf(data);
    throw new TypeError(`Failed to execute: parameter ${name} is not of type 'BufferSource'`);
  };
  const invalidAccess = () => domError("InvalidAccessError", "The requested operation is not valid for the provided key");
  const material = (key) => {
    if (!(key instanceof CryptoKey)) throw new TypeError("The key argument must be a CryptoKey");
    return fromCryptoKey(key);
  };
  const idOf = (key) => ids.get(material(key));

  /** The CryptoKey for `keyObject` under `algorithm`, checked as Web Crypto checks an import. */
  function cryptoKey(keyObject, name, algorithm, extractable, usages) {
    if (!KEY_TYPES[name].includes(keyObject.asymmetricKeyType)) throw domError("DataError", "Invalid key type");
    const allowed = USAGES[name][keyObject.type];
    for (const usage of usages) {
      if (!allowed.includes(usage)) throw domError("SyntaxError", `Unsupported key usage for a ${name} key`);
    }
    if (keyObject.type === "private" && usages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
    const details = keyObject.asymmetricKeyDetails;
    let shape = { name };
    if (name.startsWith("RSA")) {
      const exponent = BigInt(details.publicExponent);
      const bytes = [];
      for (let e = exponent; e > 0n; e >>= 8n) bytes.unshift(Number(e & 0xffn));
      shape = { name, modulusLength: details.modulusLength, publicExponent: new Uint8Array(bytes), hash: { name: hashOf(algorithm.hash) } };
    } else if (name === "ECDSA" || name === "ECDH") {
      const namedCurve = NIST[details.namedCurve];
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

  const asDataError = (make) => {
    try {
      return make();
    } catch (error) {
      if (error?.code) throw domError("DataError", "Invalid keyData");
      throw error;
    }
  };

  function importKey(format, keyData, algorithm, extractable, usages) {
    const name = nameOf(algorithm);
    const make = (keyObject) => cryptoKey(keyObject, name, algorithm, extractable, [...usages]);
    if (format === "spki")
      return make(asDataError(() => created("public", bufferSource(keyData, "keyData"), { format: "der", type: "spki" })));
    if (format === "pkcs8")
      return make(asDataError(() => created("private", bufferSource(keyData, "keyData"), { format: "der", type: "pkcs8" })));
    if (format === "jwk") {
      if (keyData === null || typeof keyData !== "object") throw new TypeError("keyData must be a JsonWebKey");
      if (keyData.ext === false && extractable) throw domError("DataError", 'JWK "ext" Parameter and extractable mismatch');
      if (Array.isArray(keyData.key_ops) && usages.some((usage) => !keyData.key_ops.includes(usage))) {
        throw domError("DataError", "Key operations and usage mismatch");
      }
      const expectedKty = name.startsWith("RSA") ? "RSA" : name === "ECDSA" || name === "ECDH" ? "EC" : "OKP";
      if (keyData.kty !== expectedKty) throw domError("DataError", 'Invalid JWK "kty" Parameter');
      if (JWK_ALG[name] && keyData.alg !== undefined && keyData.alg !== JWK_ALG[name](hashOf(algorithm.hash))) {
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
      const raw = RAW_PUBLIC[curve];
      if (!raw) throw domError("NotSupportedError", `Unable to import ${name} key with format raw`);
      let point = new Uint8Array(bufferSource(keyData, "keyData"));
      if (curve.startsWith("P-") && point[0] !== 4 && point.length !== raw.length) {
        point = new Uint8Array(asDataError(() => call(host.keyEcdh, "convert", CURVES[curve], undefined, point.buffer, "uncompressed")));
      }
      if (point.length !== raw.length) throw domError("DataError", "Invalid keyData");
      const der = new Uint8Array(Buffer.concat([Buffer.from(raw.prefix, "hex"), point]));
      return make(asDataError(() => created("public", der.buffer, { format: "der", type: "spki" })));
    }
    throw domError("NotSupportedError", `Unable to import ${name} key with format ${format}`);
  }

  function exportKey(format, key) {
    const keyObject = material(key);
    const name = key.algorithm.name;
    if (format === "spki" || format === "pkcs8") {
      if (key.type !== (format === "spki" ? "public" : "private"))
        throw domError("InvalidAccessError", `Unable to export a ${key.type} key as ${format}`);
      return arrayBufferOf(keyObject.export({ format: "der", type: format }));
    }
    if (format === "jwk") {
      const jwk = keyObject.export({ format: "jwk" });
      if (JWK_ALG[name]) jwk.alg = JWK_ALG[name](key.algorithm.hash.name);
      return { ...jwk, key_ops: [...key.usages], ext: true };
    }
    if (format === "raw") {
      const raw = RAW_PUBLIC[key.algorithm.namedCurve ?? name];
      if (!raw || key.type !== "public") throw domError("InvalidAccessError", `Unable to export a ${name} ${key.type} key as raw`);
      const der = keyObject.export({ format: "der", type: "spki" });
      return arrayBufferOf(der.subarray(der.length - raw.length));
    }
    throw domError("NotSupportedError", `Unable to export a key with format ${format}`);
  }

  function generateKey(algorithm, extractable, usages) {
    const name = nameOf(algorithm);
    let type = name.toLowerCase();
    let options = {};
    if (name.startsWith("RSA")) {
      hashOf(algorithm.hash);
      const exponent = algorithm.publicExponent;
      if (!(exponent instanceof Uint8Array)) throw new TypeError("algorithm.publicExponent must be a Uint8Array");
      type = "rsa";
      options = { modulusLength: algorithm.modulusLength, publicExponent: exponent.reduce((n, byte) => n * 256 + byte, 0) };
    } else if (name === "ECDSA" || name === "ECDH") {
      if (!CURVES[algorithm.namedCurve]) throw domError("NotSupportedError", "Unsupported named curve");
      type = "ec";
      options = { namedCurve: algorithm.namedCurve };
    }
    const allowed = USAGES[name];
    const privateUsages = usages.filter((usage) => allowed.private.includes(usage));
    const publicUsages = usages.filter((usage) => allowed.public.includes(usage));
    if (usages.some((usage) => !privateUsages.includes(usage) && !publicUsages.includes(usage))) {
      throw domError("SyntaxError", `Unsupported key usage for a ${name} key`);
    }
    if (privateUsages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
    const pair = JSON.parse(call(host.keyGenerate, type, JSON.stringify(options)));
    return {
      publicKey: cryptoKey(keyObjectOf(pair.publicKey), name, algorithm, true, publicUsages),
      privateKey: cryptoKey(keyObjectOf(pair.privateKey), name, algorithm, extractable, privateUsages),
    };
  }

  /** The host's sign/verify arguments for a Web Crypto signature algorithm. */
  function signature(algorithm, key, usage) {
    const name = nameOf(algorithm);
    if (key.algorithm.name !== name || !key.usages.includes(usage)) throw invalidAccess();
    if (name === "Ed25519") return { digest: "", options: {} };
    if (name === "ECDSA") return { digest: HASH_NAMES[hashOf(algorithm.hash)], options: { dsaEncoding: "ieee-p1363" } };
    const digest = HASH_NAMES[key.algorithm.hash.name];
    if (name === "RSA-PSS") {
      const saltLength = algorithm.saltLength;
      if (!Number.isInteger(saltLength) || saltLength < 0) throw new TypeError("algorithm.saltLength must be a non-negative integer");
      return { digest, options: { padding: RSA_PKCS1_PSS_PADDING, saltLength } };
    }
    if (name !== "RSASSA-PKCS1-v1_5") throw invalidAccess();
    return { digest, options: {} };
  }

  const operationError = (make) => {
    try {
      return make();
    } catch (error) {
      if (error?.code) throw domError("OperationError", "The operation failed for an operation-specific reason");
      throw error;
    }
  };

  return {
    importKey,
    exportKey,
    generateKey,
    sign(algorithm, key, data) {
      const { digest, options } = signature(algorithm, key, "sign");
      return operationError(() => call(host.keySign, digest, bufferSource(data), idOf(key), JSON.stringify(options)));
    },
    verify(algorithm, key, sig, data) {
      const { digest, options } = signature(algorithm, key, "verify");
      try {
        return call(host.keyVerify, digest, bufferSource(data), idOf(key), bufferSource(sig, "signature"), JSON.stringify(options));
      } catch (error) {
        // A signature of the wrong length for the curve is simply not valid.
        if (error?.code) return false;
        throw error;
      }
    },
    crypt(encrypt, algorithm, key, data) {
      if (key.algorithm.name !== "RSA-OAEP" || !key.usages.includes(encrypt ? "encrypt" : "decrypt")) throw invalidAccess();
      const spec = { padding: RSA_PKCS1_OAEP_PADDING, oaepHash: HASH_NAMES[key.algorithm.hash.name] };
      if (algorithm.label !== undefined) spec.oaepLabel = Buffer.from(bufferSource(algorithm.label, "label")).toString("base64");
      return operationError(() =>
        call(host.keyCrypt, encrypt ? "publicEncrypt" : "privateDecrypt", idOf(key), bufferSource(data), JSON.stringify(spec)),
      );
    },
    deriveBits(algorithm, baseKey, length) {
      const name = nameOf(algorithm);
      const publicKey = algorithm.public;
      if (!(publicKey instanceof CryptoKey) || publicKey.type !== "public" || publicKey.algorithm.name !== name) throw invalidAccess();
      if (baseKey.algorithm.name !== name || baseKey.type !== "private") throw invalidAccess();
      if (!baseKey.usages.includes("deriveBits") && !baseKey.usages.includes("deriveKey")) throw invalidAccess();
      if (name === "ECDH" && publicKey.algorithm.namedCurve !== baseKey.algorithm.namedCurve) throw invalidAccess();
      const secret = new Uint8Array(operationError(() => call(host.keyDiffieHellman, idOf(baseKey), idOf(publicKey))));
      if (length === null || length === undefined) return secret.buffer;
      if (length > secret.length * 8) throw domError("OperationError", "derived bit length is too small");
      const out = secret.slice(0, Math.ceil(length / 8));
      if (length % 8) out[out.length - 1] &= 0xff << (8 - (length % 8));
      return out.buffer;
    },
    /** KeyObject.from for an asymmetric CryptoKey. */
    keyObjectOf: (key) => material(key),
  };
}
