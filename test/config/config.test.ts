import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "isolambda-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("isolambda.config.json", () => {
  it("applies Lambda's defaults", () => {
    expect(parseConfig({})).toMatchObject({
      region: "us-east-1",
      accountId: "000000000000",
      limits: {
        accountConcurrency: 1000,
        unreservedMinimum: 100,
        codeStorageBytes: 75 * 1024 ** 3,
        scalingRate: { environments: 1000, seconds: 10 },
      },
      doors: [],
    });
  });

  it("accepts the documented example, doors included", () => {
    const config = parseConfig({
      region: "eu-west-1",
      accountId: "123456789012",
      limits: { accountConcurrency: 50, unreservedMinimum: 10 },
      doors: [
        { type: "alb", port: 8080, rules: [{ priority: 10, path: "/api/*", host: "*", target: "hello:live" }] },
        {
          type: "cloudfront",
          port: 8081,
          behaviors: [{ path: "/*", origin: "http://127.0.0.1:3000", viewerRequest: "auth:3", originRequest: null }],
        },
        { type: "url", port: 8082, target: "hello" },
      ],
    });
    expect(config.limits).toMatchObject({ accountConcurrency: 50, unreservedMinimum: 10 });
    expect(config.doors.map((d) => d.type)).toEqual(["alb", "cloudfront", "url"]);
  });

  it("names every bad field", () => {
    expect(() =>
      parseConfig({ region: "mars", limits: { accountConcurrency: 0 }, doors: [{ type: "alb", port: 99999, rules: [] }] }, "x.json"),
    ).toThrow(/^x\.json: region: a Region name such as us-east-1; limits\.accountConcurrency: .*; doors\.0\.port: /);
    expect(() => parseConfig({ limit: {} })).toThrow(ConfigError);
    expect(() => parseConfig({ limits: { accountConcurrency: 10, unreservedMinimum: 20 } })).toThrow(
      /unreservedMinimum cannot exceed accountConcurrency/,
    );
  });

  it("refuses bad doors with the path of the bad field", () => {
    const refuse = (door: unknown) => () => parseConfig({ doors: [door] }, "c.json");
    expect(refuse({ type: "url", port: 1, target: "hello", invokeMode: "STREAM" })).toThrow(/^c\.json: doors\.0\.invokeMode: /);
    expect(refuse({ type: "url", port: 1, target: "bad name" })).toThrow(/doors\.0\.target: a function name/);
    expect(refuse({ type: "alb", port: 1, rules: [{ priority: 0, target: "a" }] })).toThrow(/doors\.0\.rules\.0\.priority: /);
    expect(refuse({ type: "alb", port: 1, rules: [{ priority: 1, target: "a", path: "" }] })).toThrow(/doors\.0\.rules\.0\.path: /);
    expect(refuse({ type: "cloudfront", port: 1, behaviors: [{ path: "/*", origin: "ftp://x" }] })).toThrow(
      /doors\.0\.behaviors\.0\.origin/,
    );
    expect(() =>
      parseConfig({
        doors: [
          { type: "url", port: 8082, target: "a" },
          { type: "url", port: 8082, target: "b" },
        ],
      }),
    ).toThrow(/doors\.1\.port: port 8082 is already used by doors\.0/);
  });

  it("takes a url door's authType and cors, refusing what CreateFunctionUrlConfig refuses", () => {
    const url = (fields: Record<string, unknown>) => () =>
      parseConfig({ doors: [{ type: "url", port: 1, target: "hello", ...fields }] }, "c.json");
    expect(url({})()).toMatchObject({ doors: [{ authType: "NONE" }] });
    expect(url({})().doors[0]).not.toHaveProperty("cors");
    const cors = {
      allowOrigins: ["*"],
      allowMethods: ["GET", "*"],
      allowHeaders: ["x-a"],
      exposeHeaders: [],
      maxAge: 86400,
      allowCredentials: true,
    };
    expect(url({ authType: "AWS_IAM", cors })()).toMatchObject({ doors: [{ authType: "AWS_IAM", cors }] });
    expect(url({ authType: "IAM" })).toThrow(/^c\.json: doors\.0\.authType: /);
    expect(url({ cors: { maxAge: 86401 } })).toThrow(/doors\.0\.cors\.maxAge: 0 to 86400 seconds/);
    expect(url({ cors: { maxAge: -1 } })).toThrow(/doors\.0\.cors\.maxAge: 0 to 86400 seconds/);
    expect(url({ cors: { maxAge: 1.5 } })).toThrow(/doors\.0\.cors\.maxAge: whole seconds/);
    expect(url({ cors: { allowMethods: ["OPTIONS"] } })).toThrow(
      /doors\.0\.cors\.allowMethods\.0: GET, PUT, HEAD, POST, PATCH, DELETE or \*/,
    );
    expect(url({ cors: { allowMethods: ["GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*"] } })).toThrow(
      /doors\.0\.cors\.allowMethods: at most 6 methods/,
    );
    expect(url({ cors: { allowOrigins: [""] } })).toThrow(/doors\.0\.cors\.allowOrigins\.0: an origin such as/);
    expect(url({ cors: { allowOrigins: [`https://${"a".repeat(250)}`] } })).toThrow(/allowOrigins\.0: at most 253 characters/);
    expect(url({ cors: { allowOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example`) } })).toThrow(
      /allowOrigins: at most 100 origins/,
    );
    expect(url({ cors: { exposeHeaders: ["x".repeat(1025)] } })).toThrow(/cors\.exposeHeaders\.0: at most 1024 characters/);
    expect(url({ cors: { allowHeaders: Array.from({ length: 101 }, () => "x") } })).toThrow(/cors\.allowHeaders: at most 100 headers/);
    expect(url({ cors: { AllowOrigins: ["*"] } })).toThrow(/doors\.0\.cors: .*AllowOrigins/);
    expect(url({ cors: { allowCredentials: "yes" } })).toThrow(/doors\.0\.cors\.allowCredentials: /);
  });

  it("refuses an Edge hook on $LATEST, an alias or a bare name: Lambda@Edge takes numbered versions only", () => {
    const edge = (hooks: Record<string, unknown>) => () =>
      parseConfig({ doors: [{ type: "cloudfront", port: 1, behaviors: [{ path: "/*", origin: "http://127.0.0.1:3000", ...hooks }] }] });
    expect(edge({ viewerRequest: "auth:$LATEST" })).toThrow(
      /doors\.0\.behaviors\.0\.viewerRequest: "auth:\$LATEST" references \$LATEST; .*numbered version/,
    );
    expect(edge({ originResponse: "headers:live" })).toThrow(
      /doors\.0\.behaviors\.0\.originResponse: "headers:live" references the alias "live"/,
    );
    expect(edge({ viewerResponse: "headers" })).toThrow(/viewerResponse: "headers" has no version/);
    expect(edge({ originRequest: "x:0" })).toThrow(/originRequest: "x:0" is not a valid version number/);
    expect(edge({ viewerRequest: "auth:3", originRequest: null })()).toMatchObject({
      doors: [{ behaviors: [{ viewerRequest: "auth:3" }] }],
    });
  });

  it("names the line of each bad field in a file, or of the object missing a field", () => {
    const file = path.join(dir, "lines.json");
    const doors = [
      { type: "alb", port: 8080, rules: [] },
      { type: "url", port: 99999, target: "hello" },
      { type: "url", port: 1 },
    ];
    writeFileSync(file, JSON.stringify({ region: "mars", doors }, null, 2));
    const message = (() => {
      try {
        loadConfig(file);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const lines = message?.split("\n") ?? [];
    expect(lines[0]).toMatch(/lines\.json:2: region: a Region name/);
    expect(lines).toContainEqual(expect.stringMatching(/lines\.json:11: doors\.1\.port: /));
    // `target` is missing: the line of the door that lacks it.
    expect(lines).toContainEqual(expect.stringMatching(/lines\.json:14: doors\.2\.target: /));
  });

  it("reads a file, refuses bad JSON, and requires a file the user named", () => {
    const good = path.join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ region: "us-west-2" }));
    expect(loadConfig(good).region).toBe("us-west-2");
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, '{\n  "region": "us-east-1",\n}\n');
    expect(() => loadConfig(bad)).toThrow(/bad\.json:3:1: not valid JSON \(PropertyNameExpected\)/);
    expect(() => loadConfig(path.join(dir, "absent.json"))).toThrow(/absent\.json: no such file/);
  });

  it("stops `isolambda serve` with a readable message naming the field", async () => {
    const bad = path.join(dir, "serve.json");
    writeFileSync(bad, JSON.stringify({ accountId: "42" }));
    const result = await promisify(execFile)(process.execPath, [
      "dist/cli.js",
      "serve",
      "--port",
      "0",
      "--config",
      bad,
      "--data-dir",
      path.join(dir, "data"),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining("accountId: 12 digits") });
  });
});
