import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { waitFor } from "../wait.js";
import { failure, useSqs } from "./sqs.js";

const api = useServer();
const sqs = useSqs(api);

const send = (url: string, input: Omit<SendMessageCommandInput, "QueueUrl">) =>
  sqs.client().send(new SendMessageCommand({ QueueUrl: url, ...input }));

async function receive(url: string, max = 10, extra: Partial<ReceiveMessageCommand["input"]> = {}): Promise<Message[]> {
  const out = await sqs
    .client()
    .send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageSystemAttributeNames: ["All"], ...extra }));
  return out.Messages ?? [];
}

const bodies = (messages: Message[]) => messages.map((m) => m.Body);

async function attributes(url: string): Promise<Record<string, string>> {
  const out = await sqs.client().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  return out.Attributes ?? {};
}

describe("FIFO queues through @aws-sdk/client-sqs", () => {
  it("creates a FIFO queue only with a .fifo name and FifoQueue true, and reports its attributes", async () => {
    const url = await sqs.createQueue("jobs.fifo", { FifoQueue: "true" });
    expect(url).toMatch(/\/000000000000\/jobs\.fifo$/);
    expect(await attributes(url)).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "false",
      DeduplicationScope: "queue",
      FifoThroughputLimit: "perQueue",
      QueueArn: sqs.arn("jobs.fifo"),
    });
    // Idempotent with the same attributes.
    expect(await sqs.createQueue("jobs.fifo", { FifoQueue: "true" })).toBe(url);

    const noSuffix = await failure(sqs.client().send(new CreateQueueCommand({ QueueName: "jobs", Attributes: { FifoQueue: "true" } })));
    expect(noSuffix.name).toBe("InvalidParameterValue");
    expect(noSuffix.message).toMatch(/must end with \.fifo suffix/);
    const noAttribute = await failure(sqs.client().send(new CreateQueueCommand({ QueueName: "other.fifo" })));
    expect(noAttribute.name).toBe("InvalidParameterValue");
    expect(noAttribute.message).toMatch(/Can only include alphanumeric characters, hyphens, or underscores/);

    const standard = await sqs.createQueue("plain");
    expect(await attributes(standard)).not.toHaveProperty("FifoQueue");
    await expect(
      sqs.client().send(new SetQueueAttributesCommand({ QueueUrl: standard, Attributes: { ContentBasedDeduplication: "true" } })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(
      sqs.client().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: "false" } })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(
      sqs.client().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DeduplicationScope: "everywhere" } })),
    ).rejects.toBeInstanceOf(InvalidAttributeValue);
    await sqs.client().send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup" },
      }),
    );
    expect(await attributes(url)).toMatchObject({ ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup" });

    // A FIFO queue's dead-letter queue is a FIFO queue, and a standard queue's a standard one.
    const mixed = await failure(
      sqs.client().send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("plain"), maxReceiveCount: 2 }) },
        }),
      ),
    );
    expect(mixed).toBeInstanceOf(InvalidAttributeValue);
    expect(mixed.message).toMatch(/dead-letter queue of a FIFO queue must also be a FIFO queue/);
  });

  it("refuses sends without a group, without a deduplication id, or with a per-message delay, in SQS's shapes", async () => {
    const url = await sqs.createQueue("strict.fifo", { FifoQueue: "true" });
    const noGroup = await failure(send(url, { MessageBody: "x", MessageDeduplicationId: "d" }));
    expect(noGroup.name).toBe("MissingParameter");
    expect(noGroup.message).toBe("The request must contain the parameter MessageGroupId.");
    const noDedup = await failure(send(url, { MessageBody: "x", MessageGroupId: "g" }));
    expect(noDedup.name).toBe("InvalidParameterValue");
    expect(noDedup.message).toBe(
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );
    const delayed = await failure(send(url, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 }));
    expect(delayed.name).toBe("InvalidParameterValue");
    expect(delayed.message).toMatch(/parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid/);
    const badGroup = await failure(send(url, { MessageBody: "x", MessageGroupId: "a group", MessageDeduplicationId: "d" }));
    expect(badGroup.name).toBe("InvalidParameterValue");

    const batch = await sqs.client().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok", MessageBody: "fine", MessageGroupId: "g", MessageDeduplicationId: "1" },
          { Id: "nogroup", MessageBody: "lost", MessageDeduplicationId: "2" },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(["ok"]);
    expect(batch.Successful?.[0]?.SequenceNumber).toMatch(/^\d{20}$/);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "nogroup", SenderFault: true, Code: "MissingParameter" })]);
    expect(bodies(await receive(url))).toEqual(["fine"]);
  });

  it("delivers a duplicate within the interval once, answering the first send's MessageId and SequenceNumber", async () => {
    const url = await sqs.createQueue("dedup.fifo", { FifoQueue: "true" });
    const first = await send(url, { MessageBody: "charge 10", MessageGroupId: "acct-1", MessageDeduplicationId: "charge-1" });
    const again = await send(url, { MessageBody: "charge 10 (retried)", MessageGroupId: "acct-1", MessageDeduplicationId: "charge-1" });
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    expect(again).toMatchObject({ MessageId: first.MessageId, SequenceNumber: first.SequenceNumber });
    const other = await send(url, { MessageBody: "charge 20", MessageGroupId: "acct-1", MessageDeduplicationId: "charge-2" });
    expect(BigInt(other.SequenceNumber ?? 0)).toBeGreaterThan(BigInt(first.SequenceNumber ?? 0));
    // The interval outlives the message: deleted, it is still not sent again.
    const received = await receive(url);
    expect(bodies(received)).toEqual(["charge 10", "charge 20"]);
    expect(received[0]?.Attributes).toMatchObject({
      MessageGroupId: "acct-1",
      MessageDeduplicationId: "charge-1",
      SequenceNumber: first.SequenceNumber,
    });
    for (const m of received) await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    expect((await send(url, { MessageBody: "charge 10", MessageGroupId: "acct-1", MessageDeduplicationId: "charge-1" })).MessageId).toBe(
      first.MessageId,
    );
    expect(await receive(url)).toEqual([]);

    // Content-based: the SHA-256 of the body is the id, so the same body is a duplicate and another is not.
    const content = await sqs.createQueue("content.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const a = await send(content, { MessageBody: "same", MessageGroupId: "g" });
    expect((await send(content, { MessageBody: "same", MessageGroupId: "g" })).MessageId).toBe(a.MessageId);
    expect((await send(content, { MessageBody: "different", MessageGroupId: "g" })).MessageId).not.toBe(a.MessageId);
    const [dedupById] = await receive(content, 1);
    expect(dedupById?.Attributes?.MessageDeduplicationId).toBe(createHash("sha256").update("same").digest("hex"));

    // DeduplicationScope messageGroup: the same id in two groups is two messages.
    const scoped = await sqs.createQueue("scoped.fifo", { FifoQueue: "true", DeduplicationScope: "messageGroup" });
    await send(scoped, { MessageBody: "a", MessageGroupId: "g1", MessageDeduplicationId: "x" });
    await send(scoped, { MessageBody: "b", MessageGroupId: "g2", MessageDeduplicationId: "x" });
    await send(scoped, { MessageBody: "c", MessageGroupId: "g2", MessageDeduplicationId: "x" });
    expect(bodies(await receive(scoped)).sort()).toEqual(["a", "b"]);
  });

  it("hands out each group in send order and nothing more of a group while one of its messages is in flight", async () => {
    const url = await sqs.createQueue("ordered.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (const [group, body] of [
      ["A", "A1"],
      ["B", "B1"],
      ["A", "A2"],
      ["B", "B2"],
      ["A", "A3"],
    ] as const) {
      await send(url, { MessageBody: body, MessageGroupId: group });
    }
    const [a1] = await receive(url, 1);
    expect(a1?.Body).toBe("A1");
    // A is blocked behind A1; B is free.
    const [b1] = await receive(url, 1);
    expect(b1?.Body).toBe("B1");
    expect(await receive(url)).toEqual([]);
    await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a1?.ReceiptHandle }));
    const next = await receive(url);
    expect(bodies(next)).toEqual(["A2", "A3"]);
    // B1 comes back (its visibility ends) ahead of B2.
    await sqs.client().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b1?.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await receive(url);
    expect(bodies(again)).toEqual(["B1", "B2"]);
    expect(again[0]?.Attributes).toMatchObject({ ApproximateReceiveCount: "2", MessageGroupId: "B" });
  });

  it("wakes a long poll waiting on a blocked group when the message in flight is deleted", async () => {
    const url = await sqs.createQueue("woken.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    await send(url, { MessageBody: "head", MessageGroupId: "g" });
    await send(url, { MessageBody: "next", MessageGroupId: "g" });
    const [head] = await receive(url, 1);
    const waiting = receive(url, 10, { WaitTimeSeconds: 20 });
    await waitFor(() => api.queues.pollsWaiting("woken.fifo") === 1, "a long poll waiting on woken.fifo");
    await sqs.client().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: head?.ReceiptHandle }));
    expect(bodies(await waiting)).toEqual(["next"]);
  });

  it("applies the queue's delay to every message and keeps a group behind its delayed head", async () => {
    const url = await sqs.createQueue("slow.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", DelaySeconds: "1" });
    await send(url, { MessageBody: "first", MessageGroupId: "g", DelaySeconds: 0 });
    await sqs.client().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: "0" } }));
    await send(url, { MessageBody: "second", MessageGroupId: "g" });
    expect(await receive(url)).toEqual([]);
    expect(bodies(await receive(url, 10, { WaitTimeSeconds: 5 }))).toEqual(["first", "second"]);
  });

  it("redrives a group's head to a FIFO dead-letter queue with its group, and then hands out the rest", async () => {
    const dlq = await sqs.createQueue("jobs-dlq.fifo", { FifoQueue: "true" });
    const url = await sqs.createQueue("redriven.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("jobs-dlq.fifo"), maxReceiveCount: 1 }),
    });
    const poison = await send(url, { MessageBody: "poison", MessageGroupId: "g" });
    await send(url, { MessageBody: "after", MessageGroupId: "g" });
    expect(bodies(await receive(url, 1, { VisibilityTimeout: 0 }))).toEqual(["poison"]);
    expect(bodies(await receive(url))).toEqual(["after"]);
    const [dead] = await receive(dlq);
    expect(dead?.Body).toBe("poison");
    expect(dead?.Attributes).toMatchObject({
      MessageGroupId: "g",
      SequenceNumber: poison.SequenceNumber,
      DeadLetterQueueSourceArn: sqs.arn("redriven.fifo"),
    });
  });

  it("keeps groups, order and the deduplication interval across a restart", async () => {
    const url = await sqs.createQueue("durable.fifo", { FifoQueue: "true" });
    const first = await send(url, { MessageBody: "one", MessageGroupId: "g", MessageDeduplicationId: "1" });
    await send(url, { MessageBody: "two", MessageGroupId: "g", MessageDeduplicationId: "2" });
    await api.restart();
    expect((await send(url, { MessageBody: "one", MessageGroupId: "g", MessageDeduplicationId: "1" })).MessageId).toBe(first.MessageId);
    const third = await send(url, { MessageBody: "three", MessageGroupId: "g", MessageDeduplicationId: "3" });
    expect(BigInt(third.SequenceNumber ?? 0)).toBeGreaterThan(BigInt(first.SequenceNumber ?? 0) + 1n);
    expect(bodies(await receive(url))).toEqual(["one", "two", "three"]);
  });
});
