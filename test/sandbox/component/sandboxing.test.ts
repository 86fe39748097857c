/** What a transpiled component can reach: only what isolambda hands it. */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ComponentCache, ENTRY_MODULE } from "../../../src/sandbox/component/cache.js";
import { wasiImports } from "../../../src/sandbox/component/wasi.js";

const examples = path.resolve(import.meta.dirname, "../../../wasm/examples");
const root = await mkdtemp(path.join(tmpdir(), "isolambda-components-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("component sandboxing", () => {
  it("transpiles to a module that imports nothing: every interface comes from isolambda, never preview2-shim", async () => {
    const cache = new ComponentCache(root);
    const dir = await cache.prepare(path.join(examples, "hello-js/hello.wasm"));
    const source = readFileSync(path.join(dir, ENTRY_MODULE), "utf8");
    expect(source).not.toMatch(/^\s*import\s/m);
    // jco's loader of core modules for the other instantiation mode: host code the guest cannot call, unused here.
    expect([...source.matchAll(/\bimport\((.*?)\)/g)].map((m) => m[1])).toEqual(["'node:fs/promises'"]);
    expect(source).not.toContain("preview2-shim");
    // Once per component: the same bytes find the same directory.
    expect(await cache.prepare(path.join(examples, "hello-js/hello.wasm"))).toBe(dir);
  }, 60_000);

  it("offers the function's environment only, no directory, and no socket", () => {
    const imports = wasiImports({ env: { ONLY: "this" }, write: () => {}, exit: () => process.exit(1) });
    const call = (name: string, fn: string, ...args: unknown[]) => {
      const implementation = imports[name]?.[fn];
      if (typeof implementation !== "function") throw new Error(`${name} has no ${fn}`);
      return implementation(...args);
    };
    expect(call("wasi:cli/environment", "getEnvironment")).toEqual([["ONLY", "this"]]);
    expect(call("wasi:filesystem/preopens", "getDirectories")).toEqual([]);
    expect(() => call("wasi:sockets/tcp-create-socket", "createTcpSocket", "ipv4")).toThrow();
    expect(() => call("wasi:sockets/ip-name-lookup", "resolveAddresses", {}, "example.com")).toThrow();
  });
});
