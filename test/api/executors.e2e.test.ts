import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useGate } from "../loopback.js";
import { waitFor } from "../wait.js";
import { useServer } from "./server.js";

const api = useServer({ executors: 2 });
const gate = useGate();
const decoder = new TextDecoder();
/** Waits at the gate: running, and held there while the test acts. */
const GATED = () => `exports.handler = async () => { await fetch(${JSON.stringify(gate.url)}); return 'done'; };`;

const invoke = (name: string) => api.client.send(new InvokeCommand({ FunctionName: name }));

describe("executor workers", () => {
  it("replaces a killed executor: only its in-flight invocations fail with Runtime.ExitError, the server stays up", async () => {
    await api.create("survivor", GATED());
    gate.close();
    // Two environments, one on each executor (the sandbox spreads them by load).
    const running = [invoke("survivor"), invoke("survivor")];
    await waitFor(
      () => gate.held === 2,
      () => `both invocations running (${gate.held} at the gate)`,
    );
    api.killExecutor(0);
    gate.open();
    const outcomes = await Promise.all(running);
    const failed = outcomes.filter((out) => out.FunctionError === "Unhandled");
    expect(failed).toHaveLength(1);
    expect(JSON.parse(decoder.decode(failed[0]?.Payload))).toMatchObject({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringContaining("Runtime exited: killed by the test"),
    });
    expect(outcomes.filter((out) => out.FunctionError === undefined)).toHaveLength(1);
    // The lost environment is replaced by a cold start on the new executor; the other stays warm.
    const after = await Promise.all([invoke("survivor"), invoke("survivor")]);
    expect(after.map((out) => out.FunctionError)).toEqual([undefined, undefined]);
  });
});
