/**
 * A failing function says so through the API as Lambda does: the `ERROR Invoke Error` log line (in
 * LogType Tail and in the stored logs, for Event invocations too), and process.exit ending the
 * environment as Runtime.ExitError, the next invocation a cold start.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { storedLogs, useServer } from "./server.js";

const api = useServer();

async function invoke(fn: string, event: unknown, type: "RequestResponse" | "Event" = "RequestResponse") {
  const out = await api.client.send(
    new InvokeCommand({
      FunctionName: fn,
      InvocationType: type,
      LogType: type === "Event" ? undefined : "Tail",
      Payload: JSON.stringify(event),
    }),
  );
  return {
    status: out.StatusCode,
    functionError: out.FunctionError,
    payload:
      out.Payload && out.Payload.length > 0 ? (JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>) : undefined,
    tail: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

const INVOKE_ERROR = /^\S+\t([0-9a-f-]{36})\tERROR\tInvoke Error \t(\{.*\})$/m;

describe("the Invoke Error log line", () => {
  it("is written for a handler's error, with the runtime interface client's JSON", async () => {
    await api.create(
      "diag-throws",
      "exports.handler = async (event) => {\n  const error = new Error('order ' + event.id + ' rejected');\n  error.code = 'E_REJECTED';\n  throw error;\n};",
    );
    const out = await invoke("diag-throws", { id: 42 });
    expect(out.functionError).toBe("Unhandled");
    const trace = out.payload?.trace as string[];
    expect(out.payload).toEqual({ errorType: "Error", errorMessage: "order 42 rejected", trace });
    // The runtime's own frames follow the handler's, as in Lambda.
    expect(trace.slice(0, 2)).toEqual(["Error: order 42 rejected", "    at <anonymous> (/var/task/index.js:2:26)"]);
    const [, requestId, json] = INVOKE_ERROR.exec(out.tail) ?? [];
    expect(out.tail).toContain(`START RequestId: ${requestId} `);
    expect(JSON.parse(json as string)).toEqual({
      errorType: "Error",
      errorMessage: "order 42 rejected",
      code: "E_REJECTED",
      stack: trace,
    });
  });

  it("is kept in the function's stored logs for a failed Event invocation", async () => {
    await api.create("diag-event", "exports.handler = async (event) => { throw new TypeError('bad event ' + event.n); };");
    const out = await invoke("diag-event", { n: 7 }, "Event");
    expect(out.status).toBe(202);
    const messages = await storedLogs(api.dataDir, "diag-event", (all) => all.some((m) => m.includes("Invoke Error")));
    const line = messages.find((m) => m.includes("Invoke Error")) ?? "";
    const json = INVOKE_ERROR.exec(line)?.[2];
    expect(JSON.parse(json as string)).toMatchObject({ errorType: "TypeError", errorMessage: "bad event 7" });
  });

  it("a syntax error names its file and line in the INIT failure", async () => {
    await api.create("diag-syntax", "exports.handler = async () => 1;\nconst table = {\n  name orders\n};");
    const out = await invoke("diag-syntax", {});
    expect(out.functionError).toBe("Unhandled");
    expect(out.payload).toEqual({
      errorType: "Runtime.UserCodeSyntaxError",
      errorMessage: "SyntaxError: expecting '}' (/var/task/index.js:3:8)",
      trace: ["Runtime.UserCodeSyntaxError: SyntaxError: expecting '}' (/var/task/index.js:3:8)", "    at /var/task/index.js:3:8"],
    });
  });
});

describe("process.exit", () => {
  it("fails the invocation with Runtime.ExitError and the next invocation starts cold", async () => {
    await api.create(
      "diag-exit",
      "let calls = 0;\nexports.handler = async (event) => { calls += 1; if (event.exit) process.exit(event.exit); return calls; };",
    );
    const first = await invoke("diag-exit", {});
    expect(first.payload).toBe(1);
    expect(first.tail).toMatch(/Init Duration/);
    const warm = await invoke("diag-exit", {});
    expect(warm.payload).toBe(2);
    expect(warm.tail).not.toMatch(/Init Duration/);

    const exited = await invoke("diag-exit", { exit: 5 });
    expect(exited.functionError).toBe("Unhandled");
    const requestId = /START RequestId: (\S+)/.exec(exited.tail)?.[1];
    expect(exited.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 5`,
      trace: [`Runtime.ExitError: RequestId: ${requestId} Error: Runtime exited with error: exit status 5`],
    });
    expect(exited.tail).not.toMatch(/Invoke Error/);

    const after = await invoke("diag-exit", {});
    expect(after.payload).toBe(1);
    expect(after.tail).toMatch(/Init Duration/);
  });
});
