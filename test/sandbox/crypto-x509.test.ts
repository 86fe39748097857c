/** node:crypto's X509Certificate in the sandbox (parsed by the host's OpenSSL), checked against the host's own Node. */
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, type Files, hostFailure, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** A CA (P-256) and a leaf it issued (RSA, with subjectAltName, key usage and OCSP access), made by the openssl CLI. */
const pki = { ca: "", leaf: "", leafKey: "", caKey: "" };
let dir = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "isolambda-x509-"));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-subj",
    "/CN=Test CA",
    "-days",
    "30",
  );
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=example.test/O=Isolambda");
  writeFileSync(
    path.join(dir, "ext"),
    "subjectAltName=DNS:example.test,DNS:*.api.example.test,IP:127.0.0.1,email:ops@example.test\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1/ocsp\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "leaf.pem",
    "-days",
    "30",
    "-extfile",
    "ext",
  );
  for (const name of ["ca", "leaf"] as const) pki[name] = readFileSync(path.join(dir, `${name}.pem`), "utf8");
  pki.leafKey = readFileSync(path.join(dir, "leaf.key"), "utf8");
  pki.caKey = readFileSync(path.join(dir, "ca.key"), "utf8");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(lines: string[], event: unknown): Promise<Record<string, unknown>> {
  const files: Files = { "index.js": ["const crypto = require('node:crypto');", ...lines].join("\n") };
  return resultOf(await invokeOnce(sandbox, files, event)) as Record<string, unknown>;
}

const FIELDS = [
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
] as const;

describe("node:crypto X509Certificate", () => {
  it("parses PEM and DER into the fields the host's Node gives, and checks names, issuer and keys as it does", async () => {
    const leaf = new X509Certificate(pki.leaf);
    const ca = new X509Certificate(pki.ca);
    const out = await run(
      [
        "exports.handler = async ({ leafPem, caDer, leafKey, caKey, fields }) => {",
        "  const leaf = new crypto.X509Certificate(leafPem);",
        "  const ca = new crypto.X509Certificate(Buffer.from(caDer, 'base64'));",
        "  const legacy = leaf.toLegacyObject();",
        "  return {",
        "    leaf: Object.fromEntries(fields.map((f) => [f, leaf[f] ?? null])),",
        "    ca: Object.fromEntries(fields.map((f) => [f, ca[f] ?? null])),",
        "    raw: leaf.raw.toString('base64'), pem: leaf.toString(), json: JSON.stringify({ leaf }),",
        "    publicKey: leaf.publicKey.export({ format: 'jwk' }), keyType: leaf.publicKey.asymmetricKeyType,",
        "    hosts: ['example.test', 'a.api.example.test', 'b.example.test'].map((h) => leaf.checkHost(h) ?? null),",
        "    email: leaf.checkEmail('ops@example.test') ?? null, otherEmail: leaf.checkEmail('x@example.test') ?? null,",
        "    ips: ['127.0.0.1', '10.0.0.1'].map((ip) => leaf.checkIP(ip) ?? null),",
        "    issued: [leaf.checkIssued(ca), ca.checkIssued(leaf)],",
        "    verified: [leaf.verify(ca.publicKey), leaf.verify(leaf.publicKey)],",
        "    privateKey: [leaf.checkPrivateKey(crypto.createPrivateKey(leafKey)), leaf.checkPrivateKey(crypto.createPrivateKey(caKey))],",
        "    legacy: { ...legacy, pubkey: legacy.pubkey.toString('base64'), raw: legacy.raw.toString('base64') },",
        "    isInstance: leaf instanceof crypto.X509Certificate,",
        "  };",
        "};",
      ],
      { leafPem: pki.leaf, caDer: ca.raw.toString("base64"), leafKey: pki.leafKey, caKey: pki.caKey, fields: FIELDS },
    );
    const fieldsOf = (cert: X509Certificate) => Object.fromEntries(FIELDS.map((f) => [f, (cert[f] as unknown) ?? null]));
    const legacy = leaf.toLegacyObject() as unknown as Record<string, unknown>;
    expect(out).toEqual({
      leaf: fieldsOf(leaf),
      ca: fieldsOf(ca),
      raw: leaf.raw.toString("base64"),
      pem: leaf.toString(),
      json: JSON.stringify({ leaf }),
      publicKey: leaf.publicKey.export({ format: "jwk" }),
      keyType: "rsa",
      hosts: ["example.test", "a.api.example.test", "b.example.test"].map((h) => leaf.checkHost(h) ?? null),
      email: leaf.checkEmail("ops@example.test"),
      otherEmail: null,
      ips: [leaf.checkIP("127.0.0.1"), null],
      issued: [true, false],
      verified: [true, false],
      privateKey: [true, false],
      legacy: JSON.parse(
        JSON.stringify({ ...legacy, pubkey: (legacy.pubkey as Buffer).toString("base64"), raw: (legacy.raw as Buffer).toString("base64") }),
      ),
      isInstance: true,
    });
    expect(leaf.checkPrivateKey(createPrivateKey(pki.leafKey))).toBe(true);
  });

  it("fails as Node does on bad input", async () => {
    const leaf = new X509Certificate(pki.leaf);
    const out = await run(
      [
        FAILURE_SOURCE,
        "exports.handler = async ({ leafPem }) => {",
        "  const leaf = new crypto.X509Certificate(leafPem);",
        "  return {",
        "    garbage: failure(() => new crypto.X509Certificate('garbage')),",
        "    notBytes: failure(() => new crypto.X509Certificate({})),",
        "    verifyString: failure(() => leaf.verify('x')),",
        "    issuedString: failure(() => leaf.checkIssued('x')),",
        "    hostNumber: failure(() => leaf.checkHost(5)),",
        "    badIp: failure(() => leaf.checkIP('nope')),",
        "  };",
        "};",
      ],
      { leafPem: pki.leaf },
    );
    expect(out).toEqual({
      garbage: hostFailure(() => new X509Certificate("garbage")),
      notBytes: hostFailure(() => new X509Certificate({} as never)),
      verifyString: hostFailure(() => leaf.verify("x" as never)),
      issuedString: hostFailure(() => leaf.checkIssued("x" as never)),
      hostNumber: hostFailure(() => leaf.checkHost(5 as never)),
      badIp: hostFailure(() => leaf.checkIP("nope")),
    });
  });
});
