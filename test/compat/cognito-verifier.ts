/** Cognito-style JWT verification as a handler and its fixtures, shared by the compat and door tests. */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { exportJWK } from "jose";

/** jsonwebtoken on the host (it ships no types): the calls the tests make of it. */
export const jwt = createRequire(import.meta.url)("jsonwebtoken") as {
  sign(payload: object, key: string, options?: Record<string, unknown>): string;
  verify(token: string, key: string, options?: Record<string, unknown>): Record<string, unknown>;
  decode(token: string, options?: { complete?: boolean }): (Record<string, unknown> & { header?: unknown }) | null;
};

export const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example";
export const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const pem = (key: KeyObject): string => key.export({ format: "pem", type: key.type === "public" ? "spki" : "pkcs8" }) as string;

/** A Cognito access token signed by the host (RS256 under kid "rsa-1"); `exp` in claims replaces the hour's lifetime. */
export function cognitoToken(claims: Record<string, unknown> = {}, key: KeyObject = signingKey.privateKey): string {
  return jwt.sign({ token_use: "access", client_id: "client-1", scope: "read", ...claims }, pem(key), {
    algorithm: "RS256",
    keyid: "rsa-1",
    issuer: ISSUER,
    subject: "user-1",
    ...("exp" in claims ? {} : { expiresIn: "1h" }),
  });
}

/** The user pool's JWKS served on a loopback port, counting its fetches. */
export async function serveJwks(): Promise<{ uri: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(signingKey.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" }] });
  const server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * aws-jwt-verify's CognitoJwtVerifier for the user pool of ISSUER. It asks its fetcher for the
 * pool's JWKS at cognito-idp.<region>.amazonaws.com; the fetcher (the library's documented seam)
 * fetches it from JWKS_URI on loopback instead, and records which URI the library asked for.
 */
export const COGNITO_VERIFIER = `
  const { CognitoJwtVerifier } = require("aws-jwt-verify");
  const { SimpleJwksCache } = require("aws-jwt-verify/jwk");
  const asked = [];
  const fetcher = { fetch: async (uri) => { asked.push(uri); return (await fetch(process.env.JWKS_URI)).arrayBuffer(); } };
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: "us-east-1_Example", tokenUse: "access", clientId: "client-1" },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  );
  const check = async (token) => {
    try {
      const { sub, client_id, token_use, scope } = await verifier.verify(token);
      return { ok: { sub, client_id, token_use, scope } };
    } catch (e) { return { error: e.constructor.name }; }
  };
  exports.check = check;
  exports.asked = asked;
  exports.handler = async ({ tokens }) => { const out = []; for (const t of tokens) out.push(await check(t)); return { out, asked }; };`;
