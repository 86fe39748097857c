/**
 * CPU fairness between functions, through the real server: Lambda gives every concurrent invocation
 * its own environment and CPU share, so a spinning function must not delay another one past its
 * timeout, and a burst of cold starts ends in successes or throttles, never in lost environments.
 */
import { InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

// One executor to start with, as on a 2-core machine: the others come on demand.
const api = useServer({ executors: 1 });
const decoder = new TextDecoder();

const invoke = (name: string) => api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode("{}") }));

async function withTimeout(name: string, seconds: number): Promise<void> {
  await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: seconds }));
  await waitUntilFunctionUpdatedV2({ client: api.client, maxWaitTime: 10 }, { FunctionName: name });
}

/** Waits until /metrics shows `count` invocations in flight. */
async function inFlight(count: number): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    if (text.split("\n").includes(`isolambda_concurrent_executions ${count}`)) return;
  }
}

describe("CPU fairness", () => {
  it("two functions spinning for 10 s do not delay a hello: 100 invocations beside them all succeed", async () => {
    await api.create("spin-a", "exports.handler = async () => { for (;;); };");
    await api.create("spin-b", "exports.handler = async () => { for (;;); };");
    await api.create("hello", "exports.handler = async () => 'hello';");
    await withTimeout("spin-a", 10);
    await withTimeout("spin-b", 10);
    // Warm first: the hello's environment then shares an executor with a spinner.
    expect(decoder.decode((await invoke("hello")).Payload)).toBe('"hello"');
    const spinners = [invoke("spin-a"), invoke("spin-b")];
    await inFlight(2);
    const latencies: number[] = [];
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const started = performance.now();
          const out = await invoke("hello");
          latencies.push(performance.now() - started);
          return out;
        }),
      );
      for (const out of outcomes) {
        expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
        expect(decoder.decode(out.Payload)).toBe('"hello"');
      }
    }
    latencies.sort((a, b) => a - b);
    console.log(`hello beside two spinners: p50 ${latencies[49]?.toFixed(1)} ms, p99 ${latencies[98]?.toFixed(1)} ms`);
    for (const out of await Promise.all(spinners)) {
      expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ errorType: "Sandbox.Timedout" });
    }
  });

  it("a burst of 1,000 parallel cold invokes ends only in successes or TooManyRequestsException", async () => {
    await api.create("burst", "exports.handler = async () => ({ ok: true });");
    const url = `${api.url}/2015-03-31/functions/burst/invocations`;
    const answers = await Promise.all(
      Array.from({ length: 1000 }, async () => {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        return {
          status: response.status,
          functionError: response.headers.get("x-amz-function-error"),
          errorType: response.headers.get("x-amzn-errortype"),
          body: await response.text(),
        };
      }),
    );
    const unexpected = answers.filter(
      (a) => !(a.status === 200 && a.functionError === null) && !(a.status === 429 && a.errorType === "TooManyRequestsException"),
    );
    expect(unexpected.slice(0, 3)).toEqual([]);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
  });
});
