import { createHmac, generateKeyPairSync } from "node:crypto";
import { exportJWK, importJWK, importSPKI, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { COGNITO_VERIFIER, cognitoToken, ISSUER, jwt, pem, serveJwks, signingKey } from "./cognito-verifier.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();
const SECRET = "a-secret-long-enough-for-hs256-0123456789";

/** Flips the payload's `sub` without re-signing: the signature no longer matches. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url"), signature].join(".");
}

/** The HS256 signature of a token's first two parts, computed by the host's crypto. */
function hostSignature(token: string): string {
  const [header, payload] = token.split(".") as [string, string];
  return createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url");
}

describe("JSON Web Tokens inside the sandbox", () => {
  it("jsonwebtoken: signs HS256, verifies it, rejects a tampered token, an expired one and a wrong secret", async () => {
    await deployPackaged(api, "compat-jsonwebtoken", {
      packages: ["jsonwebtoken"],
      files: {
        "index.js": `
          const jwt = require("jsonwebtoken");
          const outcome = (fn) => { try { return { ok: fn() }; } catch (e) { return { error: e.name, message: e.message }; } };
          exports.handler = async (event) => {
            if (event.verify) return outcome(() => jwt.verify(event.verify, event.secret, { algorithms: ["HS256"] }));
            const token = jwt.sign({ sub: "user-1", scope: ["read"] }, event.secret, { algorithm: "HS256", expiresIn: "1h", issuer: "isolambda", noTimestamp: false });
            const expired = jwt.sign({ sub: "user-1", exp: Math.floor(Date.now() / 1000) - 10 }, event.secret);
            return {
              token,
              verified: jwt.verify(token, event.secret, { issuer: "isolambda" }),
              decoded: jwt.decode(token, { complete: true }).header,
              expired: outcome(() => jwt.verify(expired, event.secret)),
              wrongSecret: outcome(() => jwt.verify(token, event.secret + "x")),
            };
          };`,
      },
    });
    const out = (await invokeOk(api, "compat-jsonwebtoken", { secret: SECRET })) as {
      token: string;
      verified: { sub: string; scope: string[]; iss: string; iat: number; exp: number };
      decoded: unknown;
      expired: unknown;
      wrongSecret: unknown;
    };
    expect(out.token.split(".")[2]).toBe(hostSignature(out.token));
    expect(out.verified).toMatchObject({ sub: "user-1", scope: ["read"], iss: "isolambda" });
    expect(out.verified.exp - out.verified.iat).toBe(3600);
    expect(Math.abs(out.verified.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(out.decoded).toEqual({ alg: "HS256", typ: "JWT" });
    expect(out.expired).toEqual({ error: "TokenExpiredError", message: "jwt expired" });
    expect(out.wrongSecret).toEqual({ error: "JsonWebTokenError", message: "invalid signature" });
    expect(await invokeOk(api, "compat-jsonwebtoken", { secret: SECRET, verify: tamper(out.token) })).toEqual({
      error: "JsonWebTokenError",
      message: "invalid signature",
    });
  });

  it("jose: SignJWT and jwtVerify with HS256 through Web Crypto, and a tampered token rejected", async () => {
    await deployPackaged(api, "compat-jose", {
      packages: ["jose"],
      files: {
        "index.mjs": `
          import { SignJWT, jwtVerify, decodeProtectedHeader, errors } from "jose";
          export const handler = async (event) => {
            const key = new TextEncoder().encode(event.secret);
            if (event.verify) {
              try { return { ok: (await jwtVerify(event.verify, key)).payload }; }
              catch (e) { return { error: e.code, isJoseError: e instanceof errors.JOSEError }; }
            }
            const token = await new SignJWT({ sub: "user-1", role: "reader" })
              .setProtectedHeader({ alg: "HS256" })
              .setIssuedAt()
              .setIssuer("isolambda")
              .setAudience("tests")
              .setExpirationTime("2h")
              .sign(key);
            const { payload, protectedHeader } = await jwtVerify(token, key, { issuer: "isolambda", audience: "tests" });
            let wrongAudience;
            try { await jwtVerify(token, key, { audience: "others" }); } catch (e) { wrongAudience = e.code; }
            return { token, payload, protectedHeader, header: decodeProtectedHeader(token), wrongAudience };
          };`,
      },
    });
    const out = (await invokeOk(api, "compat-jose", { secret: SECRET })) as {
      token: string;
      payload: { sub: string; role: string; iss: string; aud: string; iat: number; exp: number };
      protectedHeader: unknown;
      header: unknown;
      wrongAudience: string;
    };
    expect(out.token.split(".")[2]).toBe(hostSignature(out.token));
    expect(out.payload).toMatchObject({ sub: "user-1", role: "reader", iss: "isolambda", aud: "tests" });
    expect(out.payload.exp - out.payload.iat).toBe(7200);
    expect(out.protectedHeader).toEqual({ alg: "HS256" });
    expect(out.header).toEqual({ alg: "HS256" });
    expect(out.wrongAudience).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
    expect(await invokeOk(api, "compat-jose", { secret: SECRET, verify: tamper(out.token) })).toEqual({
      error: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      isJoseError: true,
    });
    expect(await invokeOk(api, "compat-jose", { secret: SECRET, verify: out.token })).toMatchObject({ ok: { sub: "user-1" } });
  });
});

const rsa = signingKey;
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
let jwks: Awaited<ReturnType<typeof serveJwks>>;
beforeAll(async () => {
  jwks = await serveJwks();
});
afterAll(() => jwks.close());

describe("JSON Web Tokens signed with RSA and ECDSA inside the sandbox", () => {
  it("jsonwebtoken: signs RS256 and ES256 the host verifies, verifies the host's, rejects tampered and wrong-key tokens", async () => {
    await deployPackaged(api, "compat-jsonwebtoken-rsa", {
      packages: ["jsonwebtoken"],
      files: {
        "index.js": `
          const jwt = require("jsonwebtoken");
          const outcome = (fn) => { try { return { ok: fn() }; } catch (e) { return { error: e.name, message: e.message }; } };
          exports.handler = async ({ keys, hostTokens, tampered }) => ({
            rs256: jwt.sign({ sub: "user-1" }, keys.rsaPrivate, { algorithm: "RS256", expiresIn: "1h", keyid: "k1" }),
            es256: jwt.sign({ sub: "user-2" }, keys.ecPrivate, { algorithm: "ES256" }),
            ps256: jwt.sign({ sub: "user-3" }, keys.rsaPrivate, { algorithm: "PS256" }),
            verifiedRs: outcome(() => jwt.verify(hostTokens.rs256, keys.rsaPublic, { algorithms: ["RS256"] })),
            verifiedEs: outcome(() => jwt.verify(hostTokens.es256, keys.ecPublic, { algorithms: ["ES256"] })),
            verifiedPs: outcome(() => jwt.verify(hostTokens.ps256, keys.rsaPublic)),
            tampered: outcome(() => jwt.verify(tampered, keys.rsaPublic)),
            wrongKey: outcome(() => jwt.verify(hostTokens.rs256, keys.ecPublic)),
          });`,
      },
    });
    const hostTokens = {
      rs256: jwt.sign({ sub: "host-rs" }, pem(rsa.privateKey), { algorithm: "RS256" }),
      es256: jwt.sign({ sub: "host-es" }, pem(ec.privateKey), { algorithm: "ES256" }),
      ps256: jwt.sign({ sub: "host-ps" }, pem(rsa.privateKey), { algorithm: "PS256" }),
    };
    const keys = {
      rsaPrivate: pem(rsa.privateKey),
      rsaPublic: pem(rsa.publicKey),
      ecPrivate: pem(ec.privateKey),
      ecPublic: pem(ec.publicKey),
    };
    const out = (await invokeOk(api, "compat-jsonwebtoken-rsa", { keys, hostTokens, tampered: tamper(hostTokens.rs256) })) as Record<
      string,
      unknown
    > & { rs256: string; es256: string; ps256: string };
    expect(jwt.verify(out.rs256, keys.rsaPublic, { algorithms: ["RS256"] })).toMatchObject({ sub: "user-1" });
    expect(jwt.decode(out.rs256, { complete: true })?.header).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    expect(jwt.verify(out.es256, keys.ecPublic, { algorithms: ["ES256"] })).toMatchObject({ sub: "user-2" });
    expect(jwt.verify(out.ps256, keys.rsaPublic, { algorithms: ["PS256"] })).toMatchObject({ sub: "user-3" });
    // PKCS#1 v1.5 is deterministic: the sandbox's RS256 signature is the host's, byte for byte.
    const payload = jwt.decode(out.rs256) as Record<string, unknown>;
    expect(out.rs256).toBe(jwt.sign(payload, keys.rsaPrivate, { algorithm: "RS256", keyid: "k1" }));
    expect(out.verifiedRs).toMatchObject({ ok: { sub: "host-rs" } });
    expect(out.verifiedEs).toMatchObject({ ok: { sub: "host-es" } });
    expect(out.verifiedPs).toMatchObject({ ok: { sub: "host-ps" } });
    expect(out.tampered).toEqual({ error: "JsonWebTokenError", message: "invalid signature" });
    expect(out.wrongKey).toEqual({ error: "JsonWebTokenError", message: "invalid algorithm" });
  });

  it("jose: jwtVerify of ES256 and RS256 with importSPKI, importJWK and createLocalJWKSet; SignJWT the host verifies", async () => {
    await deployPackaged(api, "compat-jose-asymmetric", {
      packages: ["jose"],
      files: {
        "index.mjs": `
          import { SignJWT, jwtVerify, importSPKI, importJWK, importPKCS8, createLocalJWKSet, exportJWK } from "jose";
          const failure = async (p) => { try { await p; return "accepted"; } catch (e) { return e.code ?? e.message; } };
          export const handler = async ({ keys, jwks, hostTokens, tampered }) => {
            const ecPublic = await importSPKI(keys.ecPublic, "ES256");
            const rsaPublic = await importJWK(jwks.keys[0], "RS256");
            const set = createLocalJWKSet(jwks);
            const signed = await new SignJWT({ sub: "from-sandbox" }).setProtectedHeader({ alg: "ES256" }).setIssuedAt()
              .sign(await importPKCS8(keys.ecPrivate, "ES256"));
            return {
              es256: (await jwtVerify(hostTokens.es256, ecPublic, { issuer: "host" })).payload,
              rs256: (await jwtVerify(hostTokens.rs256, rsaPublic)).payload,
              fromSet: (await jwtVerify(hostTokens.rs256, set)).protectedHeader,
              esFromSet: (await jwtVerify(hostTokens.es256, set)).protectedHeader,
              tampered: await failure(jwtVerify(tampered, ecPublic)),
              wrongKey: await failure(jwtVerify(hostTokens.es256, rsaPublic)),
              signed,
              exported: await exportJWK(ecPublic),
            };
          };`,
      },
    });
    const jwksBody = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256" },
        { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256" },
      ],
    };
    const hostTokens = {
      es256: await new SignJWT({ sub: "host-es" }).setProtectedHeader({ alg: "ES256", kid: "ec-1" }).setIssuer("host").sign(ec.privateKey),
      rs256: await new SignJWT({ sub: "host-rs" }).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).sign(rsa.privateKey),
    };
    const keys = { ecPublic: pem(ec.publicKey), ecPrivate: pem(ec.privateKey) };
    const out = (await invokeOk(api, "compat-jose-asymmetric", {
      keys,
      jwks: jwksBody,
      hostTokens,
      tampered: tamper(hostTokens.es256),
    })) as Record<string, unknown> & { signed: string };
    expect(out.es256).toEqual({ sub: "host-es", iss: "host" });
    expect(out.rs256).toEqual({ sub: "host-rs" });
    expect(out.fromSet).toEqual({ alg: "RS256", kid: "rsa-1" });
    expect(out.esFromSet).toEqual({ alg: "ES256", kid: "ec-1" });
    expect(out.tampered).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    expect(out.wrongKey).toBe("CryptoKey does not support this operation, its algorithm.name must be ECDSA");
    expect(out.exported).toEqual(await exportJWK(ec.publicKey));
    expect((await jwtVerify(out.signed, await importSPKI(pem(ec.publicKey), "ES256"))).payload).toMatchObject({ sub: "from-sandbox" });
    expect((await jwtVerify(hostTokens.rs256, await importJWK(jwksBody.keys[0] as never, "RS256"))).payload.sub).toBe("host-rs");
  });

  it("aws-jwt-verify: a Cognito access token verified against the JWKS fetched from a loopback server, and a forged one refused", async () => {
    await deployPackaged(api, "compat-aws-jwt-verify", {
      packages: ["aws-jwt-verify"],
      environment: { JWKS_URI: jwks.uri },
      files: { "index.js": COGNITO_VERIFIER },
    });
    const before = jwks.fetches();
    const forged = cognitoToken({}, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const out = await invokeOk(api, "compat-aws-jwt-verify", {
      tokens: [
        cognitoToken(),
        forged,
        cognitoToken({ client_id: "someone-else" }),
        cognitoToken({ exp: Math.floor(Date.now() / 1000) - 60 }),
      ],
    });
    expect(out).toEqual({
      out: [
        { ok: { sub: "user-1", client_id: "client-1", token_use: "access", scope: "read" } },
        { error: "JwtInvalidSignatureError" },
        { error: "CognitoJwtInvalidClientIdError" },
        { error: "JwtExpiredError" },
      ],
      // One fetch of the pool's JWKS for four tokens: the library cached it, as it does in Lambda.
      asked: [`${ISSUER}/.well-known/jwks.json`],
    });
    expect(jwks.fetches() - before).toBe(1);
  });
});
