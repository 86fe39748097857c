// What the key functions of the crypto-keys bundle (builtins/crypto-keys.ts) take: a key or data
// argument as Node accepts it, bytes as the host takes them, a host call's error as the class Node
// throws, and what node:crypto (builtins/crypto.ts) lends the bundle. Part of the crypto-keys bundle.
import { Buffer } from "buffer";
import type { Bytes, HostCapabilities } from "../shared/guest-protocol.js";
import type { KeyObject } from "./builtins/crypto.js";
import type { BufferSource, CryptoKey, KeyMaterial } from "./crypto-subtle.js";

// The crypto-keys bundle's modules take Buffer from here: each one's own import of the package costs the bundle a binding.
export { Buffer };

/** A key as the host describes it (keyCreate, keyGenerate): its number in the host's table, and what Node reports of it. */
export interface KeyInfo {
  id: number;
  type: string;
  asymmetricKeyType?: string;
  details?: { modulusLength?: number; publicExponent?: number | bigint; namedCurve?: string; [detail: string]: unknown };
}
/** Runs `compute` after the current task and hands its result to a Node-style callback (crypto.ts). */
export type Later = <T>(callback: unknown, compute: () => T) => void;

/** What node:crypto (crypto.ts) lends this bundle: its classes, their construction tokens and helpers. */
export interface KeysDeps {
  host: HostCapabilities;
  KeyObject: typeof KeyObject;
  keyObjectToken: unknown;
  CryptoKey: typeof CryptoKey;
  cryptoKeyToken: unknown;
  keyMaterial(key: CryptoKey): KeyMaterial;
  createSecretKey(key: unknown, encoding?: string): KeyObject;
  randomBytes(size: number): Uint8Array;
  later: Later;
}
/** A key argument given as an object: the key itself and how to read it, plus the options of the call. */
export type KeyInput = Record<string, unknown> & {
  key?: unknown;
  format?: string;
  type?: string;
  encoding?: string;
  passphrase?: string | BufferSource;
};
/** What the host is told of a key to read: its format, type, encoding and passphrase, or a JWK, or a private key's id. */
export interface KeySpec {
  format?: string;
  type?: string;
  encoding?: string;
  passphrase?: string;
  jwk?: object;
  keyId?: number;
}

export const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });

export const received = (value: unknown): string =>
  value == null
    ? String(value)
    : typeof value === "object"
      ? `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`
      : typeof value === "function"
        ? `function ${value.name}`
        : `type ${typeof value} (${String(value)})`;

const ERROR_KINDS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };
/** A host call, its Node error thrown again as the class Node throws it (TypeError, RangeError...). */
export function call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  try {
    return fn(...args);
  } catch (error) {
    const Kind = ERROR_KINDS[(error as Error | undefined)?.name as string];
    if (!Kind) throw error;
    throw Object.assign(new Kind((error as Error).message), { code: (error as { code?: unknown }).code });
  }
}

const viewBytes = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
/** A copy of `data`'s bytes as an ArrayBuffer, the form bytes cross to the host in. */
export function arrayBufferOf(data: string | BufferSource, encoding?: string): Bytes {
  if (typeof data === "string") data = Buffer.from(data, encoding ?? "utf8");
  if (data instanceof ArrayBuffer) return data.slice(0);
  const bytes = viewBytes(data);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as Bytes;
}
export const isBytes = (value: unknown): value is BufferSource => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
export const toBuffer = (arrayBuffer: Bytes) => Buffer.from(arrayBuffer);
export const encoded = (buffer: Buffer, encoding?: string): string | Buffer =>
  encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);

export function dataArgument(data: unknown, name = "data", encoding?: string): Bytes {
  if (typeof data === "string" || isBytes(data)) return arrayBufferOf(data, encoding);
  throw nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(data)}`,
  );
}
