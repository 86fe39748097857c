import { setTimeout as sleep } from "node:timers/promises";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer({ executors: 2 });
const decoder = new TextDecoder();
const SLOW = "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return 'done'; };";

const invoke = (name: string, event: object) =>
  api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));

describe("executor workers", () => {
  it("replaces a killed executor: only its in-flight invocations fail with Runtime.ExitError, the server stays up", async () => {
    await api.create("survivor", SLOW);
    // Two environments, one on each executor (the sandbox spreads them by load).
    const running = [invoke("survivor", { ms: 500 }), invoke("survivor", { ms: 500 })];
    await sleep(200);
    api.killExecutor(0);
    const outcomes = await Promise.all(running);
    const failed = outcomes.filter((out) => out.FunctionError === "Unhandled");
    expect(failed).toHaveLength(1);
    expect(JSON.parse(decoder.decode(failed[0]?.Payload))).toMatchObject({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringContaining("Runtime exited: killed by the test"),
    });
    expect(outcomes.filter((out) => out.FunctionError === undefined)).toHaveLength(1);
    // The lost environment is replaced by a cold start on the new executor; the other stays warm.
    const after = await Promise.all([invoke("survivor", { ms: 50 }), invoke("survivor", { ms: 50 })]);
    expect(after.map((out) => out.FunctionError)).toEqual([undefined, undefined]);
  });
});
