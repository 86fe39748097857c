import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useGate } from "../loopback.js";
import { waitFor } from "../wait.js";
import { sample, useServer } from "./server.js";

const api = useServer();
const gate = useGate();
const decoder = new TextDecoder();
/**
 * Holds its environment at the gate and says how it was initialised. Its Request is made in INIT:
 * fetch's and URL's first use is a guest turn of tens of ms, which during the burst would stall the
 * one executor and send a provisioned environment's invocation elsewhere.
 */
const GATED = () =>
  `const knock = new Request(${JSON.stringify(gate.url)}); exports.handler = async () => { await fetch(knock); return process.env.AWS_LAMBDA_INITIALIZATION_TYPE; };`;

const provisionedStatus = async (qualifier: string) =>
  (await api.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: qualifier }))).Status;

async function invoke(qualifier: string): Promise<{ type: string; cold: boolean }> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: "warm", Qualifier: qualifier, LogType: "Tail" }));
  const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
  return { type: JSON.parse(decoder.decode(out.Payload)) as string, cold: log.includes("Init Duration") };
}

describe("provisioned concurrency", () => {
  it("initialises environments ahead of traffic, serves from them warm, and spills over to on-demand", async () => {
    await api.create("warm", GATED());
    await api.client.send(new PublishVersionCommand({ FunctionName: "warm" }));
    const put = await api.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }),
    );
    expect(put.RequestedProvisionedConcurrentExecutions).toBe(2);
    await waitFor(async () => (await provisionedStatus("1")) === "READY", "provisioned concurrency READY", { intervalMs: 20 });
    const ready = await api.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }));
    expect(ready).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 2, AvailableProvisionedConcurrentExecutions: 2 });

    expect(await invoke("1")).toEqual({ type: "provisioned-concurrency", cold: false });
    gate.close();
    const running = Promise.all([invoke("1"), invoke("1"), invoke("1")]);
    await waitFor(
      () => gate.held === 3,
      () => `the burst's three invocations running (${gate.held} at the gate)`,
    );
    const during = await (await fetch(`${api.url}/metrics`)).text();
    gate.open();
    const burst = await running;
    const after = await (await fetch(`${api.url}/metrics`)).text();
    const labels = '{function="warm",resource="1"}';
    expect(sample(during, `isolambda_provisioned_concurrent_executions${labels}`)).toBe(2);
    expect(sample(during, `isolambda_provisioned_concurrency_utilization${labels}`)).toBe(1);
    expect(sample(after, `isolambda_provisioned_concurrent_executions${labels}`)).toBe(0);
    expect(sample(after, `isolambda_provisioned_concurrency_spillover_invocations_total${labels}`)).toBe(1);
    expect(burst.filter((r) => r.type === "provisioned-concurrency" && !r.cold)).toHaveLength(2);
    expect(burst.filter((r) => r.type === "on-demand" && r.cold)).toHaveLength(1);

    const listed = await api.client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "warm" }));
    expect(listed.ProvisionedConcurrencyConfigs?.map((p) => p.FunctionArn)).toEqual([
      "arn:aws:lambda:us-east-1:000000000000:function:warm:1",
    ]);

    await api.client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }));
    await expect(
      api.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" })),
    ).rejects.toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
  });

  it("refuses $LATEST and more than the function's reservation", async () => {
    await api.create("limited", GATED());
    await api.client.send(new PublishVersionCommand({ FunctionName: "limited" }));
    await expect(
      api.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: "limited", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "limited", ReservedConcurrentExecutions: 1 }));
    await expect(
      api.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: "limited", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }),
      ),
    ).rejects.toThrow(/should not be greater than the reservedConcurrentExecution/);
  });
});
