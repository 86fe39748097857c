/**
 * Ciphers for the guest's node:crypto (createCipheriv / createDecipheriv) and Web Crypto (AES-GCM,
 * AES-CBC, AES-CTR, AES-KW), run by the host's own Node (OpenSSL): AES-128/192/256 in GCM, CBC, CTR and
 * ECB, and ChaCha20-Poly1305. A streaming cipher is a host Cipher kept in the environment's table;
 * each update is one crossing that returns its output, as Node's does.
 */
import {
  type CipherGCM,
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  type DecipherGCM,
  getCipherInfo,
  getCiphers,
} from "node:crypto";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostImplementation } from "../guest-host.js";
import { transformGuestBytes } from "./guest-heap.js";
import {
  bytesOf,
  dataOf,
  guarded,
  guestValue,
  HandleTable,
  MAX_CALL_BYTES,
  optionalNumber,
  optionalString,
  outOfRange,
  withData,
} from "./guest-values.js";

type Cipher = CipherGCM | DecipherGCM;
interface Entry {
  cipher: Cipher;
  /** An AEAD encryption: final() hands back the tag after the output. */
  sealing: boolean;
  /** Its updates may be cut anywhere and give the same bytes (OpenSSL streams these modes). */
  sliceable: boolean;
}

/**
 * A long update of bytes is run in slices of this size, each output copied into the guest's block
 * as it comes: a megabyte's output in one host buffer is a fresh mapping of the allocator whose
 * page faults doubled the work (AES-256-GCM of 1 MB: 0.59–0.63 ms whole, 0.25 in 32 KB slices,
 * measured in a worker; 64 KB slices were as slow as the whole).
 */
const SLICE = 32 * 1024;
/** Not CCM (one update only), XTS (each update a data unit), OCB or key wrap. */
const SLICEABLE_MODES = new Set(["gcm", "ctr", "cbc", "ecb", "cfb", "ofb", "stream"]);
/** Room for the bytes a block mode held back from the updates before: its largest block. */
const HELD_BACK = 32;

/** A handler holds a few ciphers at once; more open at once means it leaves them unfinished. */
const MAX_CIPHERS = 1024;
const AEAD = /-(gcm|ccm|ocb)$|^chacha20-poly1305$/i;

const byteArg = (value: string | Buffer | undefined): string | Buffer => value ?? Buffer.alloc(0);

function checkSize(data: string | Uint8Array | undefined): void {
  if (data !== undefined && data.length > MAX_CALL_BYTES) {
    throw outOfRange(`The data is larger than ${MAX_CALL_BYTES} bytes`);
  }
}

class OperationError extends Error {
  override name = "OperationError";
}
const FAILED = "The operation failed for an operation-specific reason";
const GCM_TAG_BITS = [32, 64, 96, 104, 112, 120, 128];

/** AES-CTR over the low `length` bits of the counter, wrapping them as Web Crypto requires (OpenSSL carries into all 128). */
function aesCtr(key: Buffer, counter: Buffer, length: number, data: Buffer): Buffer {
  const algorithm = `aes-${key.length * 8}-ctr`;
  const blocks = BigInt(Math.ceil(data.length / 16));
  if (length >= 128) return createCipheriv(algorithm, key, counter).update(data);
  const capacity = 1n << BigInt(length);
  if (blocks > capacity) throw new OperationError(FAILED);
  const low = BigInt(`0x${counter.toString("hex")}`) & (capacity - 1n);
  const before = capacity - low;
  if (blocks <= before) return createCipheriv(algorithm, key, counter).update(data);
  const split = Number(before) * 16;
  const wrapped = Buffer.from((BigInt(`0x${counter.toString("hex")}`) & ~(capacity - 1n)).toString(16).padStart(32, "0"), "hex");
  return Buffer.concat([
    createCipheriv(algorithm, key, counter).update(data.subarray(0, split)),
    createCipheriv(algorithm, key, wrapped).update(data.subarray(split)),
  ]);
}

/** RFC 3394's default initial value, which Web Crypto's AES-KW uses. */
const KW_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex");

