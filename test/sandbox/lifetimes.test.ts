/**
 * One way to end things: Sandbox, Environment and the executors are `alive` until `dispose()` (or
 * `using`), which may be called again; what outlives its sandbox fails at once instead of waiting.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type Environment, Sandbox } from "../../src/sandbox/index.js";
import { configFor, removePackages, writePackage } from "./fixtures.js";
import { errorOf, resultOf } from "./harness.js";

afterAll(() => removePackages());

const hello = () => configFor(writePackage({ "index.js": "exports.handler = async () => 'hi';" }));
/** A handler that waits far past the test: its invocation is still running when the sandbox ends. */
const waiting = () =>
  configFor(writePackage({ "index.js": "exports.handler = () => new Promise((resolve) => setTimeout(resolve, 60_000));" }), {
    timeoutSeconds: 120,
  });

describe("a sandbox's lifetime", () => {
  it("is alive until disposed at the end of its `await using` block, and so are its environments", async () => {
    let outlived: Sandbox | undefined;
    let env: Environment | undefined;
    {
      await using sandbox = await Sandbox.start({ executors: 1 });
      outlived = sandbox;
      env = await sandbox.createEnvironment(hello());
      expect([sandbox.alive, env.alive, env.usable]).toEqual([true, true, true]);
      expect(resultOf(await env.invoke("{}"))).toBe("hi");
    }
    expect([outlived.alive, env.alive, env.usable]).toEqual([false, false, false]);
  });

  it("answers what comes after dispose at once: an invocation fails as its executor's end, a new environment is refused", async () => {
    const sandbox = await Sandbox.start({ executors: 1 });
    const env = await sandbox.createEnvironment(hello());
    await sandbox.dispose();
    const after = await env.invoke("{}", { requestId: "after-dispose" });
    expect(after.environmentGone).toBe(true);
    expect(errorOf(after)).toMatchObject({
      errorType: "Runtime.ExitError",
      errorMessage: "RequestId: after-dispose Error: Runtime exited: executor disposed",
    });
    await expect(sandbox.createEnvironment(hello())).rejects.toThrow("the sandbox is disposed");
    await expect(sandbox.prepareSnapshot(hello())).rejects.toThrow("the sandbox is disposed");
  });

  it("ends an invocation still running when the sandbox is disposed, with Runtime.ExitError", async () => {
    const sandbox = await Sandbox.start({ executors: 1 });
    const env = await sandbox.createEnvironment(waiting());
    const running = env.invoke("{}", { requestId: "running" });
    await sandbox.dispose();
    const ended = await running;
    expect(ended.environmentGone).toBe(true);
    expect(errorOf(ended)).toMatchObject({
      errorType: "Runtime.ExitError",
      errorMessage: "RequestId: running Error: Runtime exited: executor disposed",
    });
  });

  it("disposes once: a second dispose() is the first one's promise, and an environment disposed after its sandbox is already ended", async () => {
    const sandbox = await Sandbox.start({ executors: 1 });
    const env = await sandbox.createEnvironment(hello());
    const first = sandbox.dispose();
    expect(sandbox.dispose()).toBe(first);
    expect(sandbox[Symbol.asyncDispose]()).toBe(first);
    await first;
    env.dispose();
    {
      using again = env;
      expect(again.alive).toBe(false);
    }
    expect(env.alive).toBe(false);
  });
});
