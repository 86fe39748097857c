// The web globals a hello-world handler rarely touches, evaluated when one is first used (see
// ../globals.ts): crypto and its class Crypto (getRandomValues and randomUUID from the host's CSPRNG
// on every call, never from snapshotted state; subtle from the crypto bundle), btoa and atob.
import type { HostCapabilities } from "../../shared/guest-protocol.js";
import type { Builtin, BuiltinModules } from "../builtin-modules.js";

/** SubtleCrypto, made by the crypto bundle. */
type Subtle = ReturnType<BuiltinModules["crypto"]["createSubtle"]>;

type GetRandomValues = <T extends ArrayBufferView>(array: T) => T;

/** The global crypto: Web Crypto's, the random parts in this bundle, subtle on first use. */
export interface WebCrypto {
  getRandomValues: GetRandomValues;
  randomUUID(): string;
  readonly subtle: Subtle;
}

/** What only this bundle passes to Crypto's constructor: code that calls `new Crypto()` gets Node's TypeError. */
const INTERNAL = Symbol("Crypto");

const typedError = (message: string, code: string) => Object.assign(new TypeError(message), { code });

/** Crypto, the class of the one global crypto (made with it), as Node's: methods and subtle on its prototype. */
function createCrypto(host: HostCapabilities, builtin: Builtin): { crypto: WebCrypto; Crypto: abstract new () => WebCrypto } {
  const getRandomValues: GetRandomValues = (array) => {
    if (!ArrayBuffer.isView(array) || array instanceof DataView || array instanceof Float32Array || array instanceof Float64Array) {
      throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
    }
    if (array.byteLength > 65536) throw new DOMException("The requested length exceeds 65,536 bytes", "QuotaExceededError");
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(new Uint8Array(host.random(array.byteLength)));
    return array;
  };
  // SubtleCrypto lives in the crypto bundle: only a handler that touches crypto.subtle pays for it.
  let subtle: Subtle | undefined;
  const own = (self: unknown) => {
    if (self !== crypto) throw typedError('Value of "this" must be of type Crypto', "ERR_INVALID_THIS");
  };
  class Crypto implements WebCrypto {
    constructor(token?: unknown) {
      if (token !== INTERNAL) throw typedError("Illegal constructor", "ERR_ILLEGAL_CONSTRUCTOR");
    }
    get subtle(): Subtle {
      own(this);
      subtle ??= builtin("crypto").createSubtle(getRandomValues, builtin, host);
      return subtle;
    }
    getRandomValues<T extends ArrayBufferView>(array: T): T {
      own(this);
      return getRandomValues(array);
    }
    randomUUID(): string {
      own(this);
      // Made by the host: formatting 16 bytes as hex here cost ~10 µs of QuickJS a UUID.
      return host.randomUUID();
    }
  }
  Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: "Crypto", configurable: true });
  const crypto = new Crypto(INTERNAL);
  return { crypto, Crypto };
}

/** Shorter input is converted here: below it, the crossing costs more than the package's loop. */
const NATIVE_MIN_LENGTH = 64;

export function createWebGlobals(
  host: HostCapabilities,
  builtin: Builtin,
): { crypto: WebCrypto; Crypto: abstract new () => WebCrypto; btoa: (data: unknown) => string; atob: (data: unknown) => string } {
  // Longer input goes to the host's own atob and btoa, in one crossing; their DOMException crosses as
  // its name, message and code, and is made one again here.
  const invalid = (message: string) => new DOMException(message, "InvalidCharacterError");
  const viaHost = (convert: () => string) => {
    try {
      return convert();
    } catch (error) {
      throw (error as Error).name === "InvalidCharacterError" ? invalid((error as Error).message) : error;
    }
  };
  const btoa = (data: unknown) => {
    const text = String(data);
    if (text.length >= NATIVE_MIN_LENGTH) return viaHost(() => host.encodingBtoa(text));
    if (/[^\0-\xff]/.test(text)) throw invalid("Invalid character");
    return builtin("buffer").Buffer.from(text, "latin1").toString("base64");
  };
  const atob = (data: unknown) => {
    const text = String(data);
    if (text.length >= NATIVE_MIN_LENGTH) return viaHost(() => host.encodingAtob(text));
    const compact = text.replace(/[\t\n\f\r ]/g, "");
    if (/[^A-Za-z0-9+/=]/.test(compact)) throw invalid("Invalid character");
    if (compact.length % 4 === 1) throw invalid("The string to be decoded is not correctly encoded.");
    return builtin("buffer").Buffer.from(compact, "base64").toString("latin1");
  };
  return { ...createCrypto(host, builtin), btoa, atob };
}
