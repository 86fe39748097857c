// node:crypto's Hash and Hmac, and the hash functions Web Crypto and key derivation use, over the
// host's OpenSSL (src/sandbox/executor/native/hash.ts). A hash keeps its small updates here and sends them
// with the digest, so hashing a short message is one crossing; past BATCH_BYTES they go to a hash
// the host keeps under an id. Part of the crypto bundle.

import type { Bytes, Data, HashParts, HostCapabilities } from "../shared/guest-protocol.js";
import { Buffer } from "./crypto-node-args.js";
import { arrayBufferOf, isPlainText } from "./host-values.js";
import { callHost, nodeErrorOf } from "./native-error.js";
import { streamOnUse } from "./stream-on-use.js";

/** Updates kept before they cross: small enough to copy, large enough that short messages cross once. */
const BATCH_BYTES = 64 * 1024;
/** Kept updates before they cross: each is two arguments of the call. */
const BATCH_PARTS = 32;

let host: HostCapabilities;
/** The host functions, set by whichever of node:crypto and crypto.subtle is made first. */
export function useHost(hostFunctions: HostCapabilities): void {
  host ??= hostFunctions;
}

const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });

export const received = (value: unknown): string => {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === "function") return ` Received function ${value.name}`;
  if (typeof value === "object") {
    return value.constructor?.name ? ` Received an instance of ${value.constructor.name}` : ` Received ${String(value)}`;
  }
  let shown = typeof value === "string" ? `'${value.length > 25 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  if (typeof value === "bigint") shown += "n";
  return ` Received type ${typeof value} (${shown})`;
};

const invalidType = (name: string, expected: string, value: unknown) =>
  nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}.${received(value)}`);

export { arrayBufferOf };

// The host reads a short string as the C string QuickJS writes, which stops at a NUL and mangles a
// lone surrogate (a pair is whole UTF-8): a short string with either crosses as its bytes, encoded
// here (the package is exact for them; see native/hash.ts), and a plain one is hashed as the C
// string's bytes, undecoded (native/strings.ts withPlainBytes). A long one crosses exactly as it is
// (native/strings.ts hostText, at SHORT_STRING), unscanned: a scan takes ~7 ms over the 200 KB body
// of an SQS message. The test is two C built-ins, not a regular expression: 0.4 µs against 0.9.
const EXACT_STRING = 1024;
const isShortPlain = (text: string) => isPlainText(text, EXACT_STRING);
/** A string's crossing form: itself if plain (or long), else its bytes. */
const isPlain = (text: string) => text.length >= EXACT_STRING || isShortPlain(text);
const bytesOfString = (text: string, encoding?: string): Bytes => {
  const buf = Buffer.from(text, encoding || "utf8");
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as Bytes;
};

/** A key derivation input as it crosses: bytes as an ArrayBuffer, a plain string as it is, anything else as it is for Node's checks. */
export function kdfInput(value: unknown, name: string): unknown {
  if (typeof value === "string") return isPlain(value) ? value : bytesOfString(value);
  if (ArrayBuffer.isView(value)) return arrayBufferOf(value);
  if (value !== null && typeof value === "object" && !(value instanceof ArrayBuffer)) {
    throw invalidType(name, "of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView", value);
  }
  return value;
}

/**
 * The `how` of algorithms the host has accepted (a hash's with its output length, an Hmac's with its
 * key's kind), so creating one crosses once per name and builds no string.
 */
const hashHows = new Map<string, string>();
const hmacHows = new Map<string, string>();

/** A Hash's `how`, or Node's error if createHash would refuse the algorithm. */
function hashHow(algorithm: unknown, outputLength: number): string {
  if (typeof algorithm !== "string") throw invalidType("algorithm", "of type string", algorithm);
  const name = outputLength < 0 ? algorithm : `${algorithm}\n${outputLength}`;
  let how = hashHows.get(name);
  if (how === undefined) {
    callHost(host.hashCheck, algorithm, outputLength);
    how = `${algorithm}\n${outputLength}\n`;
    hashHows.set(name, how);
  }
  return how;
}

/** The last plain-key Hmac's algorithm and `how`: a handler signing with one algorithm skips the map. */
let lastHmacAlgorithm: unknown = Symbol("none");
let lastHmacHow = "";

