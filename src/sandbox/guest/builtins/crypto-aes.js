// AES for node:crypto (createCipheriv / createDecipheriv) and Web Crypto (AES-GCM, AES-CBC,
// AES-CTR) over @noble/ciphers. A bundle of its own: hashing alone does not pay for it.
import { cbc, ctr, ecb, gcm } from "@noble/ciphers/aes.js";
import { Buffer } from "buffer";

const nodeError = (Kind, code, message) => Object.assign(new Kind(message), { code });

const bytesOf = (data, encoding, name) => {
  if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView.`,
  );
};

/** OpenSSL's AES cipher names as Node accepts them: aes-256-gcm, aes-128-cbc, aes256 (CBC), ... */
function cipherSpec(algorithm) {
  const match = /^(?:id-)?aes-?(128|192|256)(?:-(gcm|cbc|ctr|ecb))?$/i.exec(String(algorithm));
  if (!match) throw nodeError(TypeError, "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher");
  return { keyLength: Number(match[1]) / 8, mode: (match[2] ?? "cbc").toLowerCase() };
}

const AUTH_FAILED = "Unsupported state or unable to authenticate data";

/** One Cipheriv or Decipheriv; input is collected and transformed at final(), as AEAD requires. */
class AesCipher {
  #encrypt;
  #mode;
  #key;
  #iv;
  #chunks = [];
  #aad;
  #tag;
  #padding = true;
  #done = false;

  constructor(encrypt, algorithm, key, iv, options = {}) {
    const { keyLength, mode } = cipherSpec(algorithm);
    this.#encrypt = encrypt;
    this.#mode = mode;
    this.#key = Uint8Array.from(bytesOf(key, undefined, "key"));
    if (this.#key.length !== keyLength) throw nodeError(RangeError, "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length");
    this.#iv = iv === null || iv === undefined ? undefined : Uint8Array.from(bytesOf(iv, undefined, "iv"));
    const ivOk =
      mode === "ecb" ? this.#iv === undefined || this.#iv.length === 0 : mode === "gcm" ? this.#iv?.length > 0 : this.#iv?.length === 16;
    if (!ivOk) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector");
    if (mode === "gcm" && (options.authTagLength ?? 16) !== 16) {
      throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "isolambda's AES-GCM uses 16-byte authentication tags only");
    }
  }
  update(data, inputEncoding, outputEncoding) {
    if (this.#done) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation update");
    this.#chunks.push(Uint8Array.from(bytesOf(data, inputEncoding, "data")));
    return outputEncoding && outputEncoding !== "buffer" ? "" : Buffer.alloc(0);
  }
  final(outputEncoding) {
    if (this.#done) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation final");
    this.#done = true;
    const input = Buffer.concat(this.#chunks);
    let out;
    if (this.#mode === "gcm") {
      const engine = gcm(this.#key, this.#iv, this.#aad);
      if (this.#encrypt) {
        const sealed = engine.encrypt(input);
        out = sealed.subarray(0, sealed.length - 16);
        this.#tag = sealed.subarray(sealed.length - 16);
      } else {
        if (this.#tag?.length !== 16) throw new Error(AUTH_FAILED);
        try {
          out = engine.decrypt(Buffer.concat([input, this.#tag]));
        } catch {
          throw new Error(AUTH_FAILED);
        }
      }
    } else {
      const engine =
        this.#mode === "ctr"
          ? ctr(this.#key, this.#iv)
          : this.#mode === "ecb"
            ? ecb(this.#key, { disablePadding: !this.#padding })
            : cbc(this.#key, this.#iv, { disablePadding: !this.#padding });
      try {
        out = this.#encrypt ? engine.encrypt(input) : engine.decrypt(input);
      } catch (error) {
        if (this.#encrypt) throw nodeError(Error, "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", `wrong final block length: ${error.message}`);
        throw nodeError(Error, "ERR_OSSL_BAD_DECRYPT", "bad decrypt");
      }
    }
    const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    return outputEncoding && outputEncoding !== "buffer" ? buf.toString(outputEncoding) : buf;
  }
  setAAD(buffer) {
    if (this.#mode !== "gcm") throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation setAAD");
    this.#aad = Uint8Array.from(bytesOf(buffer, undefined, "buffer"));
    return this;
  }
  setAutoPadding(autoPadding = true) {
    this.#padding = Boolean(autoPadding);
    return this;
  }
  getAuthTag() {
    if (!this.#encrypt || this.#mode !== "gcm" || this.#tag === undefined) {
      throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation getAuthTag");
    }
    return Buffer.from(this.#tag);
  }
  setAuthTag(tag) {
    if (this.#encrypt || this.#mode !== "gcm") throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation setAuthTag");
    this.#tag = Uint8Array.from(bytesOf(tag, undefined, "buffer"));
    return this;
  }
}

export const createCipheriv = (algorithm, key, iv, options) => new AesCipher(true, algorithm, key, iv, options);
export const createDecipheriv = (algorithm, key, iv, options) => new AesCipher(false, algorithm, key, iv, options);

const domError = (name, message) => Object.assign(new Error(message), { name });

/** Web Crypto's AES encrypt/decrypt: `name` is AES-GCM, AES-CBC or AES-CTR; `key` the raw key bytes. */
export function webCipher(encrypt, name, params, key, data) {
  try {
    if (name === "AES-GCM") {
      const tagLength = params.tagLength ?? 128;
      if (tagLength !== 128) throw domError("NotSupportedError", "isolambda's AES-GCM uses 128-bit tags only");
      const engine = gcm(key, params.iv, params.additionalData);
      return encrypt ? engine.encrypt(data) : engine.decrypt(data);
    }
    if (name === "AES-CBC") {
      const engine = cbc(key, params.iv);
      return encrypt ? engine.encrypt(data) : engine.decrypt(data);
    }
    const engine = ctr(key, params.counter);
    return encrypt ? engine.encrypt(data) : engine.decrypt(data);
  } catch (error) {
    if (error?.name === "NotSupportedError") throw error;
    throw domError(
      "OperationError",
      encrypt ? "The operation failed for an operation-specific reason" : "The provided data is too small or not authentic",
    );
  }
}
