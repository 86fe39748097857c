/**
 * MemorySize under load, through the real server: functions that allocate without end run out of
 * memory within their MemorySize while a hello keeps answering beside them, REPORT's Max Memory Used
 * is their real peak, and the host gets the memory back.
 */
import { InvokeCommand, LogType, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer({ executors: 1 });
const decoder = new TextDecoder();
const MiB = 1024 * 1024;

const invoke = (name: string) =>
  api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode("{}"), LogType: LogType.Tail }));

async function withMemory(name: string, memorySize: number): Promise<void> {
  await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: memorySize, Timeout: 30 }));
  await waitUntilFunctionUpdatedV2({ client: api.client, maxWaitTime: 10 }, { FunctionName: name });
}

const maxMemoryUsed = (logResult: string | undefined) =>
  Number(/Max Memory Used: (\d+) MB/.exec(Buffer.from(logResult ?? "", "base64").toString())?.[1]);

describe("MemorySize under load", () => {
  it("hogs at 128 and 512 MB end in Runtime.OutOfMemory near their limit while a hello answers, and RSS comes back", async () => {
    const hog = "const k = []; exports.handler = async () => { for (;;) k.push('y'.repeat(1024 * 1024) + k.length); };";
    await api.create("hog-128", hog);
    await api.create("hog-512", hog);
    await api.create("hello", "exports.handler = async () => 'hello';");
    await withMemory("hog-128", 128);
    await withMemory("hog-512", 512);
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < 2; round++) {
      const hogs = [invoke("hog-128"), invoke("hog-512"), invoke("hog-128"), invoke("hog-512")];
      const hellos = Array.from({ length: 20 }, () => invoke("hello"));
      for (const out of await Promise.all(hellos)) expect(decoder.decode(out.Payload)).toBe('"hello"');
      const outcomes = await Promise.all(hogs);
      outcomes.forEach((out, i) => {
        expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ errorType: "Runtime.OutOfMemory" });
        const limit = i % 2 === 0 ? 128 : 512;
        const used = maxMemoryUsed(out.LogResult);
        expect(used).toBeLessThanOrEqual(limit);
        expect(used).toBeGreaterThan(limit * 0.8);
      });
    }
    // 1.3 GB was allocated per round: what stays is at most one environment of each executor, the
    // latest one it ended (src/sandbox/executor/memory-gate.ts), not every one.
    const bound = rssBefore + api.executorCount * 512 * MiB + 256 * MiB;
    expect(process.memoryUsage().rss).toBeLessThan(bound);
    // Allocating 2.6 GB a megabyte at a time takes a while on a shared 2-core machine.
  }, 120_000);
});
