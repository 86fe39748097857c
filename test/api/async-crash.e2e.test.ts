/**
 * At-least-once across a crash: a server run as a child process is killed with SIGKILL while it
 * delivers Event invocations; a new server on the same data dir delivers every accepted event.
 * The handler reports each event to an HTTP recorder in this process, before it returns; two run
 * at a time, so the kill lands mid-way.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChildServers } from "./serve-child.js";

const EVENTS = 40;
let dir = "";
let recorder: Server;
const seen: number[] = [];
const servers = new ChildServers();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "isolambda-crash-"));
  recorder = createServer((req, res) => {
    seen.push(Number(new URL(req.url ?? "/", "http://x").searchParams.get("i")));
    res.end("ok");
  });
  await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
  const fn = path.join(dir, "functions", "recorded");
  mkdirSync(fn, { recursive: true });
  writeFileSync(
    path.join(fn, "index.js"),
    "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 50)); await fetch(process.env.RECORDER + '?i=' + e.i); };",
  );
  const recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/`;
  writeFileSync(
    path.join(fn, "function.json"),
    JSON.stringify({ handler: "index.handler", reservedConcurrency: 2, environment: { RECORDER: recorderUrl } }),
  );
});

afterAll(async () => {
  servers.killAll();
  await new Promise<void>((resolve) => recorder.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("asynchronous invocation across a crash", () => {
  it("delivers every accepted event after SIGKILL and a restart", async () => {
    const first = await servers.start(dir);
    const client = new LambdaClient({
      endpoint: first.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const payload = (i: number) => new TextEncoder().encode(JSON.stringify({ i }));
    const accepted = await Promise.all(
      Array.from({ length: EVENTS }, (_, i) =>
        client.send(new InvokeCommand({ FunctionName: "recorded", InvocationType: "Event", Payload: payload(i) })),
      ),
    );
    client.destroy();
    expect(accepted.every((out) => out.StatusCode === 202)).toBe(true);
    // Mid-flight: some events are done, some running, some waiting.
    for (let waited = 0; seen.length < 5 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    expect(seen.length).toBeLessThan(EVENTS);

    const second = await servers.start(dir);
    for (let waited = 0; new Set(seen).size < EVENTS && waited < 15_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    second.child.kill("SIGTERM");
  });
});
