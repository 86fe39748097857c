import { CreateEventSourceMappingCommand, InvalidParameterValueException } from "@aws-sdk/client-lambda";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import { sample, useServer } from "./server.js";
import { type Batch, loggedBatches, RECORDER } from "./source-batches.js";

const api = useServer();
const sqs = useSqs(api);

/** Sends [group, body] pairs in this order, ten to a batch; content-based deduplication gives the ids. */
async function sendInOrder(url: string, messages: Array<[string, string]>): Promise<void> {
  for (let at = 0; at < messages.length; at += 10) {
    const entries = messages.slice(at, at + 10).map(([group, body], i) => ({ Id: String(i), MessageBody: body, MessageGroupId: group }));
    const out = await sqs.client().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(out.Failed ?? []).toEqual([]);
  }
}

const fifoQueue = (name: string, attributes: Record<string, string> = {}) =>
  sqs.createQueue(name, { FifoQueue: "true", ContentBasedDeduplication: "true", ...attributes });

/** Each group's bodies in the order the function saw them. */
function byGroup(batches: Batch[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const record of batches.flatMap((b) => b.Records)) {
    const group = record.attributes.MessageGroupId as string;
    groups[group] = [...(groups[group] ?? []), record.body];
  }
  return groups;
}

describe("event source mappings on FIFO queues", () => {
  it("delivers each message group in order with one batch per group in flight, records carrying the FIFO attributes", async () => {
    const url = await fifoQueue("orders.fifo");
    // Logs when it started and ended and what it saw; the pause lets batches overlap if they could.
    await api.create(
      "ordered-worker",
      `exports.handler = async (event) => {
        const start = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 15));
        console.log('BATCH ' + JSON.stringify({ ...event, start, end: Date.now() }));
      };`,
    );
    const sent: Array<[string, string]> = [];
    const groups = ["A", "B", "C", "D", "E", "F"];
    for (let i = 0; i < 15; i++) for (const group of groups) sent.push([group, `${group}${i}`]);
    await sendInOrder(url, sent);
    await api.client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "ordered-worker",
        EventSourceArn: sqs.arn("orders.fifo"),
        BatchSize: 2,
        ScalingConfig: { MaximumConcurrency: 5 },
      }),
    );
    const batches = (await loggedBatches(api.dataDir, "ordered-worker", sent.length, 20_000)) as Array<
      Batch & { start: number; end: number }
    >;
    const expected = (group: string) => Array.from({ length: 15 }, (_, i) => `${group}${i}`);
    expect(byGroup(batches)).toEqual(Object.fromEntries(groups.map((g) => [g, expected(g)])));
    const record = batches[0]?.Records[0];
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      "ApproximateReceiveCount",
      "SentTimestamp",
      "SequenceNumber",
      "MessageGroupId",
      "SenderId",
      "MessageDeduplicationId",
      "ApproximateFirstReceiveTimestamp",
    ]);
    expect(record?.attributes.SequenceNumber).toMatch(/^\d{20}$/);
    // Two batches holding the same group never ran at the same time.
    const groupsOf = (b: Batch) => new Set(b.Records.map((r) => r.attributes.MessageGroupId));
    for (const [i, a] of batches.entries()) {
      for (const b of batches.slice(i + 1)) {
        const shared = [...groupsOf(a)].some((g) => groupsOf(b).has(g));
        if (shared) expect(a.end <= b.start || b.end <= a.start).toBe(true);
      }
    }
  });

  it("keeps a group blocked after a function error until its messages are visible again, while other groups go on", async () => {
    const url = await fifoQueue("retried.fifo", { VisibilityTimeout: "1" });
    // Fails the first delivery of A1 only.
    await api.create(
      "picky-worker",
      `exports.handler = async (event) => {
        console.log('BATCH ' + JSON.stringify(event));
        const r = event.Records[0];
        if (r.body === 'A1' && r.attributes.ApproximateReceiveCount === '1') throw new Error('not yet');
      };`,
    );
    await sendInOrder(url, [
      ["A", "A1"],
      ["B", "B1"],
      ["A", "A2"],
      ["B", "B2"],
    ]);
    await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "picky-worker", EventSourceArn: sqs.arn("retried.fifo"), BatchSize: 1 }),
    );
    const seen = (await loggedBatches(api.dataDir, "picky-worker", 5)).map((b) => b.Records[0]?.body);
    expect(seen).toHaveLength(5);
    expect(seen.filter((body) => body?.startsWith("A"))).toEqual(["A1", "A1", "A2"]);
    expect(seen.filter((body) => body?.startsWith("B"))).toEqual(["B1", "B2"]);
    // B did not wait for A's visibility timeout.
    expect(seen.indexOf("B2")).toBeLessThan(seen.lastIndexOf("A1"));
  });

  it("with ReportBatchItemFailures, keeps the rest of a group after its first reported failure", async () => {
    const url = await fifoQueue("partial.fifo", { VisibilityTimeout: "1" });
    // Reports only A2 the first time: A3 must stay too, or it would overtake A2.
    await api.create(
      "partial-worker",
      `exports.handler = async (event) => {
        console.log('BATCH ' + JSON.stringify(event));
        const failed = event.Records.filter((r) => r.body === 'A2' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      };`,
    );
    await sendInOrder(url, [
      ["A", "A1"],
      ["A", "A2"],
      ["B", "B1"],
      ["A", "A3"],
      ["B", "B2"],
    ]);
    const created = await api.client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "partial-worker",
        EventSourceArn: sqs.arn("partial.fifo"),
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      }),
    );
    const batches = await loggedBatches(api.dataDir, "partial-worker", 7);
    expect(batches.map((b) => b.Records.map((r) => r.body))).toEqual([
      ["A1", "A2", "B1", "A3", "B2"],
      ["A2", "A3"],
    ]);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(sample(metrics, `isolambda_source_batch_item_failures_total{mapping="${created.UUID}",function="partial-worker"}`)).toBe(2);
  });

  it("refuses a batching window on a FIFO queue, and so batches over 10, as Lambda does", async () => {
    await fifoQueue("windowless.fifo");
    await api.create("windowless-worker", RECORDER);
    const create = (input: { BatchSize?: number; MaximumBatchingWindowInSeconds?: number }) =>
      api.client.send(
        new CreateEventSourceMappingCommand({ FunctionName: "windowless-worker", EventSourceArn: sqs.arn("windowless.fifo"), ...input }),
      );
    const window = create({ BatchSize: 100, MaximumBatchingWindowInSeconds: 5 });
    await expect(window).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(window).rejects.toThrow("Batching window is not supported for FIFO queues");
    await expect(create({ BatchSize: 11 })).rejects.toThrow(/Maximum batch window in seconds must be greater than 0/);
    expect((await create({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0 })).BatchSize).toBe(10);
  });
});
