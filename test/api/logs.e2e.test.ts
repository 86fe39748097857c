import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer();
const run = promisify(execFile);

describe("stored invocation logs", () => {
  it("writes START, the handler's lines, END and REPORT to the data dir, and `isolambda logs` prints them", async () => {
    await api.create("chatty", "exports.handler = async (e) => { console.log('marker', e.n); return 1; };");
    const out = await api.client.send(new InvokeCommand({ FunctionName: "chatty", Payload: new TextEncoder().encode('{"n":7}') }));
    expect(out.StatusCode).toBe(200);
    const file = path.join(api.dataDir, "logs", "chatty", "current.log");
    // The log is written as the response goes out; the server's stream flushes within a tick or two.
    let text = "";
    for (let attempt = 0; attempt < 50 && !text.includes("REPORT"); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      text = readFileSync(file, "utf8");
    }
    expect(text).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(text).toMatch(/\tINFO\tmarker 7$/m);
    expect(text).toMatch(/^END RequestId: /m);
    expect(text).toMatch(/^REPORT RequestId: .*\tInit Duration: [\d.]+ ms/m);

    const cli = await run(process.execPath, ["dist/cli.js", "logs", "chatty", "--data-dir", api.dataDir]);
    expect(cli.stdout).toContain("\tINFO\tmarker 7");
    const missing = await run(process.execPath, ["dist/cli.js", "logs", "nothing", "--data-dir", api.dataDir]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining("no logs for nothing") });
  });
});
