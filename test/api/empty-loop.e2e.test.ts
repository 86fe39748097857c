/**
 * A handler that leaves nothing to run and no result, through the API, as Lambda's Node.js runtime
 * interface client ends it: an `async function` fails with Runtime.NodeJsExit (logged as Invoke
 * Error); a plain function (a forgotten callback, a promise that never settles) answers null.
 * Either way the environment stays warm for the next invocation.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer();

const NODEJS_EXIT =
  "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes";

async function invoke(fn: string) {
  const out = await api.client.send(new InvokeCommand({ FunctionName: fn, LogType: "Tail", Payload: "{}" }));
  return {
    status: out.StatusCode,
    functionError: out.FunctionError,
    payload: JSON.parse(new TextDecoder().decode(out.Payload)) as unknown,
    tail: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

/** Counts invocations in a global, so a second answer proves the same (warm) environment served it. */
const COUNT = "globalThis.calls = (globalThis.calls ?? 0) + 1; console.log('call ' + globalThis.calls);";

describe("an invocation whose event loop empties without a result", () => {
  it("fails an async handler whose promise never settles with Runtime.NodeJsExit, and keeps the environment", async () => {
    await api.create("loop-async", `exports.handler = async () => { ${COUNT} await new Promise(() => {}); };`);
    const first = await invoke("loop-async");
    expect(first.status).toBe(200);
    expect(first.functionError).toBe("Unhandled");
    expect(first.payload).toMatchObject({ errorType: "Runtime.NodeJsExit", errorMessage: NODEJS_EXIT });
    expect(first.tail).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"Runtime\.NodeJsExit"/);
    const second = await invoke("loop-async");
    expect(second.functionError).toBe("Unhandled");
    expect(second.tail).toContain("call 2");
  });

  it("answers null for a callback handler that never calls back", async () => {
    await api.create("loop-callback", `exports.handler = (event, context, callback) => { ${COUNT} };`);
    const out = await invoke("loop-callback");
    expect(out).toMatchObject({ status: 200, functionError: undefined, payload: null });
    expect(out.tail).not.toContain("Invoke Error");
    expect((await invoke("loop-callback")).tail).toContain("call 2");
  });

  it("answers null for a plain function returning a promise that never settles (the runtime looks at the function, not its result)", async () => {
    await api.create("loop-plain-promise", `exports.handler = () => { ${COUNT} return new Promise(() => {}); };`);
    const out = await invoke("loop-plain-promise");
    expect(out).toMatchObject({ status: 200, functionError: undefined, payload: null });
  });
});
