import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  ListEventSourceMappingsCommand,
  ResourceConflictException,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import { waitFor } from "../wait.js";
import { sample, storedLogs, useServer } from "./server.js";
import { loggedBatches, RECORDER } from "./source-batches.js";

const api = useServer();
const sqs = useSqs(api);

async function sendAll(url: string, bodies: string[]): Promise<void> {
  for (let at = 0; at < bodies.length; at += 10) {
    const entries = bodies.slice(at, at + 10).map((body, i) => ({ Id: String(i), MessageBody: body }));
    const out = await sqs.client().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(out.Failed ?? []).toEqual([]);
  }
}

/** The batches `fn` logged, once they hold `count` records. */
const batches = (fn: string, count: number, timeoutMs?: number) => loggedBatches(api.dataDir, fn, count, timeoutMs);

async function visibleCount(url: string): Promise<number> {
  const out = await sqs.client().send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** Resolves once the queue holds no message, visible or in flight: each was deleted. */
const drained = (url: string) =>
  waitFor(async () => (await visibleCount(url)) === 0, `the queue at ${url} emptied by its mapping`, { intervalMs: 20 });

describe("event source mappings on the built-in queues", () => {
  it("invokes with batches of Lambda's SQS event shape and deletes what succeeded", async () => {
    const url = await sqs.createQueue("orders");
    await api.create("order-worker", RECORDER);
    await sqs.client().send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"order":1}',
        MessageAttributes: { kind: { DataType: "String", StringValue: "new" } },
      }),
    );
    const created = await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "order-worker", EventSourceArn: sqs.arn("orders"), BatchSize: 10 }),
    );
    expect(created).toMatchObject({ State: "Creating", BatchSize: 10, EventSourceArn: sqs.arn("orders") });
    expect(created.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:order-worker");
    const [batch] = await batches("order-worker", 1);
    expect(batch?.Records).toHaveLength(1);
    expect(batch?.Records[0]).toMatchObject({
      body: '{"order":1}',
      eventSource: "aws:sqs",
      eventSourceARN: sqs.arn("orders"),
      awsRegion: "us-east-1",
      messageAttributes: { kind: { stringValue: "new", stringListValues: [], binaryListValues: [], dataType: "String" } },
    });
    expect(Object.keys(batch?.Records[0] ?? {}).sort()).toEqual(
      [
        "attributes",
        "awsRegion",
        "body",
        "eventSource",
        "eventSourceARN",
        "md5OfBody",
        "md5OfMessageAttributes",
        "messageAttributes",
        "messageId",
        "receiptHandle",
      ].sort(),
    );
    expect(batch?.Records[0]?.attributes).toMatchObject({ ApproximateReceiveCount: "1", SentTimestamp: expect.stringMatching(/^\d+$/) });
    await drained(url);
    const got = await api.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(got).toMatchObject({ State: "Enabled", LastProcessingResult: "OK" });
  });

  it("handles many messages each exactly once, in batches of at most BatchSize", async () => {
    const url = await sqs.createQueue("bulk-orders");
    await api.create("bulk-worker", RECORDER);
    const bodies = Array.from({ length: 500 }, (_, i) => String(i));
    await sendAll(url, bodies);
    await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "bulk-worker", EventSourceArn: sqs.arn("bulk-orders"), BatchSize: 10 }),
    );
    const seen = await batches("bulk-worker", 500, 20_000);
    expect(Math.max(...seen.map((b) => b.Records.length))).toBeLessThanOrEqual(10);
    const received = seen.flatMap((b) => b.Records.map((r) => r.body));
    expect(received).toHaveLength(500);
    expect(new Set(received).size).toBe(500);
  });

  it("handles 10,000 messages with nothing failing, each exactly once", async () => {
    const url = await sqs.createQueue("ten-thousand");
    await api.create(
      "tally",
      "exports.handler = async (event) => { console.log('BODIES ' + event.Records.map((r) => r.body).join(',')); };",
    );
    const bodies = Array.from({ length: 10_000 }, (_, i) => String(i));
    // 20 batch sends in flight at a time: loopback, bounded.
    for (let at = 0; at < bodies.length; at += 200) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => bodies.slice(at + k * 10, at + k * 10 + 10)).map((slice) =>
          sqs
            .client()
            .send(new SendMessageBatchCommand({ QueueUrl: url, Entries: slice.map((body, i) => ({ Id: String(i), MessageBody: body })) })),
        ),
      );
    }
    await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "tally", EventSourceArn: sqs.arn("ten-thousand"), BatchSize: 10 }),
    );
    const tally = (messages: string[]) =>
      messages.flatMap((m) => [...m.matchAll(/\tBODIES (.*)$/gm)].flatMap((x) => (x[1] as string).split(",")));
    const handled = tally(await storedLogs(api.dataDir, "tally", (messages) => tally(messages).length >= 10_000, 60_000));
    expect(handled).toHaveLength(10_000);
    expect(new Set(handled).size).toBe(10_000);
  });

  it("keeps only the reported batch item failures, and redrives a poison message to the DLQ", async () => {
    const dlq = await sqs.createQueue("payments-dlq");
    const url = await sqs.createQueue("payments", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("payments-dlq"), maxReceiveCount: 2 }),
    });
    await api.create(
      "payment-worker",
      `exports.handler = async (event) => {
        console.log('BATCH ' + JSON.stringify(event));
        return { batchItemFailures: event.Records.filter((r) => r.body === "poison").map((r) => ({ itemIdentifier: r.messageId })) };
      };`,
    );
    await sendAll(url, ["ok-1", "poison", "ok-2"]);
    await api.client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "payment-worker",
        EventSourceArn: sqs.arn("payments"),
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      }),
    );
    const out = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 10 }));
    expect(out.Messages?.map((m) => m.Body)).toEqual(["poison"]);
    const seen = (await batches("payment-worker", 4)).flatMap((b) => b.Records.map((r) => r.body));
    // The good ones once; the poison one once per receive until the redrive.
    expect(seen.filter((b) => b.startsWith("ok")).sort()).toEqual(["ok-1", "ok-2"]);
    expect(seen.filter((b) => b === "poison")).toHaveLength(2);
  });

  it("invokes only with the messages a FilterCriteria pattern matches, and deletes the others", async () => {
    const url = await sqs.createQueue("filtered");
    await api.create("filtered-worker", RECORDER);
    await sendAll(url, [
      JSON.stringify({ kind: "order", total: 5 }),
      JSON.stringify({ kind: "refund", total: 50 }),
      "plain text",
      JSON.stringify({ kind: "order", total: 500 }),
    ]);
    const created = await api.client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "filtered-worker",
        EventSourceArn: sqs.arn("filtered"),
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["order"], total: [{ numeric: [">", 10] }] } }) }] },
      }),
    );
    expect(created.FilterCriteria?.Filters?.[0]?.Pattern).toContain('"kind":["order"]');
    const seen = (await batches("filtered-worker", 1)).flatMap((b) => b.Records.map((r) => r.body));
    expect(seen).toEqual([JSON.stringify({ kind: "order", total: 500 })]);
    await drained(url);
    await expect(
      api.client.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "order-worker",
          EventSourceArn: sqs.arn("filtered"),
          FilterCriteria: { Filters: [{ Pattern: "{not json" }] },
        }),
      ),
    ).rejects.toThrow(/Invalid filter pattern definition/);
  });

  it("reports the age of the oldest message in the mapping's queue at its last poll", async () => {
    const url = await sqs.createQueue("aging", { VisibilityTimeout: "60" });
    await api.create("never-done", "exports.handler = async () => { throw new Error('not today'); };");
    const sent = Date.now();
    await sendAll(url, ["stale"]);
    const created = await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "never-done", EventSourceArn: sqs.arn("aging") }),
    );
    const series = `isolambda_source_oldest_message_age_seconds{mapping="${created.UUID}",function="never-done"}`;
    const age = async () => sample(await (await fetch(`${api.url}/metrics`)).text(), series);
    // The failed message waits out its visibility timeout in flight: it still counts, and ages.
    let old: number | undefined;
    await waitFor(
      async () => {
        old = await age();
        return old !== undefined && old >= 1.5;
      },
      () => `the oldest message's age reported at 1.5 s or more (${old} s)`,
      { intervalMs: 25 },
    );
    expect(old).toBeLessThanOrEqual((Date.now() - sent) / 1000);
    await sqs.client().send(new PurgeQueueCommand({ QueueUrl: url }));
    await waitFor(async () => (await age()) === 0, "the age reported as 0 once the queue was purged", { intervalMs: 25 });
    await api.client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(await age()).toBeUndefined();
  });

  it("stops polling while disabled, without losing messages, and manages mappings with AWS's shapes", async () => {
    const url = await sqs.createQueue("paused");
    await api.create("paused-worker", RECORDER);
    const created = await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "paused-worker", EventSourceArn: sqs.arn("paused"), Enabled: false }),
    );
    await sendAll(url, ["waits"]);
    // An enabled twin, made after it, takes its own message and is done with it: in that time the
    // disabled mapping took nothing.
    const twin = await sqs.createQueue("paused-twin");
    await api.create("paused-twin-worker", RECORDER);
    await sendAll(twin, ["taken"]);
    await api.client.send(
      new CreateEventSourceMappingCommand({ FunctionName: "paused-twin-worker", EventSourceArn: sqs.arn("paused-twin") }),
    );
    await drained(twin);
    expect(await visibleCount(url)).toBe(1);
    const updated = await api.client.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: true }));
    expect(updated.State).toBe("Updating");
    const [batch] = await batches("paused-worker", 1);
    expect(batch?.Records[0]?.body).toBe("waits");

    await expect(
      api.client.send(new CreateEventSourceMappingCommand({ FunctionName: "paused-worker", EventSourceArn: sqs.arn("paused") })),
    ).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(
      api.client.send(new CreateEventSourceMappingCommand({ FunctionName: "paused-worker", EventSourceArn: sqs.arn("no-such-queue") })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      api.client.send(
        new CreateEventSourceMappingCommand({ FunctionName: "paused-worker", EventSourceArn: sqs.arn("paused"), BatchSize: 100 }),
      ),
    ).rejects.toThrow(/Maximum batch window in seconds must be greater than 0/);
    const listed = await api.client.send(new ListEventSourceMappingsCommand({ FunctionName: "paused-worker" }));
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toEqual([created.UUID]);
    const deleted = await api.client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(deleted.State).toBe("Deleting");
    await expect(api.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
