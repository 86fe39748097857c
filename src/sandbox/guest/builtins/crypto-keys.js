// Public-key crypto for node:crypto and Web Crypto: KeyObjects, sign and verify, key pairs, RSA
// encryption, Diffie-Hellman and ECDH. The work runs in the host's OpenSSL (src/sandbox/native/keys.ts):
// key material stays in the environment's table there, and a KeyObject here holds only its number.
// A bundle of its own, loaded by crypto.js when a handler first uses one of these.
import { Buffer } from "buffer";
import { createDh } from "../crypto-dh.js";
import { createSubtleKeys } from "../crypto-subtle-keys.js";
import { createX509 } from "../crypto-x509.js";
import { streamOnUse } from "../stream-on-use.js";

const nodeError = (Kind, code, message) => Object.assign(new Kind(message), { code });

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
  // Sign and Verify are Writable streams in Node (written to, or piped into, before sign()/verify()).
  streamOnUse(Collector, "Writable");
  Collector.prototype._write = function (chunk, encoding, callback) {
    this.update(chunk, encoding === "buffer" ? undefined : encoding);
    callback();
  };

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
    ...createDh({ host, later }),
    X509Certificate: createX509({ host, KeyObject, createPublicKey }),
    getCurves: () => call(host.keyEcdh, "curves").split(","),
  };

  return {
    node,
    subtle: createSubtleKeys({ host, call, arrayBufferOf, CryptoKey, cryptoKeyToken, ids, created, keyObjectOf, fromCryptoKey }),
  };
}
