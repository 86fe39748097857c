/** SnapStart through the Lambda API, with @aws-sdk/client-lambda: publish, restore, provisioned, restart. */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait.js";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();

/** The snapshot files in the data directory, whichever runtime folder holds them. */
const snapshotFiles = (): string[] =>
  readdirSync(path.join(api.dataDir, "snapshots"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".snap.gz"));

/** INIT records a random number, a UUID and a time; each invocation counts and draws again. */
const STATEFUL = `
  const initRandom = Math.random();
  const initUuid = crypto.randomUUID();
  let counter = 0;
  exports.handler = async (event) => {
    counter += 1;
    if (event.wait) await new Promise((r) => setTimeout(r, event.wait));
    return { initRandom, initUuid, counter, random: Math.random(), type: process.env.AWS_LAMBDA_INITIALIZATION_TYPE };
  };`;

interface Answer {
  initRandom: number;
  initUuid: string;
  counter: number;
  random: number;
  type: string;
}

async function createSnapStart(name: string, source: string): Promise<void> {
  await api.client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: zipOf({ "index.js": source }) },
      SnapStart: { ApplyOn: "PublishedVersions" },
    }),
  );
}

async function invoke(name: string, qualifier: string, event: unknown = {}): Promise<{ answer: Answer; report: string }> {
  const out = await api.client.send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, LogType: "Tail", Payload: JSON.stringify(event) }),
  );
  expect(out.FunctionError).toBeUndefined();
  const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
  return { answer: JSON.parse(decoder.decode(out.Payload)) as Answer, report: log.split("\n").find((l) => l.startsWith("REPORT")) ?? "" };
}

describe("SnapStart", () => {
  it("is configured per function, On for published versions, and restores every environment from one INIT", async () => {
    await createSnapStart("snappy", STATEFUL);
    const latest = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "snappy" }));
    expect(latest.SnapStart).toEqual({ ApplyOn: "PublishedVersions", OptimizationStatus: "Off" });
    const published = await api.client.send(new PublishVersionCommand({ FunctionName: "snappy" }));
    expect(published).toMatchObject({
      Version: "1",
      State: "Active",
      SnapStart: { ApplyOn: "PublishedVersions", OptimizationStatus: "On" },
    });

    // Two at once: two environments, both restored.
    const [a, b] = await Promise.all([invoke("snappy", "1", { wait: 100 }), invoke("snappy", "1", { wait: 100 })]);
    for (const { report } of [a, b]) {
      expect(report).toMatch(/\tRestore Duration: \d+\.\d\d ms\tBilled Restore Duration: \d+ ms/);
      expect(report).not.toContain("Init Duration");
    }
    expect(b.answer.initUuid).toBe(a.answer.initUuid);
    expect(b.answer.initRandom).toBe(a.answer.initRandom);
    expect(b.answer.random).not.toBe(a.answer.random);
    expect([a.answer.counter, b.answer.counter]).toEqual([1, 1]);
    expect(a.answer.type).toBe("snap-start");
    const warm = await invoke("snappy", "1");
    expect(warm.answer.counter).toBe(2);
    expect(warm.report).not.toMatch(/Restore Duration|Init Duration/);

    // $LATEST runs INIT as usual.
    const onLatest = await invoke("snappy", "$LATEST");
    expect(onLatest.report).toContain("Init Duration");
    expect(onLatest.answer.initUuid).not.toBe(a.answer.initUuid);
    expect(snapshotFiles().filter((f) => f.includes("snappy+"))).toHaveLength(1);

    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "snappy", SnapStart: { ApplyOn: "None" } }));
    const off = await api.client.send(new PublishVersionCommand({ FunctionName: "snappy" }));
    expect(off).toMatchObject({ Version: "2", SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" } });
    expect((await invoke("snappy", "2")).report).toContain("Init Duration");
  });

  it("deletes a version's snapshot with the version, and every snapshot of a function with the function", async () => {
    await createSnapStart("doomed", STATEFUL);
    await api.client.send(new PublishVersionCommand({ FunctionName: "doomed" }));
    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "doomed", Environment: { Variables: { STAGE: "two" } } }));
    await api.client.send(new PublishVersionCommand({ FunctionName: "doomed" }));
    const doomed = () => snapshotFiles().filter((f) => f.includes("doomed+"));
    expect(doomed()).toHaveLength(2);
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "doomed", Qualifier: "1" }));
    expect(doomed()).toEqual([expect.stringContaining("doomed+2+")]);
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "doomed" }));
    expect(doomed()).toEqual([]);
    // Another function's snapshot stays.
    expect(snapshotFiles().filter((f) => f.includes("snappy+"))).toHaveLength(1);
  });

  it("rejects an ApplyOn Lambda does not know", async () => {
    const bad = api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "snappy", SnapStart: { ApplyOn: "Sometimes" as "None" } }),
    );
    await expect(bad).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("reports a version whose INIT fails at publish", async () => {
    await createSnapStart("broken", `throw new Error("missing TABLE_NAME"); exports.handler = async () => 1;`);
    const published = await api.client.send(new PublishVersionCommand({ FunctionName: "broken" }));
    expect(published).toMatchObject({ Version: "1", State: "Failed", StateReasonCode: "FunctionError" });
    expect(published.StateReason).toBe("Error: missing TABLE_NAME");
  });

  it("restores provisioned environments from the snapshot until READY", async () => {
    await createSnapStart("provisioned", STATEFUL);
    await api.client.send(new PublishVersionCommand({ FunctionName: "provisioned" }));
    const first = await invoke("provisioned", "1");
    await api.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: "provisioned", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }),
    );
    const status = async () =>
      (await api.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "provisioned", Qualifier: "1" }))).Status;
    await waitFor(async () => (await status()) === "READY", "provisioned concurrency READY", { intervalMs: 20 });
    const served = await invoke("provisioned", "1");
    expect(served.answer).toMatchObject({ initUuid: first.answer.initUuid, counter: 1, type: "provisioned-concurrency" });
    expect(served.report).not.toMatch(/Restore Duration|Init Duration/);
  });

  it("keeps snapshots across a restart: INIT does not run again", async () => {
    await createSnapStart("durable", STATEFUL);
    await api.client.send(new PublishVersionCommand({ FunctionName: "durable" }));
    const before = await invoke("durable", "1");
    // The same port: the snapshot holds AWS_ENDPOINT_URL, so a server on another port is another configuration.
    await api.restart({ samePort: true });
    const after = await invoke("durable", "1");
    expect(after.report).toContain("Restore Duration");
    expect(after.answer.initUuid).toBe(before.answer.initUuid);
    expect(after.answer.random).not.toBe(before.answer.random);
    expect(existsSync(path.join(api.dataDir, "snapshots"))).toBe(true);
  });
});
