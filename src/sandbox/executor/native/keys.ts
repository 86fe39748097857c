/**
 * Keys and signatures for the guest's node:crypto and Web Crypto, run by the host's OpenSSL: key
 * import and export (PEM, DER, JWK), sign and verify, key pair generation, RSA encryption and
 * Diffie-Hellman. Key material stays in this environment's table; the guest holds its number.
 * Errors are Node's own (its code, name and message), thrown into the guest as they were thrown here.
 */
import {
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  createSign,
  diffieHellman,
  ECDH,
  generateKeyPairSync,
  getCurves,
  type KeyObject,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  sign,
  verify,
} from "node:crypto";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostFunction, HostImplementation } from "../guest-host.js";
import { newGuestBytes } from "./guest-heap.js";
import { bytesOf, outOfRange } from "./guest-values.js";
import { checkBits, checkTime, MAX_DSA_BITS, MAX_RSA_BITS, MAX_SAFE_PRIME_BITS, pastMemorySize, type WorkLimits } from "./work-bounds.js";

/**
 * Keys one environment may hold at once. Importing the same key again returns the same entry
 * (counted), and the guest releases entries as its KeyObjects are collected, so a handler that
 * imports its verification key on every invocation stays at one entry.
 */
const MAX_KEYS = 10_000;

/**
 * What a key holds on the host, counted in the function's memory: an imported key about three
 * times its input (measured: a public key with a 2 MB modulus, from a 2.8 MB JWK, held 5.7 MB; an
 * RSA-2048 public key from its JWK 2.9 KB), a generated one a few times its modulus.
 */
const KEY_BYTES = 2048;
const importedKeyBytes = (input: number): number => KEY_BYTES + 3 * input;
const generatedKeyBytes = (bits: unknown): number => 2 * KEY_BYTES + (typeof bits === "number" ? Math.ceil(bits / 2) : 0);

interface Entry {
  key: KeyObject;
  refs: number;
  intern: string;
  /** Its share of the function's memory. */
  bytes: number;
}

/** What the guest learns of a key: never its material. */
interface KeyInfo {
  id: number;
  type: string;
  asymmetricKeyType?: string;
  details?: Record<string, unknown>;
}

const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("base64");
};

