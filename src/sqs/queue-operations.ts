/** The queue-level operations of the SQS API: CreateQueue, GetQueueUrl, ListQueues, attributes, PurgeQueue, DeleteQueue. */
import { SqsError } from "./errors.js";
import {
  type Input,
  optionalInteger,
  optionalString,
  pageAfter,
  pageToken,
  queueNameOf,
  requiredString,
  stringList,
  stringMap,
} from "./input.js";
import { LIST_QUEUES_MAX } from "./limits.js";
import { READABLE_ATTRIBUTES, type ReadableAttribute, settingText } from "./queue-attributes.js";
import type { Queues } from "./queues.js";
import type { QueueRecord } from "./store.js";

/** What an operation needs besides its input: the queues and how this request reached the server. */
export interface OperationContext {
  queues: Queues;
  /** `http://<Host header>`: queue URLs point back at the server the client called. */
  origin: string;
  signal?: AbortSignal;
}

export type Operation = (input: Input, context: OperationContext) => unknown;

export function queueUrl(context: OperationContext, name: string): string {
  return `${context.origin}/${context.queues.accountId}/${name}`;
}

/** Attribute names of the SQS model that queues without KMS simply do not report. */
const UNREPORTED = new Set(["KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"]);

function attributeValue(
  context: OperationContext,
  queue: QueueRecord,
  name: ReadableAttribute,
  counts: () => ReturnType<Queues["counts"]>,
): string | undefined {
  switch (name) {
    case "ApproximateNumberOfMessages":
      return String(counts().visible);
    case "ApproximateNumberOfMessagesNotVisible":
      return String(counts().inFlight);
    case "ApproximateNumberOfMessagesDelayed":
      return String(counts().delayed);
    case "CreatedTimestamp":
      return String(queue.created);
    case "LastModifiedTimestamp":
      return String(queue.lastModified);
    case "QueueArn":
      return context.queues.arnOf(queue.name);
    default:
      return settingText(queue.settings, name);
  }
}

const createQueue: Operation = (input, context) => {
  const name = requiredString(input, "QueueName");
  context.queues.createQueue(name, stringMap(input, "Attributes"), stringMap(input, "tags"));
  return { QueueUrl: queueUrl(context, name) };
};

const getQueueUrl: Operation = (input, context) => {
  const name = requiredString(input, "QueueName");
  const owner = optionalString(input, "QueueOwnerAWSAccountId");
  if (owner !== undefined && owner !== context.queues.accountId)
    throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
  context.queues.queue(name);
  return { QueueUrl: queueUrl(context, name) };
};

const listQueues: Operation = (input, context) => {
  const prefix = optionalString(input, "QueueNamePrefix") ?? "";
  const maxResults = optionalInteger(input, "MaxResults", 1, LIST_QUEUES_MAX, `Value must be between 1 and ${LIST_QUEUES_MAX}.`);
  const names = context.queues.listQueues(prefix, pageAfter(input), (maxResults ?? LIST_QUEUES_MAX) + 1);
  const page = names.slice(0, maxResults ?? LIST_QUEUES_MAX);
  const more = maxResults !== undefined && names.length > page.length;
  return {
    ...(page.length > 0 ? { QueueUrls: page.map((n) => queueUrl(context, n)) } : {}),
    ...(more ? { NextToken: pageToken(page.at(-1) as string) } : {}),
  };
};

const getQueueAttributes: Operation = (input, context) => {
  const queue = context.queues.queue(queueNameOf(input, context.queues.accountId));
  const requested = stringList(input, "AttributeNames");
  const names = new Set<ReadableAttribute>();
  for (const name of requested) {
    if (name === "All") {
      for (const n of READABLE_ATTRIBUTES) names.add(n);
    } else if ((READABLE_ATTRIBUTES as readonly string[]).includes(name)) names.add(name as ReadableAttribute);
    else if (!UNREPORTED.has(name)) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
  }
  let counted: ReturnType<Queues["counts"]> | undefined;
  const counts = () => {
    counted ??= context.queues.counts(queue);
    return counted;
  };
  const attributes: Record<string, string> = {};
  for (const name of names) {
    const value = attributeValue(context, queue, name, counts);
    if (value !== undefined) attributes[name] = value;
  }
  return names.size > 0 ? { Attributes: attributes } : {};
};

const setQueueAttributes: Operation = (input, context) => {
  const name = queueNameOf(input, context.queues.accountId);
  const attributes = stringMap(input, "Attributes");
  if (Object.keys(attributes).length === 0) throw new SqsError("MissingParameter", "The request must contain the parameter Attributes.");
  context.queues.setQueueAttributes(name, attributes);
  return {};
};

const purgeQueue: Operation = (input, context) => {
  context.queues.purgeQueue(queueNameOf(input, context.queues.accountId));
  return {};
};

const deleteQueue: Operation = (input, context) => {
  context.queues.deleteQueue(queueNameOf(input, context.queues.accountId));
  return {};
};

export const QUEUE_OPERATIONS: Record<string, Operation> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  DeleteQueue: deleteQueue,
};
