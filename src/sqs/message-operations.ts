/** The message operations of the SQS API: send, receive, delete and change visibility, single and batched. */
import { SqsError } from "./errors.js";
import { orderingOf, sequenceNumberText } from "./fifo.js";
import { entriesOf, type Input, optionalInteger, queueNameOf, requiredInteger, requiredString, stringList } from "./input.js";
import { BATCH_ID, BATCH_MAX, DELAY_SECONDS_MAX, MESSAGE_SIZE_MAX, VISIBILITY_TIMEOUT_MAX, WAIT_TIME_MAX } from "./limits.js";
import { md5OfAttributes } from "./md5.js";
import { decodedAttributes, messageSize, type StoredAttributes } from "./message.js";
import type { Operation, OperationContext } from "./queue-operations.js";
import type { Queues, SentMessage } from "./queues.js";
import type { QueueRecord, ReceivedMessage } from "./store.js";

const DELAY_REASON = `DelaySeconds must be >= 0 and <= ${DELAY_SECONDS_MAX}.`;
const VISIBILITY_REASON = `VisibilityTimeout must be an integer between 0 and ${VISIBILITY_TIMEOUT_MAX}.`;

/** ReceiveMessage's system attributes (MessageSystemAttributeNames, or the older AttributeNames). */
const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
] as const;

function sentOutput(sent: SentMessage): Record<string, string> {
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfMessageBody,
    ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
    ...(sent.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes } : {}),
    ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}),
  };
}

/** One SendMessage request or SendMessageBatch entry. */
function send(queues: Queues, queue: QueueRecord, entry: Input): Record<string, string> {
  const delay = optionalInteger(entry, "DelaySeconds", 0, DELAY_SECONDS_MAX, DELAY_REASON);
  const message = queues.validate(queue, entry.MessageBody, entry.MessageAttributes, entry.MessageSystemAttributes);
  const ordering = orderingOf(queue.settings, entry, message.body);
  // A FIFO queue's own DelaySeconds applies to every message (orderingOf refuses another).
  return sentOutput(queues.enqueue(queue, message, queue.settings.FifoQueue ? undefined : delay, ordering));
}

const sendMessage: Operation = (input, { queues }) => send(queues, queues.queue(queueNameOf(input, queues.accountId)), input);

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

function failureOf(id: string, error: unknown): BatchFailure {
  if (!(error instanceof SqsError)) throw error;
  return { Id: id, SenderFault: error.fault === "Sender", Code: error.code, Message: error.message };
}

/** The checks every batch operation makes before touching any entry. */
function batchEntries(input: Input): Input[] {
  const entries = entriesOf(input, "Entries");
  if (entries.length === 0) throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
  if (entries.length > BATCH_MAX) {
    throw new SqsError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are ${BATCH_MAX}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== "string" || !BATCH_ID.test(id)) {
      throw new SqsError(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (ids.has(id)) throw new SqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

/** Each entry succeeds or fails on its own; the successful ones commit together. */
function eachEntry<T>(context: OperationContext, entries: Input[], fn: (entry: Input) => T): { Successful: T[]; Failed: BatchFailure[] } {
  const Successful: T[] = [];
  const Failed: BatchFailure[] = [];
  context.queues.transaction(() => {
    for (const entry of entries) {
      try {
        Successful.push(fn(entry));
      } catch (error) {
        Failed.push(failureOf(entry.Id as string, error));
      }
    }
  });
  return { Successful, Failed };
}

const sendMessageBatch: Operation = (input, context) => {
  const { queues } = context;
  const queue = queues.queue(queueNameOf(input, queues.accountId));
  const entries = batchEntries(input);
  // SQS limits the whole batch to the largest message size, whatever the queue's own maximum.
  const total = entries.reduce((sum, e) => {
    const body = typeof e.MessageBody === "string" ? e.MessageBody : "";
    const attributes =
      e.MessageAttributes && typeof e.MessageAttributes === "object" ? (e.MessageAttributes as StoredAttributes) : undefined;
    try {
      return sum + messageSize(body, attributes);
    } catch {
      return sum + Buffer.byteLength(body);
    }
  }, 0);
  if (total > MESSAGE_SIZE_MAX) {
    throw new SqsError(
      "BatchRequestTooLong",
      `Batch requests cannot be longer than ${MESSAGE_SIZE_MAX} bytes. You have sent ${total} bytes.`,
    );
  }
  return eachEntry(context, entries, (entry) => ({ Id: entry.Id as string, ...send(queues, queue, entry) }));
};

/** MessageAttributeNames: "All" or ".*", exact names, and prefixes written "name.*". */
function attributeFilter(names: string[]): (name: string) => boolean {
  if (names.some((n) => n === "All" || n === ".*")) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith(".*")));
  const prefixes = names.filter((n) => n.endsWith(".*")).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

function systemAttributesOf(message: ReceivedMessage, wanted: Set<string>, senderId: string): Record<string, string> {
  const all = wanted.has("All");
  const values: Record<(typeof SYSTEM_ATTRIBUTES)[number], string | undefined> = {
    SenderId: senderId,
    SentTimestamp: String(message.sent),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceive ?? message.sent),
    AWSTraceHeader: message.systemAttributes?.AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: message.deadLetterSource,
    MessageGroupId: message.groupId,
    MessageDeduplicationId: message.deduplicationId,
    SequenceNumber: message.sequenceNumber === undefined ? undefined : sequenceNumberText(message.sequenceNumber),
  };
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if ((all || wanted.has(name)) && value !== undefined) attributes[name] = value;
  }
  return attributes;
}