export function keyFunctions(ctx: QuickJSContext, limits: WorkLimits) {
  const entries = new Map<number, Entry>();
  const interned = new Map<string, number>();
  let nextId = 1;

  /** A host error as the guest's: same name, code and message. */
  const thrown = (error: unknown): { error: QuickJSHandle } => {
    const e = error instanceof Error ? error : new Error(String(error));
    const handle = ctx.newError(e.message);
    const fields: Record<string, string | undefined> = { name: e.name, code: (e as { code?: string }).code };
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      using v = ctx.newString(value);
      ctx.setProp(handle, name, v);
    }
    return { error: handle };
  };
  /** Runs `body` with Node's errors passed to the guest. */
  const guarded =
    (body: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): HostFunction =>
    (...args) => {
      try {
        return body(...args);
      } catch (error) {
        return thrown(error);
      }
    };

  const str = (h: QuickJSHandle | undefined): string => (h === undefined ? "" : ctx.getString(h));
  const json = <T>(h: QuickJSHandle | undefined): T => JSON.parse(str(h) || "{}") as T;
  /** A string or ArrayBuffer argument (the ArrayBuffer copied out of the guest's memory). */
  const data = (h: QuickJSHandle | undefined): string | Buffer | undefined => {
    if (h === undefined) return undefined;
    const kind = ctx.typeof(h);
    if (kind === "string") return ctx.getString(h);
    if (kind !== "object") return undefined;
    return bytesOf(ctx, h);
  };
  const bytes = (h: QuickJSHandle | undefined): Buffer => {
    const value = data(h);
    return typeof value === "string" ? Buffer.from(value) : (value ?? Buffer.alloc(0));
  };
  const newBytes = (out: Uint8Array): QuickJSHandle => newGuestBytes(ctx, out);

  const entryOf = (id: number): Entry => {
    const entry = entries.get(id);
    if (!entry) {
      throw Object.assign(new TypeError("The key is no longer held by this environment (made before a SnapStart snapshot?)"), {
        code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE",
      });
    }
    return entry;
  };
  const keyOf = (id: number): KeyObject => entryOf(id).key;

  const infoOf = (id: number, key: KeyObject): KeyInfo => {
    if (key.type === "secret") return { id, type: key.type };
    const details: Record<string, unknown> = { ...key.asymmetricKeyDetails };
    // BigInt does not cross as JSON; the guest turns it back.
    if (typeof details.publicExponent === "bigint") details.publicExponent = details.publicExponent.toString();
    return { id, type: key.type, asymmetricKeyType: key.asymmetricKeyType, details };
  };

  /**
   * Adds `key` to the table, its `bytes` counted in the function's memory, or counts one more
   * holder of the equal key made from the same input.
   */
  const hold = (intern: string, bytes: number, make: () => KeyObject): KeyInfo => {
    const existing = interned.get(intern);
    if (existing !== undefined) {
      const entry = entries.get(existing) as Entry;
      entry.refs++;
      return infoOf(existing, entry.key);
    }
    if (entries.size >= MAX_KEYS) {
      throw outOfRange(`An environment holds at most ${MAX_KEYS} keys at once`);
    }
    if (!limits.hold(bytes)) throw pastMemorySize();
    let key: KeyObject;
    try {
      key = make();
    } catch (error) {
      limits.hold(-bytes);
      throw error;
    }
    const id = nextId++;
    entries.set(id, { key, refs: 1, intern, bytes });
    interned.set(intern, id);
    return infoOf(id, key);
  };
  /** A generated key: unique, never interned. */
  const holdNew = (key: KeyObject, bits: unknown): KeyInfo => hold(`new:${nextId}`, generatedKeyBytes(bits), () => key);

  const reply = (value: unknown): QuickJSHandle => ctx.newString(JSON.stringify(value));

  /** Node's key options for sign/verify/encrypt, with a key id in place of the key. */
  type KeyOptions = Record<string, unknown> & { oaepLabel?: string };
  const withKey = (id: number, options: KeyOptions) => {
    const { oaepLabel, ...rest } = options;
    return { ...rest, key: keyOf(id), ...(oaepLabel === undefined ? {} : { oaepLabel: Buffer.from(oaepLabel, "base64") }) };
  };

  const CRYPT = { publicEncrypt, privateDecrypt, privateEncrypt, publicDecrypt };

  return {
    /**
     * createPublicKey / createPrivateKey / createSecretKey. `input` is the key's text or bytes, or
     * absent when `options.keyId` names a key already held (a public key from a private one);
     * `options` is Node's key object without `key` (format, type, encoding, passphrase; `jwk` for JWK).
     */
    keyCreate: guarded((kind, input, optionsJson) => {
      const which = str(kind);
      const options = json<Record<string, unknown> & { keyId?: number; jwk?: unknown; passphrase?: string }>(optionsJson);
      const material = data(input);
      const { keyId, jwk, ...rest } = options;
      if (keyId !== undefined) {
        const { key: source, bytes } = entryOf(keyId);
        return reply(
          hold(`${which}:of:${keyId}`, bytes, () => (which === "public" ? createPublicKey(source) : createPrivateKey(source as never))),
        );
      }
      const text = jwk !== undefined ? JSON.stringify(jwk) : (material ?? "");
      const intern = `${which}:${sha256(JSON.stringify(rest), text)}`;
      return reply(
        hold(intern, importedKeyBytes(text.length), () => {
          if (which === "secret") return createSecretKey(Buffer.from(material ?? ""));
          const argument = { ...rest, key: jwk !== undefined ? jwk : material };
          return which === "public" ? createPublicKey(argument as never) : createPrivateKey(argument as never);
        }),
      );
    }),
    /** A guest KeyObject was collected: one holder fewer. */
    keyFree: (idHandle) => {
      const id = ctx.getNumber(idHandle);
      const entry = entries.get(id);
      if (entry && --entry.refs === 0) {
        entries.delete(id);
        interned.delete(entry.intern);
        limits.hold(-entry.bytes);
      }
      return undefined;
    },
    /** KeyObject.export: PEM text, DER bytes, or a JWK as JSON text. */
    keyExport: guarded((idHandle, optionsJson) => {
      const options = json<Record<string, unknown>>(optionsJson);
      const out = keyOf(ctx.getNumber(idHandle)).export(options as never) as unknown;
      if (typeof out === "string") return ctx.newString(out);
      if (out instanceof Uint8Array) return newBytes(out);
      return reply(out);
    }),
    // Keys of different types are unequal without asking OpenSSL: its comparison leaves an error on
    // the thread's queue that the next key operation (another environment's, perhaps) reports as its own.
    keyEquals: guarded((a, b) => {
      const [x, y] = [keyOf(ctx.getNumber(a)), keyOf(ctx.getNumber(b))];
      return x.asymmetricKeyType === y.asymmetricKeyType && x.equals(y) ? ctx.true : ctx.false;
    }),
    /** crypto.sign: `algorithm` may be "" (Ed25519, or the key's default); options are padding, saltLength, dsaEncoding. */
    keySign: guarded((algorithm, input, idHandle, optionsJson) => {
      const out = sign(str(algorithm) || null, bytes(input), withKey(ctx.getNumber(idHandle), json(optionsJson)) as never);
      return newBytes(out);
    }),
    keyVerify: guarded((algorithm, input, idHandle, signature, optionsJson, signatureEncoding) => {
      const encoding = str(signatureEncoding);
      const sig = encoding === "" ? bytes(signature) : Buffer.from(str(signature), encoding as BufferEncoding);
      const ok = verify(str(algorithm) || null, bytes(input), withKey(ctx.getNumber(idHandle), json(optionsJson)) as never, sig);
      return ok ? ctx.true : ctx.false;
    }),
    /** publicEncrypt, privateDecrypt, privateEncrypt, publicDecrypt; options are padding, oaepHash, oaepLabel (base64). */
    keyCrypt: guarded((op, idHandle, input, optionsJson) => {
      const fn = CRYPT[str(op) as keyof typeof CRYPT];
      return newBytes(fn(withKey(ctx.getNumber(idHandle), json(optionsJson)) as never, bytes(input)));
    }),
    /** generateKeyPairSync without encodings (the guest exports with them): the two keys' infos. */
    keyGenerate: guarded((type, optionsJson) => {
      const options = json<Record<string, unknown> & { publicExponent?: number }>(optionsJson);
      checkTime(limits);
      checkKeyGeneration(str(type), options);
      const pair = generateKeyPairSync(str(type) as never, options as never) as unknown as { publicKey: KeyObject; privateKey: KeyObject };
      const bits = options.modulusLength ?? options.primeLength;
      return reply({ publicKey: holdNew(pair.publicKey, bits), privateKey: holdNew(pair.privateKey, bits) });
    }),
    /** createSign/createVerify's check of the digest name, with Node's error for an unknown one. */
    keyDigest: guarded((algorithm) => {
      createSign(str(algorithm));
      return undefined;
    }),
    keyDiffieHellman: guarded((privateId, publicId) =>
      newBytes(diffieHellman({ privateKey: keyOf(ctx.getNumber(privateId)), publicKey: keyOf(ctx.getNumber(publicId)) })),
    ),
    /**
     * The ECDH class over raw keys (its API hands the guest the private key anyway): "generate"
     * answers private‖public, "public" the public key of `privateKey`, "compute" the shared secret,
     * "convert" a public key in another point format.
     */
    keyEcdh: guarded((op, curve, privateKey, otherKey, formatHandle) => {
      if (str(op) === "curves") return ctx.newString(getCurves().join(","));
      const ecdh = createECDH(str(curve));
      const format = (str(formatHandle) || "uncompressed") as "uncompressed" | "compressed" | "hybrid";
      switch (str(op)) {
        case "generate": {
          ecdh.generateKeys();
          return reply({ privateKey: ecdh.getPrivateKey("base64"), publicKey: ecdh.getPublicKey("base64", format) });
        }
        case "public":
          ecdh.setPrivateKey(bytes(privateKey));
          return newBytes(ecdh.getPublicKey(null, format));
        case "compute":
          ecdh.setPrivateKey(bytes(privateKey));
          return newBytes(ecdh.computeSecret(bytes(otherKey)));
        case "check":
          return undefined;
        case "convert":
          return newBytes(ECDH.convertKey(bytes(otherKey), str(curve), undefined, undefined, format) as Buffer);
        default:
          throw new TypeError(`Unknown ECDH operation ${str(op)}`);
      }
    }),
  } satisfies Partial<HostImplementation>;
}

/** Key sizes whose generation would hold the host's thread too long (work-bounds.ts). */
function checkKeyGeneration(type: string, options: Record<string, unknown>): void {
  const { modulusLength, primeLength } = options;
  if (typeof modulusLength === "number") {
    if (type === "rsa" || type === "rsa-pss") checkBits(modulusLength, MAX_RSA_BITS, "generates RSA keys");
    if (type === "dsa") checkBits(modulusLength, MAX_DSA_BITS, "generates DSA keys");
  }
  if (type === "dh" && typeof primeLength === "number") checkBits(primeLength, MAX_SAFE_PRIME_BITS, "generates Diffie-Hellman primes");
}
