import { setTimeout as sleep } from "node:timers/promises";
import { InvokeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const IDLE_TIMEOUT_MS = 400;
// Room for two small environments (16 MB of linear memory each), not for a hog.
const api = useServer({ pool: { idleTimeoutMs: IDLE_TIMEOUT_MS, memoryBudgetBytes: 40 * 1024 * 1024 } });
const decoder = new TextDecoder();

/** Counts invocations in a global: 1 on a cold start, then 2, 3, ... while the environment stays warm. */
const COUNTER = "let n = 0; exports.handler = async () => ({ n: ++n });";
/** Holds ~4 MB in a global from INIT on: more than the pool's whole 1 MB budget. */
const HOG =
  "const keep = Array.from({ length: 48 }, (_, i) => 'x'.repeat(1024 * 1024) + i); let n = 0; exports.handler = async () => ({ n: ++n, kept: keep.length });";

const create = (name: string, source: string) => api.create(name, source);

async function invoke(name: string): Promise<{ n: number; cold: boolean }> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, LogType: "Tail" }));
  const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
  return { n: (JSON.parse(decoder.decode(out.Payload)) as { n: number }).n, cold: log.includes("Init Duration") };
}

describe("the warm pool", () => {
  it("starts cold once, then reuses the environment with its globals", async () => {
    await create("counter", COUNTER);
    expect(await invoke("counter")).toEqual({ n: 1, cold: true });
    expect(await invoke("counter")).toEqual({ n: 2, cold: false });
    expect(await invoke("counter")).toEqual({ n: 3, cold: false });
  });

  it("evicts an environment idle longer than the idle timeout", async () => {
    await create("sleeper", COUNTER);
    expect(await invoke("sleeper")).toEqual({ n: 1, cold: true });
    // Nothing outside the pool sees an idle environment end (an invocation would be its use): the
    // idle timeout itself must pass, and then the pool's sweep, which runs every quarter of it.
    await sleep(IDLE_TIMEOUT_MS * 1.5);
    expect(await invoke("sleeper")).toEqual({ n: 1, cold: true });
  });

  it("evicts an environment whose memory exceeds the memory budget", async () => {
    await create("hog", HOG);
    expect(await invoke("hog")).toEqual({ n: 1, cold: true });
    // Its memory is reported ahead of each result: the hog is weighed, and ended, before it answers.
    expect(await invoke("hog")).toEqual({ n: 1, cold: true });
  });

  it("weighs an environment's /tmp too: one keeping 32 MB there is evicted, one keeping 64 KB stays", async () => {
    // Written 64 KB at a time, so that the environment's own memory does not grow with it.
    const tmpWriter = (chunks: number) =>
      `const fs = require('fs'); let n = 0; exports.handler = async () => { n += 1; if (n === 1) for (let i = 0; i < ${chunks}; i++) fs.appendFileSync('/tmp/f', new Uint8Array(65536)); return { n }; };`;
    await create("tmp-small", tmpWriter(1));
    await create("tmp-hog", tmpWriter(512));
    // Each environment's sizes come ahead of its result: it is weighed before the next invocation.
    expect(await invoke("tmp-small")).toEqual({ n: 1, cold: true });
    for (let n = 2; n <= 4; n++) expect(await invoke("tmp-small")).toEqual({ n, cold: false });
    expect(await invoke("tmp-hog")).toEqual({ n: 1, cold: true });
    expect(await invoke("tmp-hog")).toEqual({ n: 1, cold: true });
  });

  it("retires a function's environments when its configuration changes", async () => {
    await create("changing", COUNTER);
    await invoke("changing");
    expect(await invoke("changing")).toEqual({ n: 2, cold: false });
    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "changing", Description: "new" }));
    expect(await invoke("changing")).toEqual({ n: 1, cold: true });
  });
});
