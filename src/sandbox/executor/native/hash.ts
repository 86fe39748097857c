/**
 * Hashes, HMAC and key derivation for node:crypto and Web Crypto, run by the host's OpenSSL through
 * node:crypto. The guest batches a hash's small updates and sends them with the digest, so a hash
 * of a small message is one crossing; a streaming hash past the guest's batch lives here as an id.
 * Every error is Node's own, thrown by the host's function for the same arguments.
 */
import {
  type BinaryToTextEncoding,
  createHash,
  createHmac,
  createSecretKey,
  getHashes,
  type Hash,
  type Hmac,
  hkdfSync,
  type KeyObject,
  pbkdf2,
  pbkdf2Sync,
  type ScryptOptions,
  scrypt,
  scryptSync,
} from "node:crypto";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostFunction, HostImplementation } from "../guest-host.js";
import { newGuestBytes, withGuestBytes } from "./guest-heap.js";
import { errorResult, guardedFunction, guestValue, HandleTable, MAX_CALL_BYTES, outOfRange } from "./guest-values.js";
import { type PaddedHmac, paddedDigest, padHmac } from "./hmac-pads.js";
import type { HostWork } from "./index.js";
import { guestString, hostText, plainString, withPlainBytes } from "./strings.js";
import { boundedScrypt, checkOutputBytes, checkPbkdf2, checkTime, type WorkLimits } from "./work-bounds.js";

/** Open streaming hashes an environment may hold: far past any handler's need, short of a leak's. */
const MAX_OPEN_HASHES = 4096;

type Digest = Hash | Hmac;

/**
 * The calling convention keeps a small HMAC's crossing to a few handle reads: every name and encoding is a string
 * ("" for none), an output length is a number (-1 for none), and a part of the data is a pair of the
 * data and its encoding, "bytes" for an ArrayBuffer, so the host never asks a handle its type. Strings
 * arrive plain (no NUL, no surrogate: the guest sends others as bytes), so the handle API's C-string
 * path reads them exactly, at a third of binary JSON's cost.
 */