function hmacHow(algorithm: unknown, keyKind: string): string {
  if (algorithm === lastHmacAlgorithm && keyKind === "plain") return lastHmacHow;
  if (typeof algorithm !== "string") throw invalidType("hmac", "of type string", algorithm);
  const name = keyKind === "plain" ? algorithm : `${algorithm}\n${keyKind}`;
  let how = hmacHows.get(name);
  if (how === undefined) {
    callHost(host.hmacCheck, algorithm);
    how = `${algorithm}\n${keyKind}\n`;
    hmacHows.set(name, how);
  }
  if (keyKind === "plain") {
    lastHmacAlgorithm = algorithm;
    lastHmacHow = how;
  }
  return how;
}

/** The last short string key found plain: a handler signing with one secret tests it once. */
let plainKey: string | undefined;

/**
 * The HMAC setup the host holds (hmacSetup): a digest with the same `how`, plain key and output
 * encoding sends only its data, and the host reads the key and the names once (~1 µs of a small HMAC).
 */
let setupId = 0;
let setupHow = "";
let setupKey = "";
let setupEncoding = "";

function hmacPlain(how: string, key: string, encoding: string, data: Data): Data {
  if (how === setupHow && key === setupKey && encoding === setupEncoding) {
    const out = host.hmacWith(setupId, data as string);
    if (out !== undefined) return out;
  }
  setupId += 1;
  host.hmacSetup(setupId, how + encoding, key);
  setupHow = how;
  setupKey = key;
  setupEncoding = encoding;
  return host.hmacWith(setupId, data as string) as Data;
}

// A hash dropped before its digest frees its host half when the guest collects it.
let registry: FinalizationRegistry<number> | undefined;

/** Updates past a lone short plain string: kept parts (data, encoding pairs), their size, the host's hash once they crossed. */
interface Batch {
  parts: HashParts;
  bytes: number;
  id: number;
}

/** A digest's state once it is digested: nothing more may be added. */
const DIGESTED: Batch = { parts: [], bytes: 0, id: 0 };

// Three fields, set once: QuickJS pays ~0.09 µs a field at construction, and a small HMAC's whole
// guest side is a few µs. Most digests see one short plain string, kept as it is.
class Digest {
  /** The host's `how` but for the output encoding: "algorithm\nkind\n", kind an Hmac key's ("plain", "utf8" or "bytes": native/hash.ts) or a Hash's output length. */
  #how: string;
  /** An Hmac's key, a plain string or an ArrayBuffer; undefined for a Hash. */
  #key: Data | undefined;
  /** null before the first update; the update itself while it is one short plain string; then a Batch; DIGESTED after the digest. */
  #state: string | Batch | null = null;
  // Set on the prototype below, and by node:stream once the digest is used as one (stream-on-use.ts).
  declare _transform: (chunk: Uint8Array | string, encoding: string, callback: () => void) => void;
  declare _flush: (callback: () => void) => void;
  declare push: (chunk: unknown) => boolean;

  constructor(how: string, key: Data | undefined) {
    this.#how = how;
    this.#key = key;
  }

  update(data: unknown, inputEncoding?: unknown): this {
    const state = this.#state;
    if (state === DIGESTED) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    if (state === null && typeof data === "string" && inputEncoding === undefined && isShortPlain(data)) {
      this.#state = data;
      return this;
    }
    const batch =
      typeof state === "string" ? { parts: [state, ""], bytes: state.length, id: 0 } : (state ?? { parts: [], bytes: 0, id: 0 });
    this.#state = batch;
    let part: Data;
    let encoding: string;
    let size: number;
    if (typeof data === "string") {
      // "" for UTF-8: the host reads a short plain string's bytes as they are; a long one it reads exactly, named "utf8".
      encoding = typeof inputEncoding === "string" && inputEncoding !== "bytes" && inputEncoding !== "utf8" ? inputEncoding : "";
      size = data.length;
      if (size >= EXACT_STRING) {
        part = data;
        if (encoding === "") encoding = "utf8";
      } else if (isShortPlain(data)) part = data;
      else {
        part = bytesOfString(data, encoding);
        encoding = "bytes";
      }
    } else if (ArrayBuffer.isView(data)) {
      encoding = "bytes";
      size = data.byteLength;
      if (size + batch.bytes < BATCH_BYTES && batch.parts.length < BATCH_PARTS * 2) {
        // Kept bytes are copied: the caller may change its buffer before the digest, and Node has read it already.
        part = data.buffer.slice(data.byteOffset, data.byteOffset + size) as Bytes;
      } else part = arrayBufferOf(data);
    } else throw invalidType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    batch.parts.push(part, encoding);
    batch.bytes += size;
    if (batch.bytes >= BATCH_BYTES || batch.parts.length > BATCH_PARTS * 2) this.#flush(batch);
    return this;
  }

