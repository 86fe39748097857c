/**
 * Queue attributes: what CreateQueue and SetQueueAttributes accept, with SQS's ranges and
 * errors, and what GetQueueAttributes reports.
 */
import { SqsError } from "./errors.js";
import {
  DELAY_SECONDS_MAX,
  MAX_RECEIVE_COUNT_MAX,
  MESSAGE_SIZE_MAX,
  MESSAGE_SIZE_MIN,
  RETENTION_DEFAULT,
  RETENTION_MAX,
  RETENTION_MIN,
  VISIBILITY_TIMEOUT_DEFAULT,
  VISIBILITY_TIMEOUT_MAX,
  WAIT_TIME_MAX,
} from "./limits.js";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** The settable attributes of a queue, as stored. */
export interface QueueSettings {
  VisibilityTimeout: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  RedrivePolicy?: RedrivePolicy;
  /** Kept and reported, never enforced: isolambda accepts any caller. */
  Policy?: string;
  RedriveAllowPolicy?: string;
  SqsManagedSseEnabled?: string;
  /** FIFO queues only (set at creation, never changed), with the attributes below. */
  FifoQueue?: true;
  ContentBasedDeduplication?: boolean;
  DeduplicationScope?: "queue" | "messageGroup";
  /** Kept and reported: isolambda has no throughput quota to apply it to. */
  FifoThroughputLimit?: "perQueue" | "perMessageGroupId";
}

/** What a new FIFO queue has unless CreateQueue says otherwise. */
const FIFO_DEFAULTS = {
  FifoQueue: true,
  ContentBasedDeduplication: false,
  DeduplicationScope: "queue",
  FifoThroughputLimit: "perQueue",
} as const satisfies Partial<QueueSettings>;

export const DEFAULT_SETTINGS: QueueSettings = {
  VisibilityTimeout: VISIBILITY_TIMEOUT_DEFAULT,
  MaximumMessageSize: MESSAGE_SIZE_MAX,
  MessageRetentionPeriod: RETENTION_DEFAULT,
  DelaySeconds: 0,
  ReceiveMessageWaitTimeSeconds: 0,
};

const INTEGER_RANGES = {
  VisibilityTimeout: [0, VISIBILITY_TIMEOUT_MAX],
  MaximumMessageSize: [MESSAGE_SIZE_MIN, MESSAGE_SIZE_MAX],
  MessageRetentionPeriod: [RETENTION_MIN, RETENTION_MAX],
  DelaySeconds: [0, DELAY_SECONDS_MAX],
  ReceiveMessageWaitTimeSeconds: [0, WAIT_TIME_MAX],
} as const;

/** Attributes GetQueueAttributes knows; the settable ones are a subset. */
export const READABLE_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
  "VisibilityTimeout",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "DelaySeconds",
  "ReceiveMessageWaitTimeSeconds",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "Policy",
  "SqsManagedSseEnabled",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
] as const;

export type ReadableAttribute = (typeof READABLE_ATTRIBUTES)[number];

function isInteger(name: keyof typeof INTEGER_RANGES, raw: string): number {
  const [min, max] = INTEGER_RANGES[name];
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new SqsError(
      "InvalidAttributeValue",
      `Invalid value for the parameter ${name}. Reason: must be an integer from ${min} to ${max}.`,
    );
  }
  return n;
}

/** Finds another queue by ARN (a dead-letter target): its settings, or undefined when there is none. */
export type QueueLookup = (arn: string) => QueueSettings | undefined;

