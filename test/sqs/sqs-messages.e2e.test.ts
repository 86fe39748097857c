import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  MessageNotInflight,
  PurgeQueueCommand,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { md5OfAttributes } from "../../src/sqs/md5.js";
import { useServer } from "../api/server.js";
import { waitFor } from "../wait.js";
import { useSqs } from "./sqs.js";

const api = useServer();
const sqs = useSqs(api);

async function receive(queueUrl: string, options: Partial<ReceiveMessageCommand["input"]> = {}): Promise<Message[]> {
  const out = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, ...options }));
  return out.Messages ?? [];
}

async function counts(queueUrl: string): Promise<Record<string, string>> {
  const out = await sqs.client().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }));
  return out.Attributes ?? {};
}

describe("messages through @aws-sdk/client-sqs", () => {
  it("sends, receives and deletes a message with attributes; the SDK verifies the body digests", async () => {
    const url = await sqs.createQueue("round-trip");
    const attributes = {
      color: { DataType: "String", StringValue: "blue" },
      size: { DataType: "Number", StringValue: "42" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    };
    const sent = await sqs
      .client()
      .send(new SendMessageCommand({ QueueUrl: url, MessageBody: "héllo wörld", MessageAttributes: attributes }));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.MD5OfMessageBody).toBe(createHash("md5").update(Buffer.from("héllo wörld", "utf8")).digest("hex"));
    expect(sent.MD5OfMessageAttributes).toBe(
      md5OfAttributes({
        blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
        color: { DataType: "String", StringValue: "blue" },
        size: { DataType: "Number", StringValue: "42" },
      }),
    );

    const [message, ...rest] = await receive(url, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    expect(rest).toEqual([]);
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe("héllo wörld");
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.color).toEqual({ DataType: "String", StringValue: "blue" });
    expect(message?.MessageAttributes?.blob?.BinaryValue).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(message?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(message?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(message?.Attributes?.SentTimestamp),
    );
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });

    await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("returns only the message attributes asked for, with the digest of those", async () => {
    const url = await sqs.createQueue("attribute-filter");
    await sqs.client().send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "x",
        MessageAttributes: { "trace.id": { DataType: "String", StringValue: "t1" }, other: { DataType: "String", StringValue: "o" } },
      }),
    );
    const [message] = await receive(url, { MessageAttributeNames: ["trace.*"] });
    expect(Object.keys(message?.MessageAttributes ?? {})).toEqual(["trace.id"]);
    expect(message?.MD5OfMessageAttributes).toBe(md5OfAttributes({ "trace.id": { DataType: "String", StringValue: "t1" } }));
    expect(message?.Attributes).toBeUndefined();
  });

  it("carries an AWSTraceHeader system attribute through, with its digest", async () => {
    const url = await sqs.createQueue("traced");
    const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    const sent = await sqs.client().send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "t",
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: header } },
      }),
    );
    expect(sent.MD5OfMessageSystemAttributes).toBe(md5OfAttributes({ AWSTraceHeader: { DataType: "String", StringValue: header } }));
    const [message] = await receive(url, { MessageSystemAttributeNames: ["AWSTraceHeader"] });
    expect(message?.Attributes).toEqual({ AWSTraceHeader: header });
  });

  it("hides a received message for the visibility timeout, then delivers it again with a higher receive count", async () => {
    // 2 s: long enough that the immediate second receive surely finds it hidden on a busy machine.
    const url = await sqs.createQueue("visibility", { VisibilityTimeout: "2" });
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "again" }));
    const [first] = await receive(url, { MessageSystemAttributeNames: ["All"] });
    expect(first?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect(await receive(url)).toEqual([]);
    // A long poll answers once the visibility timeout has passed.
    const started = Date.now();
    const [second] = await receive(url, { WaitTimeSeconds: 8, MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe("2");
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);

    // Only the newest receipt handle deletes; an older one succeeds and leaves the message.
    await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: "1" });
    await expect(
      sqs.client().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 })),
    ).rejects.toBeInstanceOf(MessageNotInflight);
    // ChangeMessageVisibility to 0 makes it visible at once.
    await sqs
      .client()
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 0 }));
    const [third] = await receive(url, { VisibilityTimeout: 30, MessageSystemAttributeNames: ["All"] });
    expect(third?.Attributes?.ApproximateReceiveCount).toBe("3");
    expect(first?.Attributes?.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(third?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(first?.Attributes?.ApproximateFirstReceiveTimestamp);
    await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third?.ReceiptHandle }));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("counts delayed messages and delivers them after their delay", async () => {
    const url = await sqs.createQueue("delayed");
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 2 }));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessagesDelayed: "1", ApproximateNumberOfMessages: "0" });
    expect(await receive(url)).toEqual([]);
    const [message] = await receive(url, { WaitTimeSeconds: 5 });
    expect(message?.Body).toBe("later");
  });

  it("answers a long poll as soon as a message is sent", async () => {
    const url = await sqs.createQueue("long-poll");
    const started = Date.now();
    const polling = receive(url, { WaitTimeSeconds: 10 });
    await waitFor(() => api.queues.pollsWaiting("long-poll") === 1, "a long poll waiting on long-poll");
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake up" }));
    const [message] = await polling;
    expect(message?.Body).toBe("wake up");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("stops a long poll whose client went away, so it takes no message meant for others", async () => {
    const url = await sqs.createQueue("abandoned-poll");
    const abort = new AbortController();
    const abandoned = sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }), { abortSignal: abort.signal });
    await waitFor(() => api.queues.pollsWaiting("abandoned-poll") === 1, "a long poll waiting on abandoned-poll");
    abort.abort();
    await expect(abandoned).rejects.toThrow();
    await waitFor(() => api.queues.pollsWaiting("abandoned-poll") === 0, "the long poll on abandoned-poll gone");
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "for the next poll" }));
    expect((await receive(url)).map((m) => m.Body)).toEqual(["for the next poll"]);
  });

  it("answers a long poll with no messages after WaitTimeSeconds", async () => {
    const url = await sqs.createQueue("long-poll-empty");
    const started = Date.now();
    expect(await receive(url, { WaitTimeSeconds: 1 })).toEqual([]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("uses the queue's ReceiveMessageWaitTimeSeconds when the request gives no wait time", async () => {
    const url = await sqs.createQueue("long-poll-default", { ReceiveMessageWaitTimeSeconds: "1" });
    const started = Date.now();
    expect(await receive(url)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("receives up to MaxNumberOfMessages in the order sent", async () => {
    const url = await sqs.createQueue("many");
    for (let i = 0; i < 12; i++) await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const first = await receive(url, { MaxNumberOfMessages: 10 });
    expect(first.map((m) => m.Body)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]);
    const second = await receive(url, { MaxNumberOfMessages: 10 });
    expect(second.map((m) => m.Body)).toEqual(["m10", "m11"]);
    await sqs.client().send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("gives each message to exactly one of several concurrent consumers", async () => {
    const url = await sqs.createQueue("contended");
    const bodies = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    for (let i = 0; i < bodies.length; i += 10) {
      const Entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: `e${j}`, MessageBody: body }));
      await sqs.client().send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    }
    const consume = async () => {
      const got: string[] = [];
      for (;;) {
        const batch = await receive(url, { MaxNumberOfMessages: 10 });
        if (batch.length === 0) return got;
        got.push(...batch.map((m) => m.Body ?? ""));
        await sqs.client().send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    };
    const received = (await Promise.all(Array.from({ length: 5 }, consume))).flat();
    expect(received).toHaveLength(bodies.length);
    expect(new Set(received)).toEqual(new Set(bodies));
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("sends a batch with per-entry failures, and deletes a batch with per-entry failures", async () => {
    const url = await sqs.createQueue("batch");
    const out = await sqs.client().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "a", MessageBody: "first" },
          { Id: "b", MessageBody: "bad \u0001 character" },
          { Id: "c", MessageBody: "third", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          { Id: "d", MessageBody: "too slow", DelaySeconds: 901 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(["a", "c"]);
    expect(out.Successful?.[1]?.MD5OfMessageAttributes).toBe(md5OfAttributes({ k: { DataType: "String", StringValue: "v" } }));
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: "b", SenderFault: true, Code: "InvalidMessageContents" }),
      expect.objectContaining({ Id: "d", SenderFault: true, Code: "InvalidParameterValue" }),
    ]);

    const messages = await receive(url, { MaxNumberOfMessages: 10 });
    expect(messages.map((m) => m.Body)).toEqual(["first", "third"]);
    const deleted = await sqs.client().send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "one", ReceiptHandle: messages[0]?.ReceiptHandle },
          { Id: "bogus", ReceiptHandle: "not-a-receipt-handle" },
          { Id: "two", ReceiptHandle: messages[1]?.ReceiptHandle },
        ],
      }),
    );
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(["one", "two"]);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: "bogus", SenderFault: true, Code: "ReceiptHandleIsInvalid" })]);
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("refuses a malformed receipt handle with ReceiptHandleIsInvalid", async () => {
    const url = await sqs.createQueue("bad-handle");
    await expect(sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage!" }))).rejects.toBeInstanceOf(
      ReceiptHandleIsInvalid,
    );
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", async () => {
    const dlq = await sqs.createQueue("orders-dlq");
    const url = await sqs.createQueue("orders", {
      VisibilityTimeout: "0",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("orders-dlq"), maxReceiveCount: 2 }),
    });
    const sent = await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    expect((await receive(url)).map((m) => m.MessageId)).toEqual([sent.MessageId]);
    expect((await receive(url)).map((m) => m.MessageId)).toEqual([sent.MessageId]);
    // The third receive finds the count exceeded: the message leaves for the DLQ instead.
    expect(await receive(url)).toEqual([]);
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
    const [dead] = await receive(dlq, { MessageSystemAttributeNames: ["All"] });
    expect(dead?.MessageId).toBe(sent.MessageId);
    expect(dead?.Body).toBe("poison");
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(sqs.arn("orders"));
  });

  it("wakes a long poll on the dead-letter queue when a message is moved there", async () => {
    const dlq = await sqs.createQueue("wake-dlq");
    const url = await sqs.createQueue("wake-source", {
      VisibilityTimeout: "0",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("wake-dlq"), maxReceiveCount: 1 }),
    });
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bounce" }));
    expect(await receive(url)).toHaveLength(1);
    const polling = receive(dlq, { WaitTimeSeconds: 10 });
    await waitFor(() => api.queues.pollsWaiting("wake-dlq") === 1, "a long poll waiting on wake-dlq");
    const started = Date.now();
    expect(await receive(url)).toEqual([]);
    expect((await polling).map((m) => m.Body)).toEqual(["bounce"]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("keeps messages across a restart; an in-flight message stays hidden, its receipt handle valid, until its visibility timeout", async () => {
    const url = await sqs.createQueue("durable");
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "received before the restart" }));
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "waiting" }));
    const [inFlight] = await receive(url);
    expect(inFlight?.Body).toBe("received before the restart");
    await api.restart();
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "1" });
    const [waiting] = await receive(url);
    expect(waiting?.Body).toBe("waiting");
    // The queue's 30 s would make the test slow: shorten this receive's timeout to 1 s with its old handle.
    await sqs
      .client()
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: inFlight?.ReceiptHandle, VisibilityTimeout: 1 }));
    expect(await receive(url)).toEqual([]);
    const [again] = await receive(url, { WaitTimeSeconds: 5, MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    expect(again?.MessageId).toBe(inFlight?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe("2");
  });
});

describe("Queues.sendByArn for destinations and dead-letter queues", () => {
  it("delivers into a queue inside the caller's transaction, and not at all when it rolls back", async () => {
    const url = await sqs.createQueue("destination");
    const queues = api.queues;
    const { messageId } = queues.transaction(() =>
      queues.sendByArn(sqs.arn("destination"), '{"ok":true}', { ErrorCode: { DataType: "Number", StringValue: "200" } }),
    );
    expect(() =>
      queues.transaction(() => {
        queues.sendByArn(sqs.arn("destination"), "rolled back");
        throw new Error("abort");
      }),
    ).toThrow("abort");
    const messages = await receive(url, { MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] });
    expect(messages.map((m) => [m.MessageId, m.Body])).toEqual([[messageId, '{"ok":true}']]);
    expect(messages[0]?.MessageAttributes?.ErrorCode).toEqual({ DataType: "Number", StringValue: "200" });
  });

  it("throws a clear error for a queue that does not exist", () => {
    expect(() => api.queues.sendByArn(sqs.arn("nowhere"), "x")).toThrow(/does not exist: arn:aws:sqs:us-east-1:000000000000:nowhere/);
  });
});