export function hashFunctions(ctx: QuickJSContext, work: HostWork, limits: WorkLimits) {
  const open = new HandleTable<Digest>("hashes", MAX_OPEN_HASHES);
  /** The HMAC setup the guest names by number (hmacSetup): a handler signing with one secret reads it once. */
  let setup: { id: number; algorithm: string; key: KeyObject; encoding: string; padded: PaddedHmac | undefined } | undefined;

  const str = (h: QuickJSHandle | undefined): string => (h === undefined ? "" : plainString(ctx, h));
  const length = (h: QuickJSHandle | undefined): { outputLength: number } | undefined => {
    const value = h === undefined ? -1 : ctx.getNumber(h);
    return value < 0 ? undefined : { outputLength: value };
  };
  /** Bytes read in place (before the guest heap can move) by `use`. */
  const withBytes = <T>(h: QuickJSHandle, use: (bytes: Uint8Array) => T): T =>
    withGuestBytes(ctx, h, (bytes) => {
      if (bytes.byteLength > MAX_CALL_BYTES) throw tooLarge();
      return use(bytes);
    });
  /** An Hmac's key of `kind`: "plain" (a short plain string, read as its bytes), "bytes" or "utf8" (any string, exactly). */
  const key = (h: QuickJSHandle | undefined, kind: string): string | Buffer => {
    if (h === undefined) return "";
    if (kind === "plain") return withPlainBytes(ctx, h, (bytes) => Buffer.from(bytes));
    return kind === "bytes" ? withBytes(h, (bytes) => Buffer.from(bytes)) : hostText(ctx, h);
  };

  /**
   * `data, encoding` pairs (the guest's batched updates) fed to `digest`: "" (or none) for a short
   * plain string, fed as its UTF-8 bytes; "bytes" for an ArrayBuffer; else a string's encoding.
   */
  const feed = (digest: Digest, parts: QuickJSHandle[]): void => {
    for (let i = 0; i < parts.length; i += 2) {
      const chunk = parts[i] as QuickJSHandle;
      const encoding = str(parts[i + 1]);
      if (encoding === "") withPlainBytes(ctx, chunk, (bytes) => digest.update(bytes));
      else if (encoding === "bytes") withBytes(chunk, (bytes) => digest.update(bytes));
      else digest.update(hostText(ctx, chunk), encoding as BufferEncoding);
    }
  };

  /** A digest in Node's output form: a string in an encoding Node knows, else bytes. */
  const output = (digest: Digest, encoding: string): QuickJSHandle => {
    const out: Buffer | string = encoding === "" ? digest.digest() : digest.digest(encoding as BinaryToTextEncoding);
    return typeof out === "string" ? guestString(ctx, out) : arrayBuffer(ctx, out);
  };

  const digestOf = (id: QuickJSHandle): Digest => open.get(ctx.getNumber(id));
  const keep = (digest: Digest): QuickJSHandle => ctx.newNumber(open.add(digest));

  /** An argument as Node's function would see it: bytes for an ArrayBuffer, else the value (so Node's own checks judge it). */
  const arg = (h: QuickJSHandle | undefined): unknown => {
    if (h === undefined) return undefined;
    const type = ctx.typeof(h);
    if (type === "string") return hostText(ctx, h);
    if (type === "object") return withBytes(h, (bytes) => Buffer.from(bytes));
    return ctx.dump(h);
  };

  const guarded = (work: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): HostFunction => guardedFunction(ctx, work);

  type Pbkdf2Args = [string, string, number, number, string];
  const pbkdf2Args = (...handles: (QuickJSHandle | undefined)[]): Pbkdf2Args => {
    const args = handles.map(arg) as Pbkdf2Args;
    checkTime(limits);
    checkPbkdf2(args[2], args[3], args[4], limits.outputBytes());
    return args;
  };
  const hkdfArgs = (...handles: (QuickJSHandle | undefined)[]): Parameters<typeof hkdfSync> => {
    const args = handles.map(arg) as Parameters<typeof hkdfSync>;
    checkOutputBytes(args[4], limits.outputBytes(), "keys");
    return args;
  };
  /** scrypt's options cross as JSON: numbers only (N, r, p, maxmem and their long names). */
  const scryptArgs = (...[password, salt, keylen, options]: (QuickJSHandle | undefined)[]): [string, string, number, ScryptOptions] => {
    checkTime(limits);
    const [p, s, length] = [password, salt, keylen].map(arg) as [string, string, number];
    return [p, s, length, boundedScrypt(JSON.parse(str(options) || "{}") as ScryptOptions, length, limits.outputBytes())];
  };

  return {
    hashNames: () => ctx.newString(getHashes().join(",")),
    /** Throws Node's error if createHash(algorithm, { outputLength }) would. */
    hashCheck: guarded((algorithm, outputLength) => {
      createHash(str(algorithm), length(outputLength));
      return undefined;
    }),
    /** Throws Node's error if createHmac(algorithm, key) would, for a valid key. */
    hmacCheck: guarded((algorithm) => {
      createHmac(str(algorithm), "");
      return undefined;
    }),
    /** A whole hash in one crossing. */
    /** A whole hash in one crossing; `how` is "algorithm\noutputLength\nencoding" (one handle read, not three). */
    hashOnce: guarded((how, ...parts) => {
      const [algorithm = "", outputLength = "-1", encoding = ""] = str(how).split("\n");
      const length = Number(outputLength);
      const digest = createHash(algorithm, length < 0 ? undefined : { outputLength: length });
      feed(digest, parts);
      return output(digest, encoding);
    }),
    /** A whole HMAC in one crossing; `how` is "algorithm\nkeyKind\nencoding". */
    hmacOnce: guarded((how, secret, ...parts) => {
      const [algorithm = "", kind = "", encoding = ""] = str(how).split("\n");
      const digest = createHmac(algorithm, key(secret, kind));
      feed(digest, parts);
      return output(digest, encoding);
    }),
    hashCreate: guarded((algorithm, outputLength, ...parts) => {
      const digest = createHash(str(algorithm), length(outputLength));
      feed(digest, parts);
      return keep(digest);
    }),
    hmacSetup: guarded((id, how, secret) => {
      const [algorithm = "", , encoding = ""] = str(how).split("\n");
      const bytes = key(secret, "plain") as Buffer;
      setup = { id: ctx.getNumber(id), algorithm, key: createSecretKey(bytes), encoding, padded: padHmac(algorithm, bytes, encoding) };
      return undefined;
    }),
    // The hot path of a small HMAC: its own try, not guarded's closure and spread arguments.
    hmacWith: (id, data) => {
      try {
        if (setup?.id !== ctx.getNumber(id)) return undefined;
        const padded = setup.padded;
        if (padded !== undefined) {
          const out = withPlainBytes(ctx, data, (bytes) => paddedDigest(padded, bytes));
          return typeof out === "string" ? guestString(ctx, out) : newGuestBytes(ctx, out);
        }
        const digest = createHmac(setup.algorithm, setup.key);
        withPlainBytes(ctx, data, (bytes) => digest.update(bytes));
        return output(digest, setup.encoding);
      } catch (error) {
        return errorResult(ctx, error);
      }
    },
    hmacCreate: guarded((algorithm, secret, secretKind, ...parts) => {
      const digest = createHmac(str(algorithm), key(secret, str(secretKind)));
      feed(digest, parts);
      return keep(digest);
    }),
    hashUpdate: guarded((id, ...parts) => {
      feed(digestOf(id), parts);
      return undefined;
    }),
    hashDigest: guarded((id, encoding, ...parts) => {
      const digest = digestOf(id);
      open.delete(ctx.getNumber(id));
      feed(digest, parts);
      return output(digest, str(encoding));
    }),
    hashCopy: guarded((id, outputLength) => keep((digestOf(id) as Hash).copy(length(outputLength)))),
    hashFree: (id) => {
      open.delete(ctx.getNumber(id));
      return undefined;
    },
    hashPbkdf2: guarded((password, salt, iterations, keylen, digest) =>
      arrayBuffer(ctx, pbkdf2Sync(...pbkdf2Args(password, salt, iterations, keylen, digest))),
    ),
    hashHkdf: guarded((digest, ikm, salt, info, keylen) =>
      arrayBuffer(ctx, Buffer.from(hkdfSync(...hkdfArgs(digest, ikm, salt, info, keylen)))),
    ),
    hashScrypt: guarded((password, salt, keylen, options) => arrayBuffer(ctx, scryptSync(...scryptArgs(password, salt, keylen, options)))),
    // Node's own pbkdf2 and scrypt: arguments are checked (and thrown) at once, as Node checks them,
    // by the sync forms with no work to do (a key of no bytes); the work waits for a thread of the
    // pool (host-jobs.ts). hkdf's is microseconds: made now, answered later, as Node answers.
    hashPbkdf2Start: guarded((id, password, salt, iterations, keylen, digest) => {
      const args = pbkdf2Args(password, salt, iterations, keylen, digest);
      const [p, s, rounds, length, name] = args;
      // In Node's order: password, salt and iterations (no bytes to derive), then keylen and digest (one round).
      pbkdf2Sync(p, s, rounds, 0, "sha1");
      pbkdf2Sync(p, s, 1, length, name);
      work(ctx.getNumber(id as QuickJSHandle), sizeOf(p, s), () => {
        const job = settledBy();
        pbkdf2(...args, job.callback);
        return job.promise;
      });
      return undefined;
    }),
    hashHkdfStart: guarded((id, digest, ikm, salt, info, keylen) => {
      const key = new Uint8Array(hkdfSync(...hkdfArgs(digest, ikm, salt, info, keylen)));
      work(ctx.getNumber(id as QuickJSHandle), 0, () => Promise.resolve(key));
      return undefined;
    }),
    hashScryptStart: guarded((id, password, salt, keylen, options) => {
      const args = scryptArgs(password, salt, keylen, options);
      const [p, s, length, bounded] = args;
      // In Node's order: password, salt and keylen (the cheapest cost), then the options (no bytes to derive).
      scryptSync(p, s, length, { N: 2, r: 1, p: 1 });
      scryptSync(p, s, 0, bounded);
      work(ctx.getNumber(id as QuickJSHandle), sizeOf(p, s), () => {
        const job = settledBy();
        scrypt(...args, job.callback);
        return job.promise;
      });
      return undefined;
    }),
  } satisfies Partial<HostImplementation>;
}

/** What a job's arguments hold of the host's memory while it waits. */
const sizeOf = (...values: unknown[]): number =>
  values.reduce<number>(
    (sum, value) => sum + (typeof value === "string" ? value.length * 3 : ArrayBuffer.isView(value) ? value.byteLength : 0),
    0,
  );

/** A Node callback and the promise it settles: the call that takes the callback throws its argument errors itself. */
function settledBy(): { promise: Promise<Uint8Array>; callback: (error: Error | null, key: Uint8Array) => void } {
  let callback: (error: Error | null, key: Uint8Array) => void = () => {};
  const promise = new Promise<Uint8Array>((resolve, reject) => {
    callback = (error, key) => (error ? reject(error) : resolve(key));
  });
  return { promise, callback };
}

/** Host bytes as a new guest ArrayBuffer. */
export function arrayBuffer(ctx: QuickJSContext, bytes: Uint8Array): QuickJSHandle {
  if (bytes.byteLength > MAX_CALL_BYTES) throw tooLarge();
  return guestValue(ctx, bytes);
}

export function tooLarge(): Error {
  return outOfRange(`Cannot process more than ${MAX_CALL_BYTES} bytes in one call`);
}
