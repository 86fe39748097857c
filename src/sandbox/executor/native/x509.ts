/**
 * X.509 certificates for the guest's node:crypto (X509Certificate), parsed and checked by the host's
 * OpenSSL. A certificate is public data: the guest holds its DER bytes and the parsed fields, and
 * each check crosses with the DER again (parsing one takes microseconds), so nothing is kept here.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import type { QuickJSContext } from "quickjs-emscripten-core";
import type { HostFunction, HostImplementation } from "../guest-host.js";
import { bytesOf, dataOf, guardedFunction } from "./guest-values.js";

/** The fields the guest's X509Certificate answers from, with the DER bytes and the public key as PEM. */
function fieldsOf(cert: X509Certificate) {
  return {
    raw: cert.raw.toString("base64"),
    subject: cert.subject,
    subjectAltName: cert.subjectAltName,
    issuer: cert.issuer,
    infoAccess: cert.infoAccess,
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    fingerprint: cert.fingerprint,
    fingerprint256: cert.fingerprint256,
    fingerprint512: cert.fingerprint512,
    keyUsage: cert.keyUsage,
    serialNumber: cert.serialNumber,
    ca: cert.ca,
    pem: cert.toString(),
    publicKey: cert.publicKey.export({ format: "pem", type: "spki" }),
  };
}

export function x509Functions(ctx: QuickJSContext) {
  const certificate = (handle: Parameters<HostFunction>[0]) => new X509Certificate(bytesOf(ctx, handle));
  return {
    /** new X509Certificate(PEM text or DER bytes) → its fields as JSON; Node's error for a bad one. */
    x509Parse: guardedFunction(ctx, (input) => ctx.newString(JSON.stringify(fieldsOf(new X509Certificate(dataOf(ctx, input) ?? ""))))),
    /**
     * (op, DER, argument, options JSON): "checkHost", "checkEmail" and "checkIP" answer the matched
     * name or undefined; "checkIssued" (argument: the other's DER) and "verify" (argument: a public
     * key's PEM) a boolean; "legacy" toLegacyObject as JSON, its Buffers as base64.
     */
    x509Call: guardedFunction(ctx, (opHandle, der, argument, optionsJson) => {
      const cert = certificate(der);
      const op = ctx.getString(opHandle);
      const options = JSON.parse(ctx.getString(optionsJson)) as Record<string, unknown>;
      switch (op) {
        case "checkHost":
        case "checkEmail": {
          const matched = cert[op](ctx.getString(argument), options);
          return matched === undefined ? undefined : ctx.newString(matched);
        }
        case "checkIP": {
          const matched = cert.checkIP(ctx.getString(argument));
          return matched === undefined ? undefined : ctx.newString(matched);
        }
        case "checkIssued":
          return cert.checkIssued(certificate(argument)) ? ctx.true : ctx.false;
        case "verify":
          return cert.verify(createPublicKey(ctx.getString(argument))) ? ctx.true : ctx.false;
        case "legacy": {
          const legacy = cert.toLegacyObject() as unknown as Record<string, unknown>;
          const out = Object.fromEntries(
            Object.entries(legacy).map(([k, v]) => [k, Buffer.isBuffer(v) ? { base64: v.toString("base64") } : v]),
          );
          return ctx.newString(JSON.stringify(out));
        }
        default:
          throw new TypeError(`Unknown X509Certificate operation ${op}`);
      }
    }),
  } satisfies Partial<HostImplementation>;
}