/** AES-KW (RFC 3394) wrap and unwrap: OpenSSL's id-aesN-wrap, its integrity check failing as an OperationError. */
function aesKw(wrap: boolean, key: Buffer, data: Buffer): Buffer {
  try {
    const cipher = (wrap ? createCipheriv : createDecipheriv)(`id-aes${key.length * 8}-wrap`, key, KW_IV);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  } catch {
    throw new OperationError(FAILED);
  }
}

/** Web Crypto's AES encrypt and decrypt (wrap and unwrap for AES-KW), with Node's OperationError messages. */
function webCipher(
  encrypt: boolean,
  name: string,
  key: Buffer,
  iv: Buffer,
  extra: Buffer | undefined,
  length: number | undefined,
  data: Buffer,
): Buffer {
  const bits = key.length * 8;
  if (name === "AES-KW") return aesKw(encrypt, key, data);
  if (name === "AES-GCM") {
    const tagBits = length ?? 128;
    if (!GCM_TAG_BITS.includes(tagBits)) throw new OperationError(`${tagBits} is not a valid AES-GCM tag length`);
    const tagBytes = tagBits / 8;
    if (!encrypt && data.length < tagBytes) throw new OperationError("The provided data is too small.");
    try {
      const algorithm = `aes-${bits}-gcm` as CipherGCMTypes;
      if (encrypt) {
        const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagBytes });
        if (extra !== undefined) cipher.setAAD(extra);
        return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
      }
      const decipher = createDecipheriv(algorithm, key, iv, { authTagLength: tagBytes });
      if (extra !== undefined) decipher.setAAD(extra);
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - tagBytes)), decipher.final()]);
    } catch {
      throw new OperationError(FAILED);
    }
  }
  if (name === "AES-CBC") {
    if (iv.length !== 16) throw new OperationError("algorithm.iv must contain exactly 16 bytes");
    try {
      const cipher = (encrypt ? createCipheriv : createDecipheriv)(`aes-${bits}-cbc`, key, iv);
      return Buffer.concat([cipher.update(data), cipher.final()]);
    } catch {
      throw new OperationError(FAILED);
    }
  }
  if (iv.length !== 16) throw new OperationError("algorithm.counter must contain exactly 16 bytes");
  if (length === undefined || length < 1 || length > 128) throw new OperationError("AES-CTR algorithm.length must be between 1 and 128");
  return aesCtr(key, iv, length, data);
}

