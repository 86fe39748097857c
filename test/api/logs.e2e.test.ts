import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../src/observe/log-store.js";
import { waitFor } from "../wait.js";
import { useServer } from "./server.js";

const api = useServer();
const run = promisify(execFile);
const decoder = new TextDecoder();

/** The records stored for `fn`, once `count` of them are on disk (the server's stream flushes within a tick or two). */
async function records(fn: string, count: number): Promise<LogRecord[]> {
  const file = path.join(api.dataDir, "logs", fn, "current.log");
  let lines: string[] = [];
  await waitFor(
    () => {
      // Whole lines only: the last piece is "" or a line still being written.
      lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : [];
      return lines.length >= count;
    },
    () => `${count} log records of ${fn} stored (${lines.length} so far)`,
  );
  return lines.map((line) => JSON.parse(line) as LogRecord);
}

async function invoke(fn: string, payload: string): Promise<string> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: fn, Payload: new TextEncoder().encode(payload) }));
  return JSON.parse(decoder.decode(out.Payload)) as string;
}

describe("stored invocation logs", () => {
  it("writes START, the handler's lines, END and REPORT to the data dir, and `isolambda logs` prints them", async () => {
    await api.create(
      "chatty",
      "const kept = []; exports.handler = async (e) => { kept.push(Array.from({ length: e.n * 65536 }, (_, i) => ({ i }))); console.log('marker', e.n); return process.env.AWS_LAMBDA_LOG_STREAM_NAME; };",
    );
    const stream = await invoke("chatty", '{"n":3}');
    const [record] = await records("chatty", 1);
    expect(record?.stream).toBe(stream);
    expect(record?.time).toBeGreaterThan(Date.now() - 60_000);
    const text = record?.message ?? "";
    expect(text).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(text).toMatch(/\tINFO\tmarker 3$/m);
    expect(text).toMatch(/^END RequestId: /m);
    expect(text).toMatch(/^REPORT RequestId: .*\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$/m);
    // The invocation kept 3 MB: a slow invocation is measured before its REPORT.
    expect(Number(/Max Memory Used: (\d+) MB/.exec(text)?.[1])).toBeGreaterThanOrEqual(3);

    // Another 3 MB: the peak grows with it.
    await invoke("chatty", '{"n":3}');
    const [, second] = await records("chatty", 2);
    const used = Number(/Max Memory Used: (\d+) MB/.exec(second?.message ?? "")?.[1]);
    expect(used).toBeGreaterThanOrEqual(6);
    expect(used).toBeLessThan(128);
    expect(second?.message).not.toContain("Init Duration");

    const cli = await run(process.execPath, ["dist/cli.js", "logs", "chatty", "--data-dir", api.dataDir]);
    expect(cli.stdout).toContain("\tINFO\tmarker 3");
    expect(cli.stdout).toMatch(/^START RequestId: /);
    const prefixed = await run(process.execPath, ["dist/cli.js", "logs", "chatty", "--streams", "--data-dir", api.dataDir]);
    expect(
      prefixed.stdout
        .split("\n")
        .filter(Boolean)
        .every((line) => line.startsWith(`${stream} `)),
    ).toBe(true);
    const missing = await run(process.execPath, ["dist/cli.js", "logs", "nothing", "--data-dir", api.dataDir]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining("no logs for nothing") });
  });

  it("gives every execution environment its own log stream", async () => {
    await api.create(
      "parallel",
      "exports.handler = async () => { await new Promise((r) => setTimeout(r, 100)); return process.env.AWS_LAMBDA_LOG_STREAM_NAME; };",
    );
    const streams = await Promise.all([invoke("parallel", "{}"), invoke("parallel", "{}")]);
    expect(new Set(streams).size).toBe(2);
    const warm = await invoke("parallel", "{}");
    expect(streams).toContain(warm);
    const stored = await records("parallel", 3);
    expect(stored.map((r) => r.stream).sort()).toEqual([...streams, warm].sort());
    for (const record of stored) expect(record.stream).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});