  digest(outputEncoding?: unknown): string | Buffer {
    const state = this.#state;
    if (state === DIGESTED) {
      // Node's Hmac answers a second digest with nothing; a Hash refuses it.
      if (this.#key !== undefined) return outputEncoding === undefined || outputEncoding === "buffer" ? Buffer.alloc(0) : "";
      throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    }
    this.#state = DIGESTED;
    const encoding = typeof outputEncoding === "string" && outputEncoding !== "buffer" ? outputEncoding : "";
    let out: Data;
    try {
      if (typeof state === "string") {
        // The hot path, inlined (a call is ~0.07 µs): an HMAC under the setup the host holds.
        const held = this.#key === setupKey && this.#how === setupHow && encoding === setupEncoding;
        out = (held ? host.hmacWith(setupId, state) : undefined) ?? this.#once(state, "", encoding);
      } else if (state === null)
        out = this.#key === undefined ? host.hashOnce(this.#how + encoding) : host.hmacOnce(this.#how + encoding, this.#key);
      else if (state.id !== 0) {
        (registry as FinalizationRegistry<number>).unregister(this);
        out = host.hashDigest(state.id, encoding, ...state.parts);
      } else if (state.parts.length === 2) out = this.#once(state.parts[0] as Data, state.parts[1] as string, encoding);
      else if (this.#key === undefined) out = host.hashOnce(this.#how + encoding, ...state.parts);
      else out = host.hmacOnce(this.#how + encoding, this.#key, ...state.parts);
    } catch (error) {
      throw nodeErrorOf(error);
    }
    return typeof out === "string" ? out : Buffer.from(out);
  }

  /**
   * The digest of one part, the common case: a call with spread arguments costs QuickJS ~3 µs more,
   * and every argument a handle read (a UTF-8 string's encoding, "", is left out).
   */
  #once(data: Data, dataEncoding: string, encoding: string): Data {
    const key = this.#key;
    // A string key is plain when short (others crossed as bytes): native/hash.ts's "plain" kind.
    if (typeof key === "string" && dataEncoding === "" && key.length < EXACT_STRING) return hmacPlain(this.#how, key, encoding, data);
    const how = this.#how + encoding;
    if (key === undefined) return dataEncoding === "" ? host.hashOnce(how, data) : host.hashOnce(how, data, dataEncoding);
    return dataEncoding === "" ? host.hmacOnce(how, key, data) : host.hmacOnce(how, key, data, dataEncoding);
  }

  /** Hash's copy (Hmac has none): the kept updates are shared, the host's hash is copied there. */
  static copy(source: Digest, options?: HashOptions): Hash {
    const state = source.#state;
    if (state === DIGESTED) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    const [algorithm, kept] = source.#how.split("\n") as [string, string];
    const outputLength = options?.outputLength ?? Number(kept);
    const copy = new Hash(algorithm, outputLength < 0 ? undefined : { outputLength });
    if (state === null || typeof state === "string") copy.#state = state;
    else if (state.id === 0) copy.#state = { parts: [...state.parts], bytes: state.bytes, id: 0 };
    else {
      // The host's hash first takes the updates kept here, then is copied.
      if (state.parts.length > 0) source.#flush(state);
      const batch: Batch = { parts: [], bytes: 0, id: 0 };
      copy.#state = batch;
      copy.#own(batch, callHost(host.hashCopy, state.id, outputLength));
    }
    return copy;
  }

  #flush(batch: Batch) {
    const parts = batch.parts;
    batch.parts = [];
    batch.bytes = 0;
    if (batch.id !== 0) {
      callHost(host.hashUpdate, batch.id, ...parts);
      return;
    }
    const [algorithm, kind] = this.#how.split("\n") as [string, string];
    if (this.#key === undefined) this.#own(batch, callHost(host.hashCreate, algorithm, Number(kind), ...parts));
    else this.#own(batch, callHost(host.hmacCreate, algorithm, this.#key, kind, ...parts));
  }

  #own(batch: Batch, id: number): void {
    batch.id = id;
    registry ??= new FinalizationRegistry((held) => host.hashFree(held));
    registry.register(this, id, this);
  }
}

// Hash and Hmac are Transform streams in Node (written to, or piped into and out of).
streamOnUse(Digest, "Transform");
Digest.prototype._transform = function (chunk, encoding, callback) {
  this.update(chunk, encoding === "buffer" ? undefined : encoding);
  callback();
};
Digest.prototype._flush = function (callback) {
  this.push(this.digest());
  callback();
};

/** `new Hash(algorithm, options)`, as Node allows: its constructor is exported. */
/** createHash's options: an XOF's output length. */
interface HashOptions {
  outputLength?: number;
}

export class Hash extends Digest {
  constructor(algorithm: unknown, options?: HashOptions) {
    super(hashHow(algorithm, options?.outputLength ?? -1), undefined);
  }
  copy(options?: HashOptions): Hash {
    return Digest.copy(this, options);
  }
}

const KEY_TYPES = "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey";

/** `key`: a string, bytes, or the bytes of the KeyObject or CryptoKey node:crypto was given. */
export class Hmac extends Digest {
  constructor(algorithm: unknown, key: unknown) {
    let secret: Data;
    let kind = "bytes";
    if (typeof key === "string") {
      if (key === plainKey || isShortPlain(key)) {
        secret = key;
        kind = "plain";
        plainKey = key;
      } else if (key.length >= EXACT_STRING) {
        secret = key;
        kind = "utf8";
      } else secret = bytesOfString(key);
    }
    // Copied: the caller may change its buffer before the digest.
    else if (ArrayBuffer.isView(key)) secret = key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength) as Bytes;
    else if (key instanceof ArrayBuffer) secret = key.slice(0);
    else throw invalidType("key", KEY_TYPES, key);
    super(hmacHow(algorithm, kind), secret);
  }
}

export const createHash = (algorithm: unknown, options?: HashOptions): Hash => new Hash(algorithm, options);
export const createHmac = (algorithm: unknown, key: unknown): Hmac => new Hmac(algorithm, key);

/** Web Crypto's digest, or its HMAC with `key` (an ArrayBuffer), of `data` (bytes), in one crossing. */
export function digestOf(algorithm: string, data: ArrayBufferView | ArrayBuffer, key?: Bytes): Bytes {
  const bytes = arrayBufferOf(data);
  if (key === undefined) return callHost(host.hashOnce, `${algorithm}\n-1\n`, bytes, "bytes") as Bytes;
  return callHost(host.hmacOnce, `${algorithm}\nbytes\n`, key, bytes, "bytes") as Bytes;
}

export const pbkdf2 = (password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown): Bytes =>
  callHost(host.hashPbkdf2, password, salt, iterations, keylen, digest);
type HostWork = (start: (id: number) => void) => Promise<Bytes>;
const hostWork = (start: (id: number) => void): Promise<Bytes> =>
  ((globalThis as unknown as Record<symbol, HostWork>)[Symbol.for("isolambda.hostWork")] as HostWork)(start);

/** pbkdf2 on the host's thread pool: Node's argument errors are thrown at once, the key comes later. */
export const pbkdf2Later = (password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown): Promise<Bytes> =>
  hostWork((id) => callHost(host.hashPbkdf2Start, id, password, salt, iterations, keylen, digest));
export const scryptLater = (password: unknown, salt: unknown, keylen: unknown, options: unknown): Promise<Bytes> =>
  hostWork((id) => callHost(host.hashScryptStart, id, password, salt, keylen, JSON.stringify(options ?? {})));
export const hkdfLater = (digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown): Promise<Bytes> =>
  hostWork((id) => callHost(host.hashHkdfStart, id, digest, ikm, salt, info, keylen));
export const hkdf = (digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown): Bytes =>
  callHost(host.hashHkdf, digest, ikm, salt, info, keylen);
export const scrypt = (password: unknown, salt: unknown, keylen: unknown, options: unknown): Bytes =>
  callHost(host.hashScrypt, password, salt, keylen, JSON.stringify(options ?? {}));
export const hashNames = (): string[] => host.hashNames().split(",");
