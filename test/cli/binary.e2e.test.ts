/**
 * The single binary: `npm run build:binary`'s second step builds dist/isolambda from dist/, which is
 * copied to a directory with no node_modules anywhere above it; it serves a function that loads the
 * preinstalled AWS SDK and a WebAssembly component, and its own `invoke` command calls them.
 */
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChildServers } from "../api/serve-child.js";
import { isolambda } from "./cli.js";

const servers = new ChildServers();
const dir = mkdtempSync(path.join(tmpdir(), "isolambda-binary-"));
const binary = path.join(dir, "isolambda");
// The extracted runtime goes here, not into the user's ~/.cache.
process.env.ISOLAMBDA_CACHE_DIR = path.join(dir, "cache");

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ["scripts/build-binary.mjs"], { timeout: 240_000 });
  copyFileSync("dist/isolambda", binary);
  const fn = path.join(dir, "functions", "sdk");
  mkdirSync(fn, { recursive: true });
  writeFileSync(
    path.join(fn, "index.mjs"),
    [
      'import { S3Client } from "@aws-sdk/client-s3";',
      'import { LambdaClient } from "@aws-sdk/client-lambda";',
      "export const handler = async (event) => ({ echo: event.n, s3: typeof S3Client, lambda: typeof LambdaClient });",
    ].join("\n"),
  );
  // Transpiling a component at deploy needs jco, which the binary carries with it.
  cpSync("functions/hello-wasm", path.join(dir, "functions", "hello-wasm"), { recursive: true });
}, 300_000);

afterAll(() => {
  servers.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("the single binary", () => {
  it("serves from a directory without node_modules, and invokes through its own CLI", async () => {
    for (let at = dir; path.dirname(at) !== at; at = path.dirname(at)) expect(existsSync(path.join(at, "node_modules"))).toBe(false);
    const version = await isolambda(["--version"], { command: [binary], cwd: dir });
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    // The first run extracted its runtime into one directory of the cache.
    expect(readdirSync(path.join(dir, "cache"))).toHaveLength(1);

    const server = await servers.start(dir, { command: [binary], cwd: dir });
    const invoked = await isolambda(["invoke", "sdk", "--payload", '{"n":7}', "--endpoint", server.url], { command: [binary], cwd: dir });
    expect(invoked).toMatchObject({ code: 0, stdout: '{"echo":7,"s3":"function","lambda":"function"}\n' });
    expect(invoked.stderr).toMatch(/REPORT RequestId: .*Init Duration/);

    const component = await isolambda(["invoke", "hello-wasm", "--payload", '{"path":"/wasm"}', "--endpoint", server.url], {
      command: [binary],
      cwd: dir,
    });
    expect(component).toMatchObject({ code: 0, stdout: expect.stringContaining('"statusCode":200') });

    const unknown = await isolambda(["invoke", "nobody", "--endpoint", server.url], { command: [binary], cwd: dir });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("ResourceNotFoundException") });

    const exit = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
