/** The core's one entry point, through its interface: a real registry, gate, warm pool and sandbox. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConcurrencyGate, DEFAULT_LIMITS } from "../../src/lambda/concurrency.js";
import { type InvokeCore, invoke } from "../../src/lambda/invoke.js";
import { Invoker } from "../../src/lambda/invoker.js";
import { WarmPool } from "../../src/pool/index.js";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { Sandbox } from "../../src/sandbox/index.js";
import { removeTempDirs, SETTINGS, tempDir, zipOf } from "../registry/helpers.js";
import { configFor } from "../sandbox/fixtures.js";

const HANDLER = `exports.handler = async (event) => {
  if (event.fail) throw new TypeError("asked to fail");
  return { hello: event.name };
};`;

let opened: OpenedRegistry;
let sandbox: Sandbox;
let pool: WarmPool;
let core: InvokeCore;

beforeAll(async () => {
  opened = openRegistry(tempDir());
  const code = await opened.code.put(zipOf({ "index.js": HANDLER }));
  for (const functionName of ["greeter", "held"]) opened.registry.createFunction({ functionName, ...SETTINGS, code });
  opened.registry.publishVersion("greeter");
  opened.registry.createAlias("greeter", "live", { functionVersion: "1" });
  opened.registry.putReservedConcurrency("held", 0, 900);
  sandbox = await Sandbox.start({ executors: 1 });
  pool = new WarmPool(sandbox);
  const invoker = new Invoker(pool, new ConcurrencyGate(opened.registry, DEFAULT_LIMITS));
  core = {
    region: "us-east-1",
    accountId: "000000000000",
    lookup: opened.registry,
    configOf: (version) =>
      configFor(opened.code.get(version.codeSha256)?.dir ?? "", {
        functionName: version.functionName,
        functionVersion: version.version,
        versionKey: `${version.functionName}:${version.version}:${version.revisionId}`,
      }),
    invoker,
  };
});

afterAll(async () => {
  pool.dispose();
  await sandbox.dispose();
  opened.registry.close();
  removeTempDirs();
});

const options = { requestId: "00000000-0000-4000-8000-000000000000", invocationType: "RequestResponse" as const };

describe("invoke(ref, payload, options)", () => {
  it("ends ok with the handler's result and the version an alias resolved to", async () => {
    const outcome = await invoke(core, { name: "greeter", qualifier: "live" }, JSON.stringify({ name: "core" }), options);
    expect(outcome.kind).toBe("ok");
    if (outcome.kind !== "ok") return;
    expect(JSON.parse(outcome.completed.result.payload)).toEqual({ hello: "core" });
    expect(outcome.completed.executedVersion).toBe("1");
    expect(outcome.completed.log).toMatch(/^START RequestId: 00000000-0000-4000-8000-000000000000 Version: 1\n/);
  });

  it("ends in a function error with the handler's error as payload", async () => {
    const outcome = await invoke(core, { name: "greeter" }, JSON.stringify({ fail: true }), options);
    expect(outcome.kind).toBe("function-error");
    if (outcome.kind !== "function-error") return;
    expect(JSON.parse(outcome.completed.result.payload)).toMatchObject({ errorType: "TypeError", errorMessage: "asked to fail" });
  });

  it("ends throttled with Lambda's Reason when the function's reserved concurrency is 0", async () => {
    expect(await invoke(core, { name: "held" }, "{}", options)).toEqual({
      kind: "throttled",
      reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
    });
  });

  it("ends not found, naming the function's ARN, for a missing function, version or alias", async () => {
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:";
    expect(await invoke(core, { name: "nobody" }, "{}", options)).toEqual({
      kind: "not-found",
      message: `Function not found: ${arn}nobody`,
    });
    expect(await invoke(core, { name: "greeter", qualifier: "7" }, "{}", options)).toEqual({
      kind: "not-found",
      message: `Function not found: ${arn}greeter:7`,
    });
    expect(await invoke(core, { name: "greeter", qualifier: "gone" }, "{}", options)).toEqual({
      kind: "not-found",
      message: `Function not found: ${arn}greeter:gone`,
    });
  });
});
