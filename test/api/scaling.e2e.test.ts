import { InvokeCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait.js";
import { sample, useServer } from "./server.js";

/** Two new environments per function, refilled over an hour: the third parallel cold start is over the rate. */
const api = useServer({ pool: { scalingRate: { environments: 2, seconds: 3600 } } });
const decoder = new TextDecoder();
const SLOW = "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 200)); return 'done'; };";

async function invoke(name: string, event: object = {}, type?: "Event") {
  return api.client.send(
    new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
}

async function metrics(): Promise<string> {
  return (await fetch(`${api.url}/metrics`)).text();
}

describe("the scaling rate", () => {
  it("throttles cold starts beyond the function's scaling rate, while warm environments keep serving", async () => {
    await api.create("bursty", SLOW);
    const settled = await Promise.allSettled([invoke("bursty"), invoke("bursty"), invoke("bursty"), invoke("bursty")]);
    const throttled = settled.filter((s) => s.status === "rejected").map((s) => (s as PromiseRejectedResult).reason as unknown);
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(2);
    expect(throttled).toHaveLength(2);
    for (const error of throttled) {
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect(error).toMatchObject({ Reason: "FunctionInvocationRateLimitExceeded", $metadata: { httpStatusCode: 429 } });
    }
    // The two environments it has stay warm and serve two at a time without new cold starts.
    const warm = await Promise.all([invoke("bursty"), invoke("bursty")]);
    expect(warm.map((out) => JSON.parse(decoder.decode(out.Payload)))).toEqual(["done", "done"]);
    // Each function scales on its own budget.
    await api.create("other", SLOW);
    expect((await invoke("other")).StatusCode).toBe(200);
    expect(sample(await metrics(), 'isolambda_throttles_total{function="bursty",resource="$LATEST"}')).toBe(2);
  });

  it("keeps an Event invocation over the scaling rate and runs it when an environment frees up", async () => {
    await api.create("queued", SLOW);
    await Promise.all([invoke("queued", { ms: 300 }), invoke("queued", { ms: 300 }), invoke("queued", { ms: 0 }, "Event")]);
    await waitFor(
      async () => sample(await metrics(), 'isolambda_invocations_total{function="queued",resource="$LATEST"}') === 3,
      "the kept Event invocation run (3 invocations counted)",
      { intervalMs: 20 },
    );
    expect(sample(await metrics(), 'isolambda_throttles_total{function="queued",resource="$LATEST"}')).toBeGreaterThanOrEqual(1);
  });
});
