import {
  BatchEntryIdsNotDistinct,
  CreateQueueCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { waitFor } from "../wait.js";
import { failure, useSqs } from "./sqs.js";

const api = useServer();
const sqs = useSqs(api);

describe("queues through @aws-sdk/client-sqs", () => {
  it("creates a queue with a URL on this server and the ARN of this account", async () => {
    const url = await sqs.createQueue("created", { VisibilityTimeout: "45", DelaySeconds: "2" });
    expect(url).toBe(`${api.url}/000000000000/created`);
    const { Attributes } = await sqs.client().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({
      QueueArn: "arn:aws:sqs:us-east-1:000000000000:created",
      VisibilityTimeout: "45",
      DelaySeconds: "2",
      MaximumMessageSize: "1048576",
      MessageRetentionPeriod: "345600",
      ReceiveMessageWaitTimeSeconds: "0",
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "0",
    });
    expect(Number(Attributes?.CreatedTimestamp)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(Attributes?.RedrivePolicy).toBeUndefined();
    const { QueueUrl } = await sqs.client().send(new GetQueueUrlCommand({ QueueName: "created" }));
    expect(QueueUrl).toBe(url);
  });

  it("returns only the attributes asked for", async () => {
    const url = await sqs.createQueue("some-attributes");
    const { Attributes } = await sqs.client().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
    expect(Attributes).toEqual({ QueueArn: "arn:aws:sqs:us-east-1:000000000000:some-attributes" });
  });

  it("creates the same queue again when the attributes match, and refuses different ones with QueueNameExists", async () => {
    const url = await sqs.createQueue("idempotent", { VisibilityTimeout: "10" });
    expect(await sqs.createQueue("idempotent", { VisibilityTimeout: "10" })).toBe(url);
    expect(await sqs.createQueue("idempotent")).toBe(url);
    const error = await failure(
      sqs.client().send(new CreateQueueCommand({ QueueName: "idempotent", Attributes: { VisibilityTimeout: "11" } })),
    );
    expect(error).toBeInstanceOf(QueueNameExists);
    expect(error.message).toMatch(/VisibilityTimeout/);
  });

  it("validates queue names and attributes with SQS's errors", async () => {
    const badName = await failure(sqs.client().send(new CreateQueueCommand({ QueueName: "has space" })));
    expect(badName.name).toBe("InvalidParameterValue");
    await expect(sqs.client().send(new CreateQueueCommand({ QueueName: "x".repeat(81) }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(
      sqs.client().send(new CreateQueueCommand({ QueueName: "q", Attributes: { VisibilityTimeout: "43201" } })),
    ).rejects.toBeInstanceOf(InvalidAttributeValue);
    await expect(
      sqs.client().send(new CreateQueueCommand({ QueueName: "q", Attributes: { MessageRetentionPeriod: "59" } })),
    ).rejects.toBeInstanceOf(InvalidAttributeValue);
    await expect(
      sqs.client().send(new CreateQueueCommand({ QueueName: "q", Attributes: { Bogus: "1" } as Record<string, string> })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
    const missingDlq = await failure(
      sqs.client().send(
        new CreateQueueCommand({
          QueueName: "q",
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arn("no-such-dlq"), maxReceiveCount: 3 }) },
        }),
      ),
    );
    expect(missingDlq).toBeInstanceOf(InvalidAttributeValue);
    expect(missingDlq.message).toMatch(/Dead letter target does not exist/);
    await expect(sqs.client().send(new GetQueueUrlCommand({ QueueName: "q" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it("sets attributes, including a redrive policy, and removes the policy again", async () => {
    await sqs.createQueue("set-dlq");
    const url = await sqs.createQueue("set-source");
    const policy = { deadLetterTargetArn: sqs.arn("set-dlq"), maxReceiveCount: 5 };
    await sqs
      .client()
      .send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify(policy), VisibilityTimeout: "7" } }),
      );
    const set = await sqs
      .client()
      .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy", "VisibilityTimeout"] }));
    expect(JSON.parse(set.Attributes?.RedrivePolicy ?? "{}")).toEqual(policy);
    expect(set.Attributes?.VisibilityTimeout).toBe("7");
    const self = await failure(
      sqs.client().send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { RedrivePolicy: JSON.stringify({ ...policy, deadLetterTargetArn: sqs.arn("set-source") }) },
        }),
      ),
    );
    expect(self).toBeInstanceOf(InvalidAttributeValue);
    expect(self.message).toMatch(/cannot be the source queue/);
    await sqs.client().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: "" } }));
    const cleared = await sqs.client().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(cleared.Attributes?.RedrivePolicy).toBeUndefined();
    await expect(
      sqs.client().send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { RedrivePolicy: JSON.stringify({ ...policy, maxReceiveCount: 0 }) },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidAttributeValue);
  });

  it("lists queues by name prefix, in pages", async () => {
    for (const name of ["list-a", "list-b", "list-c", "other"]) await sqs.createQueue(name);
    const all = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "list-" }));
    expect(all.QueueUrls).toEqual(["list-a", "list-b", "list-c"].map((n) => `${api.url}/000000000000/${n}`));
    expect(all.NextToken).toBeUndefined();
    const first = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "list-", MaxResults: 2 }));
    expect(first.QueueUrls?.map((u) => u.split("/").at(-1))).toEqual(["list-a", "list-b"]);
    const second = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "list-", MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls?.map((u) => u.split("/").at(-1))).toEqual(["list-c"]);
    expect(second.NextToken).toBeUndefined();
    const none = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "nothing-" }));
    expect(none.QueueUrls ?? []).toEqual([]);
  });

  it("keeps tags given at creation, adds and removes them", async () => {
    await sqs.client().send(new CreateQueueCommand({ QueueName: "tagged", tags: { team: "a", env: "dev" } }));
    const url = `${api.url}/000000000000/tagged`;
    await sqs.client().send(new TagQueueCommand({ QueueUrl: url, Tags: { env: "prod", owner: "me" } }));
    await sqs.client().send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["team"] }));
    const { Tags } = await sqs.client().send(new ListQueueTagsCommand({ QueueUrl: url }));
    expect(Tags).toEqual({ env: "prod", owner: "me" });
  });

  it("lists the queues whose redrive policy targets a dead-letter queue", async () => {
    await sqs.createQueue("sources-dlq");
    const policy = JSON.stringify({ deadLetterTargetArn: sqs.arn("sources-dlq"), maxReceiveCount: 3 });
    for (const name of ["source-2", "source-1"]) await sqs.createQueue(name, { RedrivePolicy: policy });
    await sqs.createQueue("not-a-source");
    const { queueUrls } = await sqs
      .client()
      .send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: `${api.url}/000000000000/sources-dlq` }));
    expect(queueUrls?.map((u) => u.split("/").at(-1))).toEqual(["source-1", "source-2"]);
  });

  it("deletes a queue and its messages; the queue is gone for every operation", async () => {
    const url = await sqs.createQueue("doomed");
    await sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "lost" }));
    await sqs.client().send(new DeleteQueueCommand({ QueueUrl: url }));
    const error = await failure(sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error.message).toBe("The specified queue does not exist.");
    expect(error.$metadata.httpStatusCode).toBe(400);
    await expect(sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.client().send(new DeleteQueueCommand({ QueueUrl: url }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    // A new queue of the same name starts empty.
    const again = await sqs.createQueue("doomed");
    const { Messages } = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: again }));
    expect(Messages ?? []).toEqual([]);
  });

  it("ends a long poll on a queue deleted meanwhile with QueueDoesNotExist", async () => {
    const url = await sqs.createQueue("deleted-while-polling");
    const polling = sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await waitFor(() => api.queues.pollsWaiting("deleted-while-polling") === 1, "a long poll waiting on deleted-while-polling");
    const started = Date.now();
    await sqs.client().send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(polling).rejects.toBeInstanceOf(QueueDoesNotExist);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("message validation through @aws-sdk/client-sqs", () => {
  it("refuses bad message parameters with SQS's errors", async () => {
    const url = await sqs.createQueue("validation", { MaximumMessageSize: "1024" });
    const send = (input: Partial<SendMessageCommand["input"]>) =>
      failure(sqs.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", ...input })));
    expect(await send({ MessageBody: "\u0000" })).toBeInstanceOf(InvalidMessageContents);
    expect((await send({ MessageBody: "" })).name).toBe("MissingParameter");
    const tooBig = await send({ MessageBody: "x".repeat(1025) });
    expect(tooBig.name).toBe("InvalidParameterValue");
    expect(tooBig.message).toMatch(/shorter than 1024 bytes/);
    // Attributes count against the size too.
    expect(
      (await send({ MessageBody: "x".repeat(1000), MessageAttributes: { a: { DataType: "String", StringValue: "y".repeat(30) } } })).name,
    ).toBe("InvalidParameterValue");
    expect((await send({ DelaySeconds: 901 })).name).toBe("InvalidParameterValue");
    expect((await send({ MessageDeduplicationId: "fifo-only" })).message).toMatch(/not valid for this queue type/);
    expect((await send({ MessageAttributes: { "AWS.reserved": { DataType: "String", StringValue: "v" } } })).name).toBe(
      "InvalidParameterValue",
    );
    expect((await send({ MessageAttributes: { a: { DataType: "Text", StringValue: "v" } } })).name).toBe("InvalidParameterValue");
    expect((await send({ MessageAttributes: { a: { DataType: "Number", StringValue: "twelve" } } })).name).toBe("InvalidParameterValue");
    expect((await send({ MessageAttributes: { a: { DataType: "Binary", StringValue: "v" } } })).name).toBe("InvalidParameterValue");
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
    expect((await send({ MessageAttributes: eleven })).message).toMatch(/exceeds the allowed maximum \[10\]/);
  });

  it("refuses bad ReceiveMessage parameters with InvalidParameterValue", async () => {
    const url = await sqs.createQueue("receive-validation");
    for (const input of [{ MaxNumberOfMessages: 11 }, { MaxNumberOfMessages: 0 }, { WaitTimeSeconds: 21 }, { VisibilityTimeout: 43_201 }]) {
      const error = await failure(sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, ...input })));
      expect(error.name).toBe("InvalidParameterValue");
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });

  it("refuses malformed batches as a whole", async () => {
    const url = await sqs.createQueue("batch-validation");
    const batch = (Entries: { Id: string; MessageBody: string }[]) =>
      sqs.client().send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    await expect(batch([])).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(batch(Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })))).rejects.toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    await expect(
      batch([
        { Id: "same", MessageBody: "x" },
        { Id: "same", MessageBody: "y" },
      ]),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    const badId = await failure(batch([{ Id: "not ok!", MessageBody: "x" }]));
    expect(badId.name).toBe("InvalidBatchEntryId");
    // Nothing of a refused batch was sent.
    const { Messages } = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(Messages ?? []).toEqual([]);
  });

  it("answers an unknown operation with InvalidAction", async () => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "x-amz-target": "AmazonSQS.Frobnicate", "content-type": "application/x-amz-json-1.0" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-query-error")).toBe("InvalidAction;Sender");
    expect(await response.json()).toEqual({
      __type: "com.amazonaws.sqs#InvalidAction",
      message: "The action Frobnicate is not valid for this web service.",
    });
  });
});