function redrivePolicyOf(raw: string, fifo: boolean, queueOf: QueueLookup): RedrivePolicy | undefined {
  // SetQueueAttributes with an empty RedrivePolicy removes it.
  if (raw.trim() === "") return undefined;
  const invalid = (reason: string) =>
    new SqsError("InvalidAttributeValue", `Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid("Redrive policy is not a valid JSON map.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("Redrive policy is not a valid JSON map.");
  const { deadLetterTargetArn, maxReceiveCount, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalid(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  if (typeof deadLetterTargetArn !== "string" || deadLetterTargetArn === "")
    throw invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (maxReceiveCount === undefined) throw invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  const count =
    typeof maxReceiveCount === "number" ? maxReceiveCount : /^\d+$/.test(String(maxReceiveCount)) ? Number(maxReceiveCount) : Number.NaN;
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_RECEIVE_COUNT_MAX)) {
    throw invalid(
      `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to ${MAX_RECEIVE_COUNT_MAX} both inclusive.`,
    );
  }
  const target = queueOf(deadLetterTargetArn);
  if (!target) throw invalid("Dead letter target does not exist.");
  // SQS: "The dead-letter queue of a FIFO queue must also be a FIFO queue", and a standard one's a standard queue.
  if ((target.FifoQueue === true) !== fifo) {
    throw invalid(`The dead-letter queue of a ${fifo ? "FIFO" : "standard"} queue must also be a ${fifo ? "FIFO" : "standard"} queue.`);
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

function oneOf<const T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new SqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}. Reason: must be one of ${allowed.join(", ")}.`);
  }
  return value as T;
}

/**
 * Applies the wire attributes of CreateQueue (`creating`) or SetQueueAttributes to `base`.
 * `queueOf` finds a dead-letter target: SQS refuses a RedrivePolicy naming a queue that does not
 * exist, or one of the other type.
 */
export function applyAttributes(base: QueueSettings, raw: Record<string, string>, queueOf: QueueLookup, creating: boolean): QueueSettings {
  const fifo = base.FifoQueue === true || (creating && raw.FifoQueue === "true");
  const settings: QueueSettings = fifo ? { ...FIFO_DEFAULTS, ...base } : { ...base };
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "string") throw new SqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
    switch (name) {
      case "VisibilityTimeout":
      case "MaximumMessageSize":
      case "MessageRetentionPeriod":
      case "DelaySeconds":
      case "ReceiveMessageWaitTimeSeconds":
        settings[name] = isInteger(name, value);
        break;
      case "RedrivePolicy": {
        const policy = redrivePolicyOf(value, fifo, queueOf);
        if (policy) settings.RedrivePolicy = policy;
        else delete settings.RedrivePolicy;
        break;
      }
      case "Policy":
      case "RedriveAllowPolicy":
        if (value === "") delete settings[name];
        else settings[name] = value;
        break;
      case "SqsManagedSseEnabled":
        settings[name] = oneOf(name, value, ["true", "false"]);
        break;
      case "FifoQueue":
        // The queue's type is chosen once, by CreateQueue (which checks it against the name).
        if (!creating) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
        oneOf(name, value, ["true", "false"]);
        break;
      case "ContentBasedDeduplication":
      case "DeduplicationScope":
      case "FifoThroughputLimit":
        // Standard queues do not know the FIFO attributes.
        if (!fifo) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
        if (name === "ContentBasedDeduplication") settings[name] = oneOf(name, value, ["true", "false"]) === "true";
        else if (name === "DeduplicationScope") settings[name] = oneOf(name, value, ["queue", "messageGroup"]);
        else settings[name] = oneOf(name, value, ["perQueue", "perMessageGroupId"]);
        break;
      default:
        throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  return settings;
}

/** The attribute's value as GetQueueAttributes prints it; undefined when the queue has none. */
export function settingText(settings: QueueSettings, name: keyof QueueSettings): string | undefined {
  const value = settings[name];
  if (value === undefined) return undefined;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Whether CreateQueue's attributes for an existing queue differ from what it has (QueueNameExists). */
export function differingAttribute(existing: QueueSettings, requested: QueueSettings, raw: Record<string, string>): string | undefined {
  return Object.keys(raw).find((name) => {
    const key = name as keyof QueueSettings;
    return settingText(existing, key) !== settingText(requested, key);
  });
}
