import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvalidParameterValueException,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

/** A small account: 10 concurrent executions, 5 of them always unreserved. */
const api = useServer({ limits: { accountConcurrency: 10, unreservedMinimum: 5 } });
const decoder = new TextDecoder();

/** Holds its environment for 500 ms, so parallel invocations overlap. */
const SLOW =
  "exports.handler = async () => { await new Promise((r) => setTimeout(r, 500)); return { trace: process.env._X_AMZN_TRACE_ID }; };";

const create = (name: string) => api.create(name, SLOW);

async function parallel(name: string, count: number) {
  const results = await Promise.allSettled(Array.from({ length: count }, () => api.client.send(new InvokeCommand({ FunctionName: name }))));
  const throttled = results
    .filter((r) => r.status === "rejected")
    .map((r) => (r as PromiseRejectedResult).reason as TooManyRequestsException);
  return { ok: results.length - throttled.length, throttled };
}

describe("concurrency limits and throttling", () => {
  it("throttles every invoke of a function with reserved concurrency 0, but keeps Event invokes", async () => {
    await create("frozen");
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "frozen", ReservedConcurrentExecutions: 0 }));
    const error = await api.client.send(new InvokeCommand({ FunctionName: "frozen" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error).toMatchObject({ Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", $metadata: { httpStatusCode: 429 } });
    const event = await api.client.send(new InvokeCommand({ FunctionName: "frozen", InvocationType: "Event" }));
    expect(event.StatusCode).toBe(202);
  });

  it("throttles exactly the invocations beyond a reservation of 2", async () => {
    await create("reserved");
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 2 }));
    const { ok, throttled } = await parallel("reserved", 5);
    expect(ok).toBe(2);
    expect(throttled).toHaveLength(3);
    for (const e of throttled)
      expect(e).toMatchObject({ name: "TooManyRequestsException", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    const got = await api.client.send(new GetFunctionCommand({ FunctionName: "reserved" }));
    expect(got.Concurrency?.ReservedConcurrentExecutions).toBe(2);
  });

  it("keeps the unreserved minimum and shares the rest among unreserved functions", async () => {
    await create("big");
    await create("shared");
    await expect(
      api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "big", ReservedConcurrentExecutions: 4 })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException); // 2 (reserved) + 4 > 10 - 5
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "big", ReservedConcurrentExecutions: 3 }));
    const settings = await api.client.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 5 });
    // 0 + 2 + 3 reserved leaves 5 for every function without a reservation.
    const { ok, throttled } = await parallel("shared", 7);
    expect(ok).toBe(5);
    expect(throttled.map((e) => e.Reason)).toEqual(["ConcurrentInvocationLimitExceeded", "ConcurrentInvocationLimitExceeded"]);
    await api.client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "big" }));
    expect(
      (await api.client.send(new GetFunctionConcurrencyCommand({ FunctionName: "big" }))).ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it("passes an incoming X-Amzn-Trace-Id to the handler and makes one when absent", async () => {
    await create("traced");
    const given = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    const withHeader = await fetch(`${api.url}/2015-03-31/functions/traced/invocations`, {
      method: "POST",
      body: "{}",
      headers: { "X-Amzn-Trace-Id": given },
    });
    expect(await withHeader.json()).toEqual({ trace: given });
    const out = await api.client.send(new InvokeCommand({ FunctionName: "traced" }));
    expect(JSON.parse(decoder.decode(out.Payload)).trace).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});
