/** The warm pool's lifetime: alive until dispose() (or `using`), which ends what it keeps warm and may be called again. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WarmPool } from "../../src/pool/index.js";
import { Sandbox } from "../../src/sandbox/index.js";
import { configFor, removePackages, writePackage } from "../sandbox/fixtures.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ executors: 1 });
});
afterAll(async () => {
  await sandbox.dispose();
  removePackages();
});

const options = { invocationType: "RequestResponse" as const };

describe("a warm pool's lifetime", () => {
  it("keeps environments warm while alive; disposed, it keeps none, and a second dispose changes nothing", async () => {
    const config = configFor(writePackage({ "index.js": "exports.handler = async () => 'hi';" }));
    const pool = new WarmPool(sandbox);
    {
      using scoped = pool;
      expect(scoped.alive).toBe(true);
      expect((await scoped.invoke(config, "{}", options)).initDurationMs).toBeTypeOf("number");
      expect((await scoped.invoke(config, "{}", options)).initDurationMs).toBeUndefined();
    }
    expect(pool.alive).toBe(false);
    pool.dispose();
    // Its warm environment ended with it, and an invocation finishing now is not kept either.
    const after = await pool.invoke(config, "{}", options);
    expect(after.initDurationMs).toBeTypeOf("number");
    expect((await pool.invoke(config, "{}", options)).initDurationMs).toBeTypeOf("number");
    expect(JSON.parse(after.payload)).toBe("hi");
    // The sandbox is not the pool's: it still serves.
    expect(sandbox.alive).toBe(true);
  });
});
