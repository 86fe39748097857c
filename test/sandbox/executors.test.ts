/** Executors started on demand beside a stalled one, and their end once idle. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../src/sandbox/index.js";
import { waitFor } from "../wait.js";
import { configFor, removePackages, writePackage } from "./fixtures.js";
import { errorOf, resultOf } from "./harness.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ executors: 1, maxExecutors: 2, extraExecutorIdleMs: 100 });
});
afterAll(async () => {
  await sandbox.dispose();
  removePackages();
});

const spin = () =>
  sandbox.createEnvironment(configFor(writePackage({ "index.js": "exports.handler = async () => { for (;;); };" }), { timeoutSeconds: 1 }));
const hello = () => sandbox.createEnvironment(configFor(writePackage({ "index.js": "exports.handler = async () => 'hi';" })));

describe("executors on demand", () => {
  it("a hello waiting behind a spinning turn is taken back unharmed; a new environment goes to a new executor, which ends once idle", async () => {
    const spinner = await spin();
    const neighbour = await hello();
    const spinning = spinner.invoke("{}");
    // Sent behind the spinner's turn on the one executor: taken back before it starts.
    const waited = await neighbour.invoke("{}");
    expect(waited.takenBack).toBe(true);
    expect(neighbour.usable).toBe(true);
    expect(neighbour.executorStalled).toBe(true);
    const elsewhere = await hello();
    expect(sandbox.executorCount).toBe(2);
    expect(resultOf(await elsewhere.invoke("{}"))).toBe("hi");
    expect(errorOf(await spinning).errorType).toBe("Sandbox.Timedout");
    // The first executor is free again: its environment answers.
    expect(resultOf(await neighbour.invoke("{}"))).toBe("hi");
    elsewhere.dispose();
    await waitFor(
      () => sandbox.executorCount === 1,
      () => `the extra executor to end once idle (${sandbox.executorCount} running)`,
    );
    neighbour.dispose();
  });

  it("past the bound, a new environment still goes somewhere, and answers once a spinner's turn ends", async () => {
    const stalled = (env: { executorStalled: boolean }) => waitFor(() => env.executorStalled, "a spinning turn to stall its executor");
    const first = await spin();
    const running = [first.invoke("{}")];
    await stalled(first);
    const second = await spin();
    running.push(second.invoke("{}"));
    await stalled(second);
    // Both executors (the bound) are stalled: the hello is placed all the same.
    const late = await hello();
    expect(sandbox.executorCount).toBe(2);
    let answer = await late.invoke("{}");
    while (answer.takenBack) answer = await late.invoke("{}");
    expect(resultOf(answer)).toBe("hi");
    for (const outcome of await Promise.all(running)) expect(errorOf(outcome).errorType).toBe("Sandbox.Timedout");
    late.dispose();
  });
});
