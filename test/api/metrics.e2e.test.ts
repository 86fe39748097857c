import { DeleteFunctionCommand, InvokeCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { sample, useServer } from "./server.js";

const api = useServer();

const create = (name: string, source: string) => api.create(name, source);

describe("GET /metrics", () => {
  it("counts invocations, cold starts, errors and throttles per function and resource", async () => {
    await create("counted", "exports.handler = async () => 1;");
    await create("failing", "exports.handler = async () => { throw new Error('no'); };");
    await create("blocked", "exports.handler = async () => 1;");
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "blocked", ReservedConcurrentExecutions: 0 }));
    for (let i = 0; i < 3; i++) await api.client.send(new InvokeCommand({ FunctionName: "counted" }));
    await api.client.send(new InvokeCommand({ FunctionName: "failing" }));
    await api.client.send(new InvokeCommand({ FunctionName: "blocked" })).catch(() => undefined);

    const response = await fetch(`${api.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    const labels = (fn: string) => `{function="${fn}",resource="$LATEST"}`;
    expect(sample(text, `isolambda_invocations_total${labels("counted")}`)).toBe(3);
    expect(sample(text, `isolambda_cold_starts_total${labels("counted")}`)).toBe(1);
    expect(sample(text, `isolambda_duration_milliseconds_count${labels("counted")}`)).toBe(3);
    expect(sample(text, `isolambda_errors_total${labels("failing")}`)).toBe(1);
    expect(sample(text, `isolambda_throttles_total${labels("blocked")}`)).toBe(1);
    expect(sample(text, "isolambda_concurrent_executions")).toBe(0);
    expect(sample(text, "isolambda_unreserved_concurrent_executions")).toBe(1000);
  });

  it("drops a deleted function's series, and keeps the others'", async () => {
    await create("short-lived", "exports.handler = async () => 1;");
    await create("long-lived", "exports.handler = async () => 1;");
    await api.client.send(new InvokeCommand({ FunctionName: "short-lived" }));
    await api.client.send(new InvokeCommand({ FunctionName: "long-lived" }));
    expect(await (await fetch(`${api.url}/metrics`)).text()).toContain('function="short-lived"');
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "short-lived" }));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).not.toContain('function="short-lived"');
    expect(sample(text, 'isolambda_invocations_total{function="long-lived",resource="$LATEST"}')).toBe(1);
  });
});
