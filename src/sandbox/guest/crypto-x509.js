// node:crypto's X509Certificate, parsed and checked by the host's OpenSSL (src/sandbox/native/x509.ts).
// The guest keeps the certificate's DER bytes and parsed fields; each check crosses with the DER.
// Part of the crypto-keys bundle.
import { Buffer } from "buffer";
import { callHost } from "./native-error.js";

const nodeError = (Kind, code, message) => Object.assign(new Kind(message), { code });
/** How Node's ERR_INVALID_ARG_TYPE names the value it got (a string quoted, cut at 25 characters). */
const received = (value) => {
  if (value == null) return String(value);
  if (typeof value === "object") return `an instance of ${value.constructor?.name ?? "Object"}`;
  const shown = typeof value === "string" ? `'${value.length > 25 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  return `type ${typeof value} (${shown})`;
};
const isBytes = (value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
const copyOf = (value) =>
  value instanceof ArrayBuffer ? value.slice(0) : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);

export function createX509({ host, KeyObject, createPublicKey }) {
  const fields = new WeakMap();
  const derOf = (cert) => {
    const { raw } = fields.get(cert);
    return copyOf(raw);
  };
  const call = (cert, op, argument, options = {}) => callHost(host.x509Call, op, derOf(cert), argument, JSON.stringify(options));
  const keyArgument = (pkey, type) => {
    if (!(pkey instanceof KeyObject)) {
      throw nodeError(
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "pkey" argument must be an instance of KeyObject. Received ${received(pkey)}`,
      );
    }
    if (pkey.type !== type)
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'pkey' is invalid. Received ${pkey.constructor.name}`);
  };
  const checkName = (name, what) => {
    if (typeof name !== "string") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${what}" argument must be of type string. Received ${received(name)}`);
    }
  };

  class X509Certificate {
    constructor(buffer) {
      if (typeof buffer !== "string" && !isBytes(buffer)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received(buffer)}`,
        );
      }
      const parsed = JSON.parse(callHost(host.x509Parse, typeof buffer === "string" ? buffer : copyOf(buffer)));
      fields.set(this, { ...parsed, raw: Buffer.from(parsed.raw, "base64") });
    }
    get raw() {
      return Buffer.from(fields.get(this).raw);
    }
    get publicKey() {
      const parsed = fields.get(this);
      parsed.key ??= createPublicKey(parsed.publicKey);
      return parsed.key;
    }
    get issuerCertificate() {
      return undefined;
    }
    toString() {
      return fields.get(this).pem;
    }
    toJSON() {
      return fields.get(this).pem;
    }
    checkHost(name, options) {
      checkName(name, "name");
      return call(this, "checkHost", name, options);
    }
    checkEmail(email, options) {
      checkName(email, "email");
      return call(this, "checkEmail", email, options);
    }
    checkIP(ip) {
      checkName(ip, "ip");
      return call(this, "checkIP", ip);
    }
    checkIssued(otherCert) {
      if (!(otherCert instanceof X509Certificate)) {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "otherCert" argument must be an instance of X509Certificate. Received ${received(otherCert)}`,
        );
      }
      return call(this, "checkIssued", derOf(otherCert));
    }
    checkPrivateKey(pkey) {
      keyArgument(pkey, "private");
      return createPublicKey(pkey).equals(this.publicKey);
    }
    verify(pkey) {
      keyArgument(pkey, "public");
      return call(this, "verify", pkey.export({ format: "pem", type: "spki" }));
    }
    toLegacyObject() {
      const legacy = JSON.parse(call(this, "legacy"));
      for (const [key, value] of Object.entries(legacy)) {
        if (value !== null && typeof value === "object" && typeof value.base64 === "string")
          legacy[key] = Buffer.from(value.base64, "base64");
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
      get() {
        const value = fields.get(this)[name];
        return value === null ? undefined : value;
      },
    });
  }
  return X509Certificate;
}
