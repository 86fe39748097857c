// Ciphers for node:crypto (createCipheriv / createDecipheriv: AES GCM, CBC, CTR, ECB and
// ChaCha20-Poly1305) and Web Crypto (AES-GCM, AES-CBC, AES-CTR), run by the host's OpenSSL
// (src/sandbox/executor/native/cipher.ts). A cipher here is an id for the host's; every update is one
// crossing that returns its output, as Node's does. A bundle of its own: hashing does not pay for it.
// Ciphers are Transform streams too, made one on first use as one (stream-on-use.ts).
import { Buffer } from "buffer";
import type { Data, HostCapabilities } from "../../shared/guest-protocol.js";
import { arrayBufferOf, received } from "../host-values.js";
import { callHost as call } from "../native-error.js";
import { streamOnUse } from "../stream-on-use.js";

const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });

const isBytes = (data: unknown): data is ArrayBufferView | ArrayBuffer => ArrayBuffer.isView(data) || data instanceof ArrayBuffer;

/** A string (the host decodes it in its encoding) or bytes; Node's error for anything else. */
function dataOf(data: unknown, name: string, accepted: string): Data {
  if (typeof data === "string") return data;
  if (isBytes(data)) return arrayBufferOf(data);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of ${accepted}. Received ${received(data)}`,
  );
}

/** A secret KeyObject is its bytes; other key forms go to the host as they are. */
const keyOf = (key: unknown): Data =>
  typeof (key as SecretKey | undefined)?.export === "function" && (key as SecretKey).type === "secret"
    ? arrayBufferOf((key as SecretKey).export())
    : dataOf(key, "key", "ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey");

/** A secret KeyObject, as far as a cipher reads one. */
interface SecretKey {
  type: string;
  export(): Uint8Array;
}

const result = (out: Data): string | Buffer => (typeof out === "string" ? out : Buffer.from(out));
const encodingOf = (encoding: unknown): string | undefined =>
  encoding === "buffer" || encoding === null ? undefined : (encoding as string | undefined);

let host: HostCapabilities;
/** The host functions, given by node:crypto before its first cipher (the classes are Node's public ones, without them). */
export function useHost(hostFunctions: HostCapabilities): void {
  host ??= hostFunctions;
}

// A cipher dropped unfinished frees its host half when the guest collects it.
let registry: FinalizationRegistry<number> | undefined;
/** A sealing cipher's tag, once final() has made it. */
const tags = new WeakMap<object, Buffer>();

/** createCipheriv's options Node reads here: an AEAD tag's length; and the stream's, once the cipher is used as one. */
interface CipherOptions {
  authTagLength?: number;
  defaultEncoding?: string;
}
/** The options a cipher was made with, kept (only when given) for its stream. */
const streamOptions = new WeakMap<object, CipherOptions>();

class CipherBase {
  #id: number;
  #done = false;
  // Set on the prototype below, and by node:stream once the cipher is used as one.
  declare _transform: (chunk: Uint8Array | string, encoding: string, callback: () => void) => void;
  declare _flush: (callback: (error?: unknown) => void) => void;
  declare push: (chunk: unknown) => boolean;
  declare _writableState: { decodeStrings: boolean; defaultEncoding: string };

  constructor(encrypt: boolean, algorithm: unknown, key: unknown, iv: unknown, options?: CipherOptions) {
    if (typeof algorithm !== "string") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "cipher" argument must be of type string. Received ${received(algorithm)}`);
    }
    const ivData = iv === null || iv === undefined ? undefined : dataOf(iv, "iv", "ArrayBuffer, Buffer, TypedArray, or DataView");
    this.#id = call(host.cipherCreate, encrypt, algorithm, keyOf(key), ivData, options?.authTagLength);
    registry ??= new FinalizationRegistry((id) => host.cipherFree(id));
    registry.register(this, this.#id, this);
    if (options !== undefined && options !== null) streamOptions.set(this, options);
  }
  update(data: unknown, inputEncoding?: string, outputEncoding?: string | null): string | Buffer {
    if (this.#done) throw new Error("Trying to add data in unsupported state");
    const input = dataOf(data, "data", "Buffer, TypedArray, or DataView");
    return result(call(host.cipherUpdate, this.#id, input, inputEncoding, encodingOf(outputEncoding)));
  }
  final(outputEncoding?: string | null): string | Buffer {
    if (this.#done) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state");
    this.#done = true;
    (registry as FinalizationRegistry<number>).unregister(this);
    const out = call(host.cipherFinal, this.#id, encodingOf(outputEncoding));
    if (typeof out === "object" && !(out instanceof ArrayBuffer)) {
      tags.set(this, Buffer.from(out.tag));
      return result(out.output);
    }
    return result(out);
  }
  setAAD(buffer: unknown, options?: { plaintextLength?: number }): this {
    this.#whileOpen("setAAD");
    call(host.cipherSetAAD, this.#id, arrayBufferOf(bytesArg(buffer, "buffer")), options?.plaintextLength);
    return this;
  }
  setAutoPadding(autoPadding: unknown = true): this {
    this.#whileOpen("setAutoPadding");
    call(host.cipherSetAutoPadding, this.#id, Boolean(autoPadding));
    return this;
  }
  setAuthTag(tag: unknown): this {
    this.#whileOpen("setAuthTag");
    call(host.cipherSetAuthTag, this.#id, arrayBufferOf(bytesArg(tag, "buffer")));
    return this;
  }
  #whileOpen(operation: string): void {
    if (this.#done) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", `Invalid state for operation ${operation}`);
  }
}

// As Node's LazyTransform: the stream gets createCipheriv's options, and takes written strings as
// they are (the cipher decodes them), as UTF-8 ("buffer") unless the options name a defaultEncoding.
streamOnUse(CipherBase, "Transform", (cipher, Transform) => {
  const options = streamOptions.get(cipher);
  Transform.call(cipher, options);
  const state = (cipher as CipherBase)._writableState;
  state.decodeStrings = false;
  if (!options?.defaultEncoding) state.defaultEncoding = "buffer";
});
// Node's stream calls the cipher's own update and final, whatever a subclass overrides. An update's
// error is thrown by write(), as in Node; a final's (a wrong tag) is the stream's error.
const { update, final } = CipherBase.prototype;
CipherBase.prototype._transform = function (chunk, encoding, callback) {
  this.push(update.call(this, chunk, encoding));
  callback();
};
CipherBase.prototype._flush = function (callback) {
  try {
    this.push(final.call(this));
  } catch (error) {
    callback(error);
    return;
  }
  callback();
};

function bytesArg(data: unknown, name: string): ArrayBufferView | ArrayBuffer {
  if (isBytes(data)) return data;
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received ${received(data)}`,
  );
}

class Cipheriv extends CipherBase {
  constructor(algorithm: unknown, key: unknown, iv: unknown, options?: CipherOptions) {
    super(true, algorithm, key, iv, options);
  }
  getAuthTag(): Buffer {
    const tag = tags.get(this);
    if (tag === undefined) throw nodeError(Error, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation getAuthTag");
    return Buffer.from(tag);
  }
}
class Decipheriv extends CipherBase {
  constructor(algorithm: unknown, key: unknown, iv: unknown, options?: CipherOptions) {
    super(false, algorithm, key, iv, options);
  }
}

export { Cipheriv, Decipheriv };

export const createCipheriv = (algorithm: unknown, key: unknown, iv: unknown, options?: CipherOptions): Cipheriv =>
  new Cipheriv(algorithm, key, iv, options);
export const createDecipheriv = (algorithm: unknown, key: unknown, iv: unknown, options?: CipherOptions): Decipheriv =>
  new Decipheriv(algorithm, key, iv, options);

const domError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Web Crypto's AES encrypt/decrypt: `name` is AES-GCM, AES-CBC or AES-CTR; `key` the raw key bytes. */
/** A Web Crypto cipher's parameters, its BufferSources already copied (crypto-subtle.ts). */
export interface WebCipherParams {
  iv?: Uint8Array;
  counter?: Uint8Array;
  additionalData?: Uint8Array;
  tagLength?: number;
  length?: number;
}

export function webCipher(
  host: HostCapabilities,
  encrypt: boolean,
  name: string,
  params: WebCipherParams,
  key: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const length = name === "AES-GCM" ? params.tagLength : params.length;
  // AES-KW has no parameters: RFC 3394's fixed initial value is the host's.
  const iv = name === "AES-CTR" ? params.counter : name === "AES-KW" ? new Uint8Array(0) : params.iv;
  if (iv === undefined) throw domError("OperationError", `algorithm.${name === "AES-CTR" ? "counter" : "iv"} is required`);
  const extra = params.additionalData === undefined ? undefined : arrayBufferOf(params.additionalData);
  try {
    return new Uint8Array(host.cipherWeb(encrypt, name, arrayBufferOf(key), arrayBufferOf(iv), extra, length, arrayBufferOf(data)));
  } catch (error) {
    throw domError(
      (error as Partial<Error> | undefined)?.name ?? "OperationError",
      (error as Partial<Error> | undefined)?.message ?? String(error),
    );
  }
}