export function cipherFunctions(ctx: QuickJSContext) {
  const ciphers = new HandleTable<Entry>("ciphers", MAX_CIPHERS);
  const output = (value: Buffer | string): QuickJSHandle => guestValue(ctx, value);
  const id = (handle: QuickJSHandle): number => ctx.getNumber(handle);

  return {
    /** (encrypt, algorithm, key, iv, authTagLength) → the cipher's id; Node's own error for a bad one. */
    cipherCreate: (encrypt, algorithm, key, iv, authTagLength) =>
      guarded(ctx, () => {
        const name = ctx.getString(algorithm);
        const tagLength = optionalNumber(ctx, authTagLength);
        const options = tagLength === undefined ? undefined : { authTagLength: tagLength };
        const ivBytes = iv === undefined || ctx.typeof(iv) === "undefined" ? null : byteArg(dataOf(ctx, iv));
        const sealing = ctx.dump(encrypt) === true;
        const make = sealing ? createCipheriv : createDecipheriv;
        // The option types are per mode; Node checks them at run time, as it does for a handler.
        const cipher = (make as (...args: unknown[]) => Cipher)(name, byteArg(dataOf(ctx, key)), ivBytes, options);
        const sliceable = SLICEABLE_MODES.has(getCipherInfo(name)?.mode ?? "");
        return ctx.newNumber(ciphers.add({ cipher, sealing: sealing && AEAD.test(name), sliceable }));
      }),
    /** (id, data, inputEncoding, outputEncoding) → the output so far: bytes, or a string in outputEncoding. */
    cipherUpdate: (handle, data, inputEncoding, outputEncoding) =>
      guarded(ctx, () => {
        const { cipher, sliceable } = ciphers.get(id(handle));
        const encoding = optionalString(ctx, outputEncoding);
        const inEncoding = optionalString(ctx, inputEncoding);
        if (sliceable && encoding === undefined && data !== undefined && ctx.typeof(data) === "object") {
          return transformGuestBytes(
            ctx,
            data,
            (size) => size + HELD_BACK,
            (input, out) => {
              checkSize(input);
              let written = 0;
              for (let at = 0; at < input.length; at += SLICE) {
                const part = cipher.update(input.subarray(at, at + SLICE));
                out.set(part, written);
                written += part.length;
              }
              return written;
            },
          );
        }
        // Node's overloads are per input type; it checks the encodings at run time, as it does for a handler.
        const update = cipher.update.bind(cipher) as (data: string | Uint8Array, input?: string, output?: string) => Buffer | string;
        // OpenSSL reads the input in place in the guest's heap and writes to a new host buffer.
        const out = withData(ctx, data, (input) => {
          checkSize(input);
          return update(input, typeof input === "string" ? inEncoding : undefined, encoding);
        });
        return output(out);
      }),
    /** (id, outputEncoding) → the last output (sealing: `{output, tag}`); the cipher is gone after. */
    cipherFinal: (handle, outputEncoding) =>
      guarded(ctx, () => {
        const key = id(handle);
        const { cipher, sealing } = ciphers.get(key);
        ciphers.delete(key);
        const encoding = optionalString(ctx, outputEncoding) as BufferEncoding | undefined;
        const last = encoding === undefined ? cipher.final() : cipher.final(encoding);
        if (!sealing) return output(last);
        const sealed = ctx.newObject();
        using text = output(last);
        using tag = output((cipher as CipherGCM).getAuthTag());
        ctx.setProp(sealed, "output", text);
        ctx.setProp(sealed, "tag", tag);
        return sealed;
      }),
    cipherSetAAD: (handle, aad, plaintextLength) =>
      guarded(ctx, () => {
        const length = optionalNumber(ctx, plaintextLength);
        const bytes = bytesOf(ctx, aad);
        const { cipher } = ciphers.get(id(handle));
        if (length === undefined) cipher.setAAD(bytes);
        else cipher.setAAD(bytes, { plaintextLength: length });
        return undefined;
      }),
    cipherSetAuthTag: (handle, tag) =>
      guarded(ctx, () => {
        (ciphers.get(id(handle)).cipher as DecipherGCM).setAuthTag(bytesOf(ctx, tag));
        return undefined;
      }),
    cipherSetAutoPadding: (handle, padding) =>
      guarded(ctx, () => {
        ciphers.get(id(handle)).cipher.setAutoPadding(ctx.dump(padding) !== false);
        return undefined;
      }),
    /** A cipher the guest dropped unfinished (collected, or after an error). */
    cipherFree: (handle) => {
      ciphers.delete(id(handle));
      return undefined;
    },
    cipherNames: () => ctx.newString(getCiphers().join(",")),
    /** getCipherInfo(nameOrNid, options as JSON) → its answer as JSON ("" for an unknown cipher). */
    cipherInfo: (nameOrNid, optionsJson) =>
      guarded(ctx, () => {
        const which = ctx.typeof(nameOrNid) === "number" ? ctx.getNumber(nameOrNid) : ctx.getString(nameOrNid);
        const info = getCipherInfo(which, JSON.parse(ctx.getString(optionsJson)));
        return ctx.newString(info === undefined ? "" : JSON.stringify(info));
      }),
    /** Web Crypto: (encrypt, name, key, iv or counter, additionalData, tagLength or counter length, data) → bytes. */
    cipherWeb: (encrypt, name, key, iv, additionalData, length, data) =>
      guarded(ctx, () => {
        const extra = additionalData === undefined || ctx.typeof(additionalData) === "undefined" ? undefined : bytesOf(ctx, additionalData);
        const input = bytesOf(ctx, data);
        checkSize(input);
        return output(
          webCipher(
            ctx.dump(encrypt) === true,
            ctx.getString(name),
            bytesOf(ctx, key),
            bytesOf(ctx, iv),
            extra,
            optionalNumber(ctx, length),
            input,
          ),
        );
      }),
  } satisfies Partial<HostImplementation>;
}
