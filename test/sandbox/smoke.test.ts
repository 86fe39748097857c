import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

describe("sandbox smoke", () => {
  it("runs an ES module handler and a CommonJS handler", async () => {
    const esm = writePackage({ "index.mjs": "export const handler = async (e) => ({ got: e.x * 2 });" });
    const cjs = writePackage({ "index.js": "exports.handler = async (e) => ({ got: e.x + 1 });" });
    const a = await sandbox.createEnvironment(configFor(esm));
    const b = await sandbox.createEnvironment(configFor(cjs));
    expect(JSON.parse((await a.invoke('{"x":21}')).payload)).toEqual({ got: 42 });
    expect(JSON.parse((await b.invoke('{"x":41}')).payload)).toEqual({ got: 42 });
    a.dispose();
    b.dispose();
  });
});
