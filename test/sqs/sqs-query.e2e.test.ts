import { createHash } from "node:crypto";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { md5OfAttributes } from "../../src/sqs/md5.js";
import { useServer } from "../api/server.js";
import { useSqs } from "./sqs.js";

const api = useServer();
const sqs = useSqs(api);

/** A query-protocol call as the AWS SDK for JavaScript v2 makes it: a form posted to `path`. */
async function query(params: Record<string, string>, path = "/"): Promise<{ status: number; xml: string }> {
  const response = await fetch(`${api.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  return { status: response.status, xml: await response.text() };
}

/** The text of every `<name>` element, in document order. */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1] ?? "");
}

describe("the SQS query protocol (form-encoded Action=..., XML answers)", () => {
  it("creates a queue, sends with attributes and receives from the queue's URL", async () => {
    const created = await query({
      Action: "CreateQueue",
      QueueName: "legacy",
      "Attribute.1.Name": "VisibilityTimeout",
      "Attribute.1.Value": "5",
    });
    expect(created.status).toBe(200);
    expect(created.xml).toMatch(/^<\?xml version="1.0"\?><CreateQueueResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/">/);
    const [url] = texts(created.xml, "QueueUrl");
    expect(url).toBe(`${api.url}/000000000000/legacy`);
    expect(texts(created.xml, "RequestId")).toHaveLength(1);

    const sent = await query({
      Action: "SendMessage",
      QueueUrl: url ?? "",
      MessageBody: "<hello & welcome>",
      "MessageAttribute.1.Name": "color",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "blue",
    });
    expect(texts(sent.xml, "MD5OfMessageBody")).toEqual([createHash("md5").update("<hello & welcome>").digest("hex")]);
    expect(texts(sent.xml, "MD5OfMessageAttributes")).toEqual([md5OfAttributes({ color: { DataType: "String", StringValue: "blue" } })]);

    const received = await query(
      { Action: "ReceiveMessage", "AttributeName.1": "All", "MessageAttributeName.1": "All", MaxNumberOfMessages: "10" },
      "/000000000000/legacy",
    );
    expect(received.status).toBe(200);
    expect(texts(received.xml, "Body")).toEqual(["&#60;hello &#38; welcome&#62;"]);
    expect(received.xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(received.xml).toContain(
      "<MessageAttribute><Name>color</Name><Value><DataType>String</DataType><StringValue>blue</StringValue></Value></MessageAttribute>",
    );
    const attributes = await query({ Action: "GetQueueAttributes", QueueUrl: url ?? "", "AttributeName.1": "VisibilityTimeout" });
    expect(attributes.xml).toContain(
      "<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name><Value>5</Value></Attribute></GetQueueAttributesResult>",
    );
  });

  it("sends batches and reports per-entry failures as BatchResultErrorEntry", async () => {
    await sqs.createQueue("legacy-batch");
    const url = `${api.url}/000000000000/legacy-batch`;
    const sent = await query({
      Action: "SendMessageBatch",
      QueueUrl: url,
      "SendMessageBatchRequestEntry.1.Id": "ok",
      "SendMessageBatchRequestEntry.1.MessageBody": "fine",
      "SendMessageBatchRequestEntry.2.Id": "late",
      "SendMessageBatchRequestEntry.2.MessageBody": "too late",
      "SendMessageBatchRequestEntry.2.DelaySeconds": "901",
    });
    expect(sent.xml).toMatch(/<SendMessageBatchResultEntry><Id>ok<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId>/);
    expect(sent.xml).toMatch(/<BatchResultErrorEntry><Id>late<\/Id><SenderFault>true<\/SenderFault><Code>InvalidParameterValue<\/Code>/);
    // What the query protocol sent, the JSON client reads, digests checked by the SDK.
    const { Messages } = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Messages?.map((m) => m.Body)).toEqual(["fine"]);
  });

  it("speaks FIFO: a queue URL path ending in .fifo, MessageGroupId, SequenceNumber, a missing group's error", async () => {
    await sqs.createQueue("legacy.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const path = "/000000000000/legacy.fifo";
    const sent = await query({ Action: "SendMessage", MessageBody: "first", MessageGroupId: "g" }, path);
    expect(texts(sent.xml, "SequenceNumber")).toEqual([expect.stringMatching(/^\d{20}$/)]);
    const received = await query({ Action: "ReceiveMessage", "AttributeName.1": "All" }, path);
    expect(received.xml).toContain("<Attribute><Name>MessageGroupId</Name><Value>g</Value></Attribute>");
    const missing = await query({ Action: "SendMessage", MessageBody: "lost" }, path);
    expect(missing.status).toBe(400);
    expect(texts(missing.xml, "Code")).toEqual(["MissingParameter"]);
  });

  it("answers errors with the query error codes", async () => {
    const missing = await query({ Action: "GetQueueUrl", QueueName: "nope" });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain("<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
    expect(texts(missing.xml, "Message")).toEqual(["The specified queue does not exist."]);
    const unknown = await query({ Action: "Frobnicate" });
    expect(texts(unknown.xml, "Code")).toEqual(["InvalidAction"]);
  });
});
