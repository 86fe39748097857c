// node:crypto's X509Certificate, parsed and checked by the host's OpenSSL (src/sandbox/executor/native/x509.ts).
// The guest keeps the certificate's DER bytes and parsed fields; each check crosses with the DER.
// Part of the crypto-keys bundle.
import { Buffer } from "buffer";
import type { Bytes, HostCapabilities } from "../shared/guest-protocol.js";
import { callHost } from "./native-error.js";

const nodeError = (Kind: ErrorConstructor, code: string, message: string) => Object.assign(new Kind(message), { code });
/** How Node's ERR_INVALID_ARG_TYPE names the value it got (a string quoted, cut at 25 characters). */
const received = (value: unknown): string => {
  if (value == null) return String(value);
  if (typeof value === "object") return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`;
  const shown = typeof value === "string" ? `'${value.length > 25 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  return `type ${typeof value} (${shown})`;
};
const isBytes = (value: unknown): value is ArrayBufferView | ArrayBuffer => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
const copyOf = (value: ArrayBufferView | ArrayBuffer): Bytes =>
  (value instanceof ArrayBuffer ? value.slice(0) : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)) as Bytes;

/** node:crypto's KeyObject, as far as a certificate uses one. */
interface KeyObjectLike {
  type: string;
  equals(other: unknown): boolean;
  export(options: { format: "pem"; type: "spki" }): string;
}

/** A certificate's fields as the host parses them (x509Parse), its DER bytes, and its public key once made. */
interface Fields extends Record<string, unknown> {
  raw: Uint8Array;
  pem: string;
  publicKey: string;
  key?: KeyObjectLike;
}

export function createX509({
  host,
  KeyObject,
  createPublicKey,
}: {
  host: HostCapabilities;
  KeyObject: abstract new (...args: never[]) => KeyObjectLike;
  createPublicKey(key: unknown): KeyObjectLike;
}) {
  const fields = new WeakMap<object, Fields>();
  const fieldsOf = (cert: object) => fields.get(cert) as Fields;
  const derOf = (cert: object) => {
    const { raw } = fieldsOf(cert);
    return copyOf(raw);
  };
  const call = (cert: object, op: string, argument?: string | Bytes, options: object | undefined = {}) =>
    callHost(host.x509Call, op, derOf(cert), argument, JSON.stringify(options));
  const keyArgument = (pkey: unknown, type: string): KeyObjectLike => {
    if (!(pkey instanceof KeyObject)) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "pkey" argument must be an instance of KeyObject. Received ${received(pkey)}`,
      );
    }
    if (pkey.type !== type)
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'pkey' is invalid. Received ${pkey.constructor.name}`);
    return pkey;
  };
  const checkName = (name: unknown, what: string): string => {
    if (typeof name !== "string") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${what}" argument must be of type string. Received ${received(name)}`);
    }
    return name;
  };

  class X509Certificate {
    constructor(buffer: unknown) {
      if (typeof buffer !== "string" && !isBytes(buffer)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(buffer)}`,
        );
      }
      const parsed = JSON.parse(callHost(host.x509Parse, typeof buffer === "string" ? buffer : copyOf(buffer))) as Fields & { raw: string };
      fields.set(this, { ...parsed, raw: Buffer.from(parsed.raw, "base64") });
    }
    get raw() {
      return Buffer.from(fieldsOf(this).raw);
    }
    get publicKey(): KeyObjectLike {
      const parsed = fieldsOf(this);
      parsed.key ??= createPublicKey(parsed.publicKey);
      return parsed.key;
    }
    get issuerCertificate() {
      return undefined;
    }
    toString() {
      return fieldsOf(this).pem;
    }
    toJSON() {
      return fieldsOf(this).pem;
    }
    checkHost(name: unknown, options?: object) {
      return call(this, "checkHost", checkName(name, "name"), options);
    }
    checkEmail(email: unknown, options?: object) {
      return call(this, "checkEmail", checkName(email, "email"), options);
    }
    checkIP(ip: unknown) {
      return call(this, "checkIP", checkName(ip, "ip"));
    }
    checkIssued(otherCert: unknown) {
      if (!(otherCert instanceof X509Certificate)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "otherCert" argument must be an instance of X509Certificate. Received ${received(otherCert)}`,
        );
      }
      return call(this, "checkIssued", derOf(otherCert));
    }
    checkPrivateKey(pkey: unknown) {
      return createPublicKey(keyArgument(pkey, "private")).equals(this.publicKey);
    }
    verify(pkey: unknown) {
      return call(this, "verify", keyArgument(pkey, "public").export({ format: "pem", type: "spki" }));
    }
    toLegacyObject() {
      const legacy = JSON.parse(call(this, "legacy") as string) as Record<string, unknown>;
      for (const [key, value] of Object.entries(legacy)) {
        if (value !== null && typeof value === "object" && typeof (value as { base64?: unknown }).base64 === "string")
          legacy[key] = Buffer.from((value as { base64: string }).base64, "base64");
      }
      return legacy;
    }
  }
  for (const name of [
    "subject",
    "subjectAltName",
    "issuer",
    "infoAccess",
    "validFrom",
    "validTo",
    "fingerprint",
    "fingerprint256",
    "fingerprint512",
    "keyUsage",
    "serialNumber",
    "ca",
  ]) {
    Object.defineProperty(X509Certificate.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        const value = fieldsOf(this)[name];
        return value === null ? undefined : value;
      },
    });
  }
  return X509Certificate;
}
