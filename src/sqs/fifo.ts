/**
 * What SendMessage takes for FIFO queues (Amazon SQS Developer Guide, "FIFO queue delivery
 * logic"): MessageGroupId on every message, a MessageDeduplicationId or content-based
 * deduplication, and no per-message delay. Standard queues take a MessageGroupId too (fair
 * queues) but no deduplication id.
 */
import { createHash } from "node:crypto";
import { invalidParameter, missingParameter, SqsError } from "./errors.js";
import { type Input, optionalString } from "./input.js";
import type { QueueSettings } from "./queue-attributes.js";

/** A message "sent successfully ... within the 5-minute deduplication interval" is not delivered again. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;

/** MessageGroupId and MessageDeduplicationId: 1 to 128 alphanumeric and punctuation characters. */
const ORDERING_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

const NOT_FOR_THIS_QUEUE_TYPE = "The request include parameter that is not valid for this queue type.";

export interface Ordering {
  groupId?: string;
  deduplicationId?: string;
}

function orderingId(input: Input, name: "MessageGroupId" | "MessageDeduplicationId"): string | undefined {
  const value = optionalString(input, name);
  if (value !== undefined && !ORDERING_ID.test(value)) {
    throw invalidParameter(name, value, `${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  return value;
}

/**
 * The group and deduplication id of a SendMessage request or batch entry, checked against the
 * queue's type. Content-based deduplication hashes the body alone, not its attributes, with SHA-256.
 */
export function orderingOf(settings: QueueSettings, input: Input, body: string): Ordering {
  const groupId = orderingId(input, "MessageGroupId");
  const given = orderingId(input, "MessageDeduplicationId");
  if (settings.FifoQueue !== true) {
    if (given !== undefined) throw invalidParameter("MessageDeduplicationId", given, NOT_FOR_THIS_QUEUE_TYPE);
    return { groupId };
  }
  // FIFO queues delay whole queues only; an explicit 0 asks for nothing and passes.
  const delay = input.DelaySeconds;
  if (delay !== undefined && delay !== null && delay !== 0) throw invalidParameter("DelaySeconds", delay, NOT_FOR_THIS_QUEUE_TYPE);
  if (groupId === undefined) throw missingParameter("MessageGroupId");
  if (given !== undefined) return { groupId, deduplicationId: given };
  if (!settings.ContentBasedDeduplication) {
    throw new SqsError(
      "InvalidParameterValue",
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );
  }
  return { groupId, deduplicationId: createHash("sha256").update(body).digest("hex") };
}

/** Where a deduplication id is unique: the whole queue, or its message group (DeduplicationScope). */
export function deduplicationScope(settings: QueueSettings, groupId: string): string {
  return settings.DeduplicationScope === "messageGroup" ? groupId : "";
}

/**
 * SequenceNumber as SQS writes it: a 20-digit decimal. A fixed width keeps string order and
 * numeric order the same for clients that compare either way.
 */
export function sequenceNumberText(sequence: number): string {
  return (10n ** 19n + BigInt(sequence)).toString();
}
