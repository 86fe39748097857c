/** Provisioned concurrency's rules, through the core's interface: a real registry, gate, warm pool and sandbox. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConcurrencyGate, DEFAULT_LIMITS } from "../../src/lambda/concurrency.js";
import type { LambdaCore } from "../../src/lambda/core.js";
import { Invoker } from "../../src/lambda/invoker.js";
import {
  deleteProvisioned,
  getProvisioned,
  type ProvisionedTarget,
  provisionAll,
  provisionedState,
  putProvisioned,
  unprovisionFunction,
} from "../../src/lambda/provisioned.js";
import { WarmPool } from "../../src/pool/index.js";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { Sandbox } from "../../src/sandbox/index.js";
import { ARN, expectLambdaError, removeTempDirs, SETTINGS, tempDir, zipOf } from "../registry/helpers.js";
import { waitFor } from "../wait.js";

const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret", sessionToken: "token" };
const UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";
const OVER_RESERVED = "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function";

let opened: OpenedRegistry;
let sandbox: Sandbox;
let pool: WarmPool;
let core: LambdaCore;

beforeAll(async () => {
  opened = openRegistry(tempDir());
  const code = await opened.code.put(zipOf({ "index.js": "exports.handler = async () => 'ok';" }));
  for (const functionName of ["open", "reserved"]) {
    opened.registry.createFunction({ functionName, ...SETTINGS, code });
    opened.registry.publishVersion(functionName);
    opened.registry.createAlias(functionName, "live", { functionVersion: "1" });
  }
  opened.registry.putReservedConcurrency("reserved", 3, 900);
  sandbox = await Sandbox.start({ executors: 1 });
  pool = new WarmPool(sandbox);
  core = {
    region: "us-east-1",
    accountId: "000000000000",
    credentials: CREDENTIALS,
    functionCredentials: { mint: () => CREDENTIALS },
    registry: opened.registry,
    code: opened.code,
    invoker: new Invoker(pool, new ConcurrencyGate(opened.registry, DEFAULT_LIMITS)),
  };
});

afterAll(async () => {
  pool.dispose();
  await sandbox.dispose();
  opened.registry.close();
  removeTempDirs();
});

const ready = (target: ProvisionedTarget) =>
  waitFor(() => {
    const state = provisionedState(core, getProvisioned(core, target));
    return state.status === "READY" && state;
  }, `${target.name}:${target.qualifier} READY`);

describe("provisioned concurrency in the core", () => {
  it("refuses $LATEST for every operation, recording nothing", async () => {
    const latest = { name: "open", qualifier: "$LATEST" };
    await expectLambdaError(() => putProvisioned(core, latest, 1), "InvalidParameterValueException", UNPUBLISHED);
    await expectLambdaError(() => getProvisioned(core, latest), "InvalidParameterValueException", UNPUBLISHED);
    await expectLambdaError(() => deleteProvisioned(core, latest), "InvalidParameterValueException", UNPUBLISHED);
    expect(opened.registry.listProvisioned("open")).toEqual([]);
  });

  it("refuses a version or alias that does not exist with ResourceNotFoundException", async () => {
    await expectLambdaError(
      () => putProvisioned(core, { name: "open", qualifier: "gone" }, 1),
      "ResourceNotFoundException",
      `Function not found: ${ARN}open:gone`,
    );
    await expectLambdaError(() => putProvisioned(core, { name: "missing", qualifier: "1" }, 1), "ResourceNotFoundException", /missing:1$/);
  });

  it("initialises the requested environments, READY once the pool holds them all", async () => {
    const target = { name: "open", qualifier: "live" };
    const config = putProvisioned(core, target, 2);
    expect(config).toMatchObject({ functionName: "open", qualifier: "live", requested: 2 });
    expect(await ready(target)).toMatchObject({ config: { requested: 2 }, allocated: 2, status: "READY" });
  });

  it("keeps a function's configurations together within its reserved concurrency, a replaced one not counted twice", async () => {
    putProvisioned(core, { name: "reserved", qualifier: "1" }, 2);
    await expectLambdaError(
      () => putProvisioned(core, { name: "reserved", qualifier: "live" }, 2),
      "InvalidParameterValueException",
      OVER_RESERVED,
    );
    expect(opened.registry.getProvisioned("reserved", "live")).toBeUndefined();
    putProvisioned(core, { name: "reserved", qualifier: "live" }, 1);
    // 1 (live) + 2 replacing 2 fits in 3; 1 + 3 would not.
    expect(putProvisioned(core, { name: "reserved", qualifier: "1" }, 2).requested).toBe(2);
    await expectLambdaError(
      () => putProvisioned(core, { name: "reserved", qualifier: "1" }, 3),
      "InvalidParameterValueException",
      OVER_RESERVED,
    );
    expect(opened.registry.getProvisioned("reserved", "1")?.requested).toBe(2);
  });

  it("deletes a configuration and its environments; getting it then is ProvisionedConcurrencyConfigNotFoundException", async () => {
    const target = { name: "open", qualifier: "1" };
    putProvisioned(core, target, 1);
    await ready(target);
    deleteProvisioned(core, target);
    expect(pool.provisionedStatus({ functionName: "open", qualifier: "1" })).toBeUndefined();
    await expectLambdaError(
      () => getProvisioned(core, target),
      "ProvisionedConcurrencyConfigNotFoundException",
      "No Provisioned Concurrency Config found for this function",
    );
  });

  it("unprovisions a function's environments, and provisions what the registry records again at start", async () => {
    const target = { name: "open", qualifier: "live" };
    await ready(target);
    unprovisionFunction(core, "open");
    expect(pool.provisionedStatus({ functionName: "open", qualifier: "live" })).toBeUndefined();
    expect(provisionedState(core, getProvisioned(core, target))).toMatchObject({ allocated: 0, status: "IN_PROGRESS" });
    provisionAll(core);
    expect(await ready(target)).toMatchObject({ allocated: 2, status: "READY" });
  });
});
