/**
 * At-least-once across a crash: a server run as a child process is killed with SIGKILL while it
 * delivers Event invocations; a new server on the same data dir delivers every accepted event.
 * The handler reports each event to an HTTP recorder in this process, before it returns; two run
 * at a time, so the kill lands mid-way.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useOrigin } from "../loopback.js";
import { waitFor } from "../wait.js";
import { ChildServers } from "./serve-child.js";

const EVENTS = 40;
let dir = "";
const seen: number[] = [];
/** Where the handler reports each event it handled. */
const recorder = useOrigin((req, res) => {
  seen.push(Number(new URL(req.url ?? "/", "http://x").searchParams.get("i")));
  res.end("ok");
});
const servers = new ChildServers();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "isolambda-crash-"));
  const fn = path.join(dir, "functions", "recorded");
  mkdirSync(fn, { recursive: true });
  writeFileSync(
    path.join(fn, "index.js"),
    "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 50)); await fetch(process.env.RECORDER + '?i=' + e.i); };",
  );
  writeFileSync(
    path.join(fn, "function.json"),
    JSON.stringify({ handler: "index.handler", reservedConcurrency: 2, environment: { RECORDER: `${recorder.url}/` } }),
  );
});

afterAll(async () => {
  servers.killAll();
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
    await waitFor(
      () => seen.length >= 5,
      () => `5 events handled before the kill (${seen.length})`,
    );
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    expect(seen.length).toBeLessThan(EVENTS);

    const second = await servers.start(dir);
    await waitFor(
      () => new Set(seen).size === EVENTS,
      () => `every event handled after the restart (${new Set(seen).size} of ${EVENTS})`,
      {
        timeoutMs: 15_000,
      },
    );
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    second.child.kill("SIGTERM");
  });
});
