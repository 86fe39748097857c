// Public-key crypto for node:crypto and Web Crypto: KeyObjects, sign and verify, key pairs, RSA
// encryption, Diffie-Hellman and ECDH. The work runs in the host's OpenSSL (src/sandbox/executor/native/keys.ts):
// key material stays in the environment's table there, and a KeyObject here holds only its number.
// A bundle of its own, loaded by crypto.js when a handler first uses one of these.
import type { Data } from "../../shared/guest-protocol.js";
import { createDh } from "../crypto-dh.js";
import {
  arrayBufferOf,
  Buffer,
  call,
  dataArgument,
  isBytes,
  type KeyInfo,
  type KeyInput,
  type KeySpec,
  type KeysDeps,
  nodeError,
  received,
  toBuffer,
} from "../crypto-key-args.js";
import { createSignClasses } from "../crypto-sign.js";
import type { BufferSource, CryptoKey, JsonWebKey } from "../crypto-subtle.js";
import { type AsymmetricKey, createSubtleKeys } from "../crypto-subtle-keys.js";
import { createX509 } from "../crypto-x509.js";
import type { KeyExportOptions, KeyObject } from "./crypto.js";

type Callback = (error: unknown, ...results: unknown[]) => void;

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
}: KeysDeps) {
  const ids = new WeakMap<object, number>();
  const infos = new WeakMap<object, KeyInfo>();
  // A collected KeyObject lets go of its host entry, so keys imported per invocation do not pile up.
  const released = new FinalizationRegistry((id: number) => host.keyFree(id));

  class AsymmetricKeyObject extends KeyObject implements AsymmetricKey {
    constructor(type: string, info: KeyInfo) {
      super(type, keyObjectToken);
      ids.set(this, info.id);
      infos.set(this, info);
      released.register(this, info.id);
    }
    override get asymmetricKeyType(): string | undefined {
      return (infos.get(this) as KeyInfo).asymmetricKeyType;
    }
    get asymmetricKeyDetails(): AsymmetricKey["asymmetricKeyDetails"] {
      const details = { ...(infos.get(this) as KeyInfo).details };
      if (details.publicExponent !== undefined) details.publicExponent = BigInt(details.publicExponent);
      return details as AsymmetricKey["asymmetricKeyDetails"];
    }
    override get symmetricKeySize(): undefined {
      return undefined;
    }
    override export(options: KeyExportOptions & { format: "pem" }): string;
    override export(options: KeyExportOptions & { format: "jwk" }): JsonWebKey;
    override export(options?: KeyExportOptions): string | Buffer | JsonWebKey;
    override export(options: KeyExportOptions = {}): string | Buffer | JsonWebKey {
      if (options === null || typeof options !== "object") {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options" argument must be of type object. Received ${received(options)}`);
      }
      const { passphrase, ...rest } = options;
      const spec = {
        ...rest,
        ...(passphrase === undefined ? {} : { passphrase: Buffer.from(passphrase as string).toString("latin1") }),
      };
      const out = call(host.keyExport, ids.get(this) as number, JSON.stringify(spec));
      if (typeof out !== "string") return toBuffer(out);
      return options.format === "jwk" ? (JSON.parse(out) as JsonWebKey) : out;
    }
    override equals(other: unknown): boolean {
      if (!(other instanceof KeyObject)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "otherKeyObject" argument must be an instance of KeyObject. Received ${received(other)}`,
        );
      }
      if (other.type !== this.type) return false;
      return call(host.keyEquals, ids.get(this) as number, ids.get(other) as number);
    }
  }
  class PublicKeyObject extends AsymmetricKeyObject {}
  class PrivateKeyObject extends AsymmetricKeyObject {}

  const keyObjectOf = (info: KeyInfo): AsymmetricKeyObject =>
    info.type === "public" ? new PublicKeyObject("public", info) : new PrivateKeyObject("private", info);
  const created = (kind: string, input: Data | undefined, spec: KeySpec) =>
    keyObjectOf(JSON.parse(call(host.keyCreate, kind, input, JSON.stringify(spec))) as KeyInfo);

  const invalidKeyType = (key: unknown) =>
    nodeError(
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      `The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received ${received(key)}`,
    );
  const wrongKeyObject = (actual: string, expected: string) =>
    nodeError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", `Invalid key object type ${actual}, expected ${expected}.`);

  /** The KeyObject behind a CryptoKey (secret CryptoKeys hold bytes, asymmetric ones a KeyObject). */
  const fromCryptoKey = (key: CryptoKey): KeyObject => {
    const material = keyMaterial(key);
    return material instanceof KeyObject ? material : createSecretKey(material);
  };

  /**
   * A key argument as Node accepts it (PEM text or bytes, DER or JWK in an object with `format`, a
   * KeyObject or a CryptoKey) as a KeyObject of `kind`, plus the options the object carried.
   */
  function prepare(key: unknown, kind: string): { keyObject: KeyObject; options: Record<string, unknown> } {
    let options: Record<string, unknown> = {};
    let source = key;
    let spec: KeySpec = {};
    if (key !== null && typeof key === "object" && !isBytes(key) && !(key instanceof KeyObject) && !(key instanceof CryptoKey)) {
      const { key: inner, format, type, encoding, passphrase, ...rest } = key as KeyInput;
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
        spec.passphrase = typeof passphrase === "string" ? passphrase : Buffer.from(passphrase as Uint8Array).toString("latin1");
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

  function createPublicKey(key: unknown): KeyObject {
    if (
      key instanceof KeyObject ||
      key instanceof CryptoKey ||
      (key as KeyInput | undefined)?.key instanceof KeyObject ||
      (key as KeyInput | undefined)?.key instanceof CryptoKey
    ) {
      let source = (key instanceof KeyObject || key instanceof CryptoKey ? key : (key as KeyInput).key) as KeyObject | CryptoKey;
      if (source instanceof CryptoKey) source = fromCryptoKey(source);
      if (source.type === "public") return source;
      if (source.type !== "private") throw wrongKeyObject(source.type, "private");
      return created("public", undefined, { keyId: ids.get(source) as number });
    }
    return prepare(key, "public").keyObject;
  }
  const createPrivateKey = (key: unknown): KeyObject => {
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
  const signOptions = ({ padding, saltLength, dsaEncoding }: Record<string, unknown>): string => {
    const out: Record<string, unknown> = {};
    if (padding !== undefined) out.padding = padding;
    if (saltLength !== undefined) out.saltLength = saltLength;
    if (dsaEncoding !== undefined) out.dsaEncoding = dsaEncoding;
    return JSON.stringify(out);
  };

  function signBytes(algorithm: string | null | undefined, data: Data, key: unknown): Buffer {
    if (key === undefined || key === null) throw nodeError(Error, "ERR_CRYPTO_SIGN_KEY_REQUIRED", "No key provided to sign");
    const { keyObject, options } = prepare(key, "private");
    return toBuffer(call(host.keySign, algorithm ?? "", data, ids.get(keyObject) as number, signOptions(options)));
  }
  function verifyBytes(
    algorithm: string | null | undefined,
    data: Data,
    key: unknown,
    signature: Data,
    signatureEncoding?: string,
  ): boolean {
    const { keyObject, options } = prepare(key, "public");
    const id = ids.get(keyObject) as number;
    if (signatureEncoding === undefined) return call(host.keyVerify, algorithm ?? "", data, id, signature, signOptions(options));
    return call(host.keyVerify, algorithm ?? "", data, id, signature, signOptions(options), signatureEncoding);
  }

  const checkCallback = (callback: unknown) => {
    if (callback !== undefined && typeof callback !== "function") {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "callback" argument must be of type function. Received ${received(callback)}`,
      );
    }
  };

  function sign(algorithm: string | null | undefined, data: unknown, key: unknown, callback?: unknown): Buffer | undefined {
    checkCallback(callback);
    const bytes = dataArgument(data);
    if (callback === undefined) return signBytes(algorithm, bytes, key);
    later(callback, () => signBytes(algorithm, bytes, key));
  }
  function verify(
    algorithm: string | null | undefined,
    data: unknown,
    key: unknown,
    signature: unknown,
    callback?: unknown,
  ): boolean | undefined {
    checkCallback(callback);
    const bytes = dataArgument(data);
    const sig = dataArgument(signature, "signature");
    if (callback === undefined) return verifyBytes(algorithm, bytes, key, sig);
    later(callback, () => verifyBytes(algorithm, bytes, key, sig));
  }

  const { Sign, Verify } = createSignClasses(host, { signBytes, verifyBytes });

  /** generateKeyPairSync's options: the host's, with each key's export encoding read here. */
  type KeyPairOptions = Record<string, unknown> & {
    publicKeyEncoding?: KeyExportOptions;
    privateKeyEncoding?: KeyExportOptions;
    publicExponent?: number | bigint;
  };
  function generateKeyPairSync(type: unknown, options: KeyPairOptions | null = {}) {
    if (typeof type !== "string") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "type" argument must be of type string. Received ${received(type)}`);
    }
    const { publicKeyEncoding, privateKeyEncoding, publicExponent, ...rest } = options ?? {};
    const spec = { ...rest, ...(publicExponent === undefined ? {} : { publicExponent: Number(publicExponent) }) };
    const pair = JSON.parse(call(host.keyGenerate, type, JSON.stringify(spec))) as { publicKey: KeyInfo; privateKey: KeyInfo };
    const publicKey = keyObjectOf(pair.publicKey);
    const privateKey = keyObjectOf(pair.privateKey);
    return {
      publicKey: publicKeyEncoding ? publicKey.export(publicKeyEncoding) : publicKey,
      privateKey: privateKeyEncoding ? privateKey.export(privateKeyEncoding) : privateKey,
    };
  }
  function generateKeyPair(type: unknown, options: KeyPairOptions | null | undefined | Callback, callback?: Callback): void {
    if (typeof options === "function") [options, callback] = [undefined, options];
    if (typeof callback !== "function") {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "callback" argument must be of type function. Received ${received(callback)}`,
      );
    }
    later(
      (error: unknown, pair: ReturnType<typeof generateKeyPairSync>) =>
        error ? (callback as Callback)(error) : (callback as Callback)(null, pair.publicKey, pair.privateKey),
      () => generateKeyPairSync(type, options),
    );
  }
  function generateKeySync(type: unknown, options?: { length?: number } | null): KeyObject {
    if (type !== "hmac" && type !== "aes") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'type' must be a supported key type. Received '${type}'`);
    }
    const length = options?.length;
    if (type === "aes" && ![128, 192, 256].includes(length as number)) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_VALUE",
        `The property 'options.length' must be one of: 128, 192, 256. Received ${length}`,
      );
    }
    if (type === "hmac" && !(Number.isInteger(length) && (length as number) >= 8 && (length as number) <= 2 ** 31 - 1)) {
      throw nodeError(
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "options.length" is out of range. It must be >= 8 && <= 2147483647. Received ${length}`,
      );
    }
    return createSecretKey(randomBytes(Math.floor((length as number) / 8)));
  }

  /** publicEncrypt and friends: `kind` is the key they need. */
  const crypt =
    (op: string, kind: string, defaultPadding: number) =>
    (key: unknown, buffer: unknown): Buffer => {
      const { keyObject, options } = prepare(key, kind);
      const { padding = defaultPadding, oaepHash, oaepLabel } = options;
      const spec: { padding: unknown; oaepHash?: unknown; oaepLabel?: string } = { padding };
      if (oaepHash !== undefined) spec.oaepHash = oaepHash;
      if (oaepLabel !== undefined) spec.oaepLabel = Buffer.from(arrayBufferOf(oaepLabel as BufferSource)).toString("base64");
      return toBuffer(call(host.keyCrypt, op, ids.get(keyObject) as number, dataArgument(buffer, "buffer"), JSON.stringify(spec)));
    };

  function diffieHellman(options: unknown): Buffer {
    if (options === null || typeof options !== "object") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options" argument must be of type object. Received ${received(options)}`);
    }
    const { privateKey, publicKey } = options as { privateKey?: unknown; publicKey?: unknown };
    if (!(privateKey instanceof KeyObject)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The property 'options.privateKey' must be a private KeyObject.");
    }
    if (!(publicKey instanceof KeyObject)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The property 'options.publicKey' must be a public KeyObject.");
    }
    return toBuffer(call(host.keyDiffieHellman, ids.get(privateKey) as number, ids.get(publicKey) as number));
  }

  const node = {
    createPublicKey,
    createPrivateKey,
    sign,
    verify,
    createSign: (algorithm: unknown) => new Sign(algorithm),
    createVerify: (algorithm: unknown) => new Verify(algorithm),
    Sign,
    Verify,
    generateKeyPairSync,
    generateKeyPair,
    generateKeySync,
    generateKey: (type: unknown, options: { length?: number } | null | undefined, callback: unknown) => {
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
    getCurves: () => (call(host.keyEcdh, "curves") as string).split(","),
  };

  return {
    node,
    subtle: createSubtleKeys({ host, call, arrayBufferOf, CryptoKey, cryptoKeyToken, ids, created, keyObjectOf, fromCryptoKey }),
  };
}