function messageOutput(message: ReceivedMessage, systemNames: Set<string>, userFilter: (name: string) => boolean, senderId: string) {
  const system = systemAttributesOf(message, systemNames, senderId);
  const user = Object.fromEntries(Object.entries(message.attributes ?? {}).filter(([name]) => userFilter(name)));
  const hasUser = Object.keys(user).length > 0;
  return {
    MessageId: message.id,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
    // The digest covers the attributes returned, so the client can check what it got.
    ...(hasUser ? { MessageAttributes: user, MD5OfMessageAttributes: md5OfAttributes(decodedAttributes(user)) } : {}),
  };
}

const receiveMessage: Operation = async (input, context) => {
  const { queues } = context;
  const name = queueNameOf(input, queues.accountId);
  const max = optionalInteger(input, "MaxNumberOfMessages", 1, BATCH_MAX, `Must be between 1 and ${BATCH_MAX}, if provided.`) ?? 1;
  const visibilityTimeout = optionalInteger(input, "VisibilityTimeout", 0, VISIBILITY_TIMEOUT_MAX, VISIBILITY_REASON);
  const waitTimeSeconds = optionalInteger(input, "WaitTimeSeconds", 0, WAIT_TIME_MAX, `Must be >= 0 and <= ${WAIT_TIME_MAX}, if provided.`);
  const systemNames = new Set([...stringList(input, "AttributeNames"), ...stringList(input, "MessageSystemAttributeNames")]);
  const userFilter = attributeFilter(stringList(input, "MessageAttributeNames"));
  const messages = await queues.receive(name, { maxNumberOfMessages: max, visibilityTimeout, waitTimeSeconds, signal: context.signal });
  return messages.length === 0 ? {} : { Messages: messages.map((m) => messageOutput(m, systemNames, userFilter, queues.accountId)) };
};

const deleteMessage: Operation = (input, { queues }) => {
  queues.deleteMessage(queueNameOf(input, queues.accountId), requiredString(input, "ReceiptHandle"));
  return {};
};

const deleteMessageBatch: Operation = (input, context) => {
  const name = queueNameOf(input, context.queues.accountId);
  context.queues.queue(name);
  return eachEntry(context, batchEntries(input), (entry) => {
    context.queues.deleteMessage(name, requiredString(entry, "ReceiptHandle"));
    return { Id: entry.Id as string };
  });
};

const changeMessageVisibility: Operation = (input, { queues }) => {
  const name = queueNameOf(input, queues.accountId);
  const handle = requiredString(input, "ReceiptHandle");
  const timeout = requiredInteger(input, "VisibilityTimeout", 0, VISIBILITY_TIMEOUT_MAX, VISIBILITY_REASON);
  queues.changeMessageVisibility(name, handle, timeout);
  return {};
};

const changeMessageVisibilityBatch: Operation = (input, context) => {
  const name = queueNameOf(input, context.queues.accountId);
  context.queues.queue(name);
  return eachEntry(context, batchEntries(input), (entry) => {
    const handle = requiredString(entry, "ReceiptHandle");
    const timeout = requiredInteger(entry, "VisibilityTimeout", 0, VISIBILITY_TIMEOUT_MAX, VISIBILITY_REASON);
    context.queues.changeMessageVisibility(name, handle, timeout);
    return { Id: entry.Id as string };
  });
};

export const MESSAGE_OPERATIONS: Record<string, Operation> = {
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
};
