/**
 * Cognito-style RS256 verification at the doors: one function (aws-jwt-verify, the JWKS from a
 * loopback server) guards an ALB route and a CloudFront viewer-request hook.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { useServer } from "../api/server.js";
import { COGNITO_VERIFIER, cognitoToken, serveJwks } from "./cognito-verifier.js";
import { packageFiles } from "./package-closure.js";

const jwks = await serveJwks();
afterAll(() => jwks.close());

/** The origin behind CloudFront: answers with the user the viewer-request hook named. */
const origin = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ user: req.headers["x-user"] ?? null }));
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

// Lambda@Edge allows no environment variables: the JWKS address is written into the code.
const AUTHORIZER = `${COGNITO_VERIFIER.replaceAll("process.env.JWKS_URI", JSON.stringify(jwks.uri))}
  const bearer = (value) => (value ?? "").replace(/^Bearer /, "");
  exports.handler = async (event) => {
    if (event.Records) {
      const request = event.Records[0].cf.request;
      const result = await check(bearer(request.headers.authorization?.[0]?.value));
      if (result.error) return { status: "401", statusDescription: "Unauthorized", body: result.error };
      request.headers["x-user"] = [{ key: "X-User", value: result.ok.sub }];
      return request;
    }
    const result = await check(bearer(event.headers.authorization));
    if (result.error) return { statusCode: 401, statusDescription: "401 Unauthorized", body: result.error };
    return { statusCode: 200, statusDescription: "200 OK", headers: { "content-type": "application/json" }, body: JSON.stringify(result.ok) };
  };`;

const root = mkdtempSync(path.join(tmpdir(), "isolambda-jwt-doors-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fnDir = path.join(root, "functions", "authorizer");
for (const [file, bytes] of Object.entries(packageFiles(["aws-jwt-verify"]))) {
  mkdirSync(path.dirname(path.join(fnDir, file)), { recursive: true });
  writeFileSync(path.join(fnDir, file), bytes);
}
writeFileSync(path.join(fnDir, "index.js"), AUTHORIZER);
// A viewer trigger's quotas: 128 MB and 5 s.
writeFileSync(path.join(fnDir, "function.json"), JSON.stringify({ handler: "index.handler", memorySize: 128, timeout: 5 }));

const api = useServer({
  functionsDir: path.join(root, "functions"),
  doors: parseConfig({
    doors: [
      { type: "alb", port: 0, rules: [{ priority: 1, path: "/api/*", target: "authorizer" }] },
      {
        type: "cloudfront",
        port: 0,
        behaviors: [{ path: "*", origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, viewerRequest: "authorizer:1" }],
      },
    ],
  }).doors,
});

const forged = (): string => cognitoToken({}, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);

describe("RS256 JWT verification at the doors", () => {
  it("an ALB route answers a valid Cognito token with its claims and refuses a forged or expired one with 401", async () => {
    const alb = api.door(0);
    const ok = await fetch(`${alb}/api/me`, { headers: { authorization: `Bearer ${cognitoToken()}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: "user-1", client_id: "client-1", token_use: "access", scope: "read" });
    const bad = await fetch(`${alb}/api/me`, { headers: { authorization: `Bearer ${forged()}` } });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toBe("JwtInvalidSignatureError");
    const expired = await fetch(`${alb}/api/me`, {
      headers: { authorization: `Bearer ${cognitoToken({ exp: Math.floor(Date.now() / 1000) - 60 })}` },
    });
    expect(expired.status).toBe(401);
    expect(await expired.text()).toBe("JwtExpiredError");
  });

  it("a CloudFront viewer-request hook passes a valid token's user to the origin and answers a forged one itself with 401", async () => {
    const cf = api.door(1);
    const ok = await fetch(`${cf}/page`, { headers: { authorization: `Bearer ${cognitoToken()}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: "user-1" });
    const bad = await fetch(`${cf}/page`, { headers: { authorization: `Bearer ${forged()}` } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("x-cache")).toBe("LambdaGeneratedResponse from cloudfront");
    expect(await bad.text()).toBe("JwtInvalidSignatureError");
    const missing = await fetch(`${cf}/page`);
    expect(missing.status).toBe(401);
  });
});
