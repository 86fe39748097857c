/**
 * An event source mapping across a crash: the server runs as a child process, is killed with
 * SIGKILL while batches are in flight, and a new server on the same data dir handles every
 * message. Messages in flight at the kill reappear after their visibility timeout (here 1 s).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetQueueUrlCommand, SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useOrigin } from "../loopback.js";
import { waitFor } from "../wait.js";
import { ChildServers } from "./serve-child.js";

const MESSAGES = 60;
let dir = "";
const seen: number[] = [];
/** Where the handler reports each message it handled. */
const recorder = useOrigin((req, res) => {
  seen.push(Number(new URL(req.url ?? "/", "http://x").searchParams.get("i")));
  res.end("ok");
});
const servers = new ChildServers();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "isolambda-sources-crash-"));
  const fn = path.join(dir, "functions", "consumer");
  mkdirSync(fn, { recursive: true });
  // One message at a time, 40 ms each: the kill lands mid-way.
  writeFileSync(
    path.join(fn, "index.js"),
    "exports.handler = async (e) => { for (const r of e.Records) { await new Promise((s) => setTimeout(s, 40)); await fetch(process.env.RECORDER + '?i=' + r.body); } };",
  );
  writeFileSync(
    path.join(fn, "function.json"),
    JSON.stringify({
      handler: "index.handler",
      environment: { RECORDER: `${recorder.url}/` },
      eventSources: [{ queue: "crash-queue", batchSize: 1 }],
    }),
  );
});

afterAll(async () => {
  servers.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("an event source mapping across a crash", () => {
  it("loses no message when the server is killed mid-batch", async () => {
    const first = await servers.start(dir);
    const sqs = new SQSClient({
      endpoint: first.url,
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
      maxAttempts: 1,
    });
    // function.json's eventSources made the queue; in-flight messages come back after 1 s.
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "crash-queue" }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "1" } }));
    for (let at = 0; at < MESSAGES; at += 10) {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: String(at + i) }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    }
    sqs.destroy();
    await waitFor(
      () => seen.length >= 5,
      () => `5 messages handled before the kill (${seen.length})`,
    );
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    expect(new Set(seen).size).toBeLessThan(MESSAGES);

    const second = await servers.start(dir);
    await waitFor(
      () => new Set(seen).size === MESSAGES,
      () => `every message handled after the restart (${new Set(seen).size} of ${MESSAGES})`,
      { timeoutMs: 20_000 },
    );
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    second.child.kill("SIGTERM");
  });
});
