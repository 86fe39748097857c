/**
 * The SQS query protocol's requests (form-encoded `Action=...&QueueUrl=...`, as the AWS SDK for
 * JavaScript v2, older boto3 and the AWS CLI v1 send them), turned into the AWS JSON input
 * shapes the operations take. Lists and maps arrive flattened: `Attribute.1.Name`,
 * `MessageAttribute.2.Value.StringValue`, `SendMessageBatchRequestEntry.3.Id`, ...
 */
import { invalidParameter } from "./errors.js";
import type { Input } from "./input.js";

type Params = Map<string, string>;

const INTEGERS = ["DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults"];
const STRINGS = [
  "QueueName",
  "QueueUrl",
  "QueueNamePrefix",
  "QueueOwnerAWSAccountId",
  "NextToken",
  "MessageBody",
  "ReceiptHandle",
  "Id",
  "MessageDeduplicationId",
  "MessageGroupId",
  "ReceiveRequestAttemptId",
];
const LISTS: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  TagKey: "TagKeys",
};
const BATCH_ENTRIES = ["SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry"];

/** `prefix.N.rest` parameters grouped by N (in N order), each group keyed by `rest`. */
function indexed(params: Params, prefix: string): Params[] {
  const groups = new Map<number, Params>();
  for (const [key, value] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const [n, ...rest] = key.slice(prefix.length + 1).split(".");
    const index = Number(n);
    if (!Number.isInteger(index)) continue;
    const group = groups.get(index) ?? new Map<string, string>();
    group.set(rest.join("."), value);
    groups.set(index, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

function pairs(params: Params, prefix: string, key: string, value: string): Record<string, string> | undefined {
  const groups = indexed(params, prefix);
  if (groups.length === 0) return undefined;
  return Object.fromEntries(groups.map((g) => [g.get(key) ?? "", g.get(value) ?? ""]));
}

function messageAttributes(params: Params, prefix: string): Record<string, Record<string, string>> | undefined {
  const groups = indexed(params, prefix);
  if (groups.length === 0) return undefined;
  return Object.fromEntries(
    groups.map((g) => {
      const value: Record<string, string> = {};
      for (const field of ["DataType", "StringValue", "BinaryValue"]) {
        const v = g.get(`Value.${field}`);
        if (v !== undefined) value[field] = v;
      }
      return [g.get("Name") ?? "", value];
    }),
  );
}

function inputFrom(params: Params): Input {
  const input: Input = {};
  for (const name of STRINGS) if (params.has(name)) input[name] = params.get(name);
  for (const name of INTEGERS) {
    const raw = params.get(name);
    if (raw === undefined) continue;
    if (!/^-?\d+$/.test(raw)) throw invalidParameter(name, raw, "must be an integer.");
    input[name] = Number(raw);
  }
  for (const [flat, name] of Object.entries(LISTS)) {
    const groups = indexed(params, flat);
    if (groups.length > 0) input[name] = groups.map((g) => g.get("") ?? "");
  }
  const attributes = pairs(params, "Attribute", "Name", "Value");
  if (attributes) input.Attributes = attributes;
  const tags = pairs(params, "Tag", "Key", "Value");
  // CreateQueue's member is `tags`, TagQueue's `Tags`.
  if (tags) input[params.get("Action") === "CreateQueue" ? "tags" : "Tags"] = tags;
  const user = messageAttributes(params, "MessageAttribute");
  if (user) input.MessageAttributes = user;
  const system = messageAttributes(params, "MessageSystemAttribute");
  if (system) input.MessageSystemAttributes = system;
  for (const prefix of BATCH_ENTRIES) {
    const groups = indexed(params, prefix);
    if (groups.length > 0) input.Entries = groups.map(inputFrom);
  }
  return input;
}

/** The operation and its input; `pathQueueUrl` is used when the request was posted to the queue's URL. */
export function queryInput(params: Params, pathQueueUrl: string | undefined): { action: string; input: Input } {
  const input = inputFrom(params);
  if (input.QueueUrl === undefined && pathQueueUrl !== undefined) input.QueueUrl = pathQueueUrl;
  return { action: params.get("Action") ?? "", input };
}
