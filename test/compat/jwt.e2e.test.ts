import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
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
