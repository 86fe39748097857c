import { describe, expect } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";

const api = useServer();

/** A bcrypt hash of "correct horse" made by Node's bcryptjs (cost 4), which the sandbox must accept. */
const NODE_HASH = "$2b$04$VqtR7nGeBSbtY3H1grhQ6uJ7fW4n58nY1SEYCNcyr5GJ.yWYWPCem";

/** A fixed instant for the tokens' iat/exp, so Node's signatures equal the sandbox's byte for byte. */
const NOW = 1_710_000_000;

const CASES: CorpusCase[] = [
  {
    name: "corpus-bcryptjs",
    packages: ["bcryptjs"],
    event: { hash: NODE_HASH },
    files: {
      "index.mjs": `
        import bcrypt from "bcryptjs";
        export const handler = async (event) => {
          const salt = await bcrypt.genSalt(4);
          const hash = await bcrypt.hash("correct horse", salt);
          return {
            fixedSalt: bcrypt.hashSync("correct horse", "$2b$04$VqtR7nGeBSbtY3H1grhQ6u"),
            own: { prefix: hash.slice(0, 7), length: hash.length, matches: await bcrypt.compare("correct horse", hash), rounds: bcrypt.getRounds(hash) },
            nodeHash: bcrypt.compareSync("correct horse", event.hash),
            wrong: await bcrypt.compare("battery staple", event.hash),
            truncates: bcrypt.truncates("a".repeat(80)),
          };
        };`,
    },
    check: (out) => {
      expect(out.fixedSalt).toBe(NODE_HASH);
      expect(out.own).toEqual({ prefix: "$2b$04$", length: 60, matches: true, rounds: 4 });
      expect(out.nodeHash).toBe(true);
      expect(out.wrong).toBe(false);
      expect(out.truncates).toBe(true);
    },
  },
  {
    name: "corpus-jsonwebtoken",
    packages: ["jsonwebtoken"],
    event: { now: NOW },
    files: {
      "index.js": `
        const jwt = require("jsonwebtoken");
        exports.handler = async ({ now }) => {
          const token = jwt.sign({ sub: "user-1", scope: ["read"], iat: now }, "s3cret", { expiresIn: "1h", issuer: "corpus", algorithm: "HS384" });
          const verified = jwt.verify(token, "s3cret", { issuer: "corpus", clockTimestamp: now + 60 });
          const failures = {};
          for (const [label, run] of Object.entries({
            expired: () => jwt.verify(token, "s3cret", { clockTimestamp: now + 7200 }),
            secret: () => jwt.verify(token, "other"),
            issuer: () => jwt.verify(token, "s3cret", { issuer: "else", clockTimestamp: now }),
          })) { try { run(); } catch (e) { failures[label] = e.name + ": " + e.message; } }
          return { token, verified, decoded: jwt.decode(token, { complete: true }).header, failures };
        };`,
    },
    check: (out) => {
      expect(out.verified).toEqual({ sub: "user-1", scope: ["read"], iat: NOW, exp: NOW + 3600, iss: "corpus" });
      expect(out.decoded).toEqual({ alg: "HS384", typ: "JWT" });
      expect(out.failures).toEqual({
        expired: "TokenExpiredError: jwt expired",
        secret: "JsonWebTokenError: invalid signature",
        issuer: "JsonWebTokenError: jwt issuer invalid. expected: else",
      });
    },
  },
  {
    name: "corpus-jose",
    packages: ["jose"],
    event: { now: NOW },
    files: {
      "index.mjs": `
        import { SignJWT, jwtVerify, decodeProtectedHeader, CompactEncrypt, compactDecrypt, base64url } from "jose";
        export const handler = async ({ now }) => {
          const secret = new TextEncoder().encode("a-string-secret-at-least-256-bits-long");
          const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt(now).setExpirationTime(now + 600).setAudience("api").sign(secret);
          const { payload } = await jwtVerify(token, secret, { audience: "api", currentDate: new Date((now + 1) * 1000) });
          let expired;
          try { await jwtVerify(token, secret, { currentDate: new Date((now + 601) * 1000) }); } catch (e) { expired = e.code; }
          const key = new Uint8Array(32).fill(7);
          const jwe = await new CompactEncrypt(new TextEncoder().encode("hello")).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(key);
          const { plaintext } = await compactDecrypt(jwe, key);
          return { token, payload, expired, header: decodeProtectedHeader(token), jwe: new TextDecoder().decode(plaintext), b64: base64url.encode("hi?") };
        };`,
    },
    check: (out) => {
      expect(out.payload).toEqual({ role: "admin", iat: NOW, exp: NOW + 600, aud: "api" });
      expect(out.expired).toBe("ERR_JWT_EXPIRED");
      expect(out.header).toEqual({ alg: "HS256" });
      expect(out.jwe).toBe("hello");
      expect(out.b64).toBe("aGk_");
    },
  },
];

describe("auth libraries inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
});
