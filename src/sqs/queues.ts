/**
 * The built-in queues: SQS's standard and FIFO queue semantics over QueueStore, plus long
 * polling. The API (api.ts) translates the wire format; the async invocation box uses
 * `sendByArn` directly.
 */
import { randomUUID } from "node:crypto";
import type Sqlite from "better-sqlite3";
import type { Running, Service } from "../service.js";
import { queueDoesNotExist, SqsError } from "./errors.js";
import { DEDUPLICATION_INTERVAL_MS, deduplicationScope, type Ordering, orderingOf, sequenceNumberText } from "./fifo.js";
import { FifoStore } from "./fifo-store.js";
import { QUEUE_NAME_MAX } from "./limits.js";
import { type NewMessage, newMessage } from "./message.js";
import { applyAttributes, DEFAULT_SETTINGS, differingAttribute, type QueueLookup } from "./queue-attributes.js";
import { type MessageCounts, type QueueRecord, QueueStore, type ReceivedMessage, type Redrive } from "./store.js";

export interface QueuesOptions {
  region: string;
  accountId: string;
}

export interface SentMessage {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  /** FIFO queues. */
  sequenceNumber?: string;
}

export interface ReceiveOptions {
  maxNumberOfMessages: number;
  /** Seconds; the queue's VisibilityTimeout when undefined. */
  visibilityTimeout?: number;
  /** Seconds; the queue's ReceiveMessageWaitTimeSeconds when undefined. */
  waitTimeSeconds?: number;
  /** Ends a long poll early (the client went away). */
  signal?: AbortSignal;
}

export interface QueueMessageAttribute {
  DataType: string;
  StringValue?: string;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]+$/;
const FIFO_SUFFIX = ".fifo";

/**
 * CreateQueue's name rules: a FIFO queue (FifoQueue "true") has a name ending in .fifo, and only
 * a FIFO queue does (for a standard queue the dot is simply not allowed). The suffix counts
 * towards the 80 characters.
 */
function checkQueueName(name: string, fifo: boolean): void {
  const stem = fifo && name.endsWith(FIFO_SUFFIX) ? name.slice(0, -FIFO_SUFFIX.length) : name;
  if (stem.length > 0 && name.length <= QUEUE_NAME_MAX && QUEUE_NAME.test(stem) && (stem !== name || !fifo)) return;
  throw new SqsError(
    "InvalidParameterValue",
    fifo
      ? `The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to ${QUEUE_NAME_MAX} in length.`
      : `Can only include alphanumeric characters, hyphens, or underscores. 1 to ${QUEUE_NAME_MAX} in length`,
  );
}

export class Queues implements Service {
  readonly region: string;
  readonly accountId: string;
  readonly #store: QueueStore;
  readonly #fifo: FifoStore;
  /** Long polls waiting for a message, by queue name. */
  readonly #waiting = new Map<string, Set<() => void>>();
  #closed = false;

  constructor(db: Sqlite.Database, options: QueuesOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.#store = new QueueStore(db);
    this.#fifo = new FifoStore(db);
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** The queue name in an ARN of this region and account, else undefined. */
  nameOfArn(arn: string): string | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
  }

  queue(name: string): QueueRecord {
    const queue = this.#store.queue(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  existsByArn(arn: string): boolean {
    return this.#byArn(arn) !== undefined;
  }

  #byArn(arn: string): QueueRecord | undefined {
    const name = this.nameOfArn(arn);
    return name === undefined ? undefined : this.#store.queue(name);
  }

  readonly #settingsByArn: QueueLookup = (arn) => this.#byArn(arn)?.settings;

  /**
   * CreateQueue: idempotent for the same name and attributes; QueueNameExists when an attribute
   * given differs from the existing queue's.
   */
  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): QueueRecord {
    checkQueueName(name, attributes.FifoQueue === "true");
    return this.#store.transaction(() => {
      const existing = this.#store.queue(name);
      const settings = applyAttributes(existing?.settings ?? DEFAULT_SETTINGS, attributes, this.#settingsByArn, true);
      if (existing) {
        const differing = differingAttribute(existing.settings, settings, attributes);
        if (differing !== undefined) {
          throw new SqsError(
            "QueueNameExists",
            `A queue already exists with the same name and a different value for attribute ${differing}`,
          );
        }
        return existing;
      }
      this.#store.createQueue(name, settings, tags, nowSeconds());
      return this.queue(name);
    });
  }

  setQueueAttributes(name: string, attributes: Record<string, string>): void {
    this.#store.transaction(() => {
      const queue = this.queue(name);
      const settings = applyAttributes(queue.settings, attributes, this.#settingsByArn, false);
      if (settings.RedrivePolicy?.deadLetterTargetArn === this.arnOf(name)) {
        // Its own dead-letter queue would keep a message it can never deliver again.
        throw new SqsError(
          "InvalidAttributeValue",
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target cannot be the source queue.`,
        );
      }
      this.#store.updateSettings(name, settings, nowSeconds());
    });
    // A shorter delay or a new dead-letter target can make messages available sooner.
    this.#notify(name);
  }

  deleteQueue(name: string): void {
    if (!this.#store.deleteQueue(name)) throw queueDoesNotExist();
    this.#notify(name);
  }

  listQueues(prefix: string, after: string, limit: number): string[] {
    return this.#store.listQueues(prefix, after, limit);
  }

  counts(queue: QueueRecord): MessageCounts {
    return this.#store.counts(queue, Date.now());
  }

  purgeQueue(name: string): void {
    this.queue(name);
    this.#store.purge(name);
  }

  tags(name: string): Record<string, string> {
    this.queue(name);
    return this.#store.tags(name);
  }

  /** TagQueue and UntagQueue: `change` turns the current tags into the new ones. */
  changeTags(name: string, change: (tags: Record<string, string>) => Record<string, string>): void {
    this.#store.transaction(() => this.#store.setTags(name, change(this.tags(name))));
  }

  /** ListDeadLetterSourceQueues: the queues whose RedrivePolicy names this one. */
  deadLetterSources(name: string): string[] {
    this.queue(name);
    return this.#store.deadLetterSources(this.arnOf(name));
  }

  /** Validates a message for `queue` (size, characters, attributes) without sending it. */
  validate(queue: QueueRecord, body: unknown, attributes: unknown, systemAttributes: unknown): NewMessage {
    return newMessage(body, attributes, systemAttributes, queue.settings.MaximumMessageSize);
  }

  /**
   * Stores a validated message; `delaySeconds` overrides the queue's DelaySeconds. On a FIFO
   * queue a send whose deduplication id was delivered within the interval succeeds without
   * storing anything and answers the first send's MessageId and SequenceNumber.
   */
  enqueue(queue: QueueRecord, message: NewMessage, delaySeconds?: number, ordering: Ordering = {}): SentMessage {
    const digests = {
      md5OfMessageBody: message.md5OfBody,
      md5OfMessageAttributes: message.md5OfAttributes,
      md5OfMessageSystemAttributes: message.md5OfSystemAttributes,
    };
    const now = Date.now();
    const delay = delaySeconds ?? queue.settings.DelaySeconds;
    const { groupId, deduplicationId } = ordering;
    if (!queue.settings.FifoQueue) {
      const id = randomUUID();
      this.#store.insertMessage(queue.name, id, message, now, now + delay * 1000, { groupId });
      if (delay === 0) this.#notify(queue.name);
      return { messageId: id, ...digests };
    }
    if (groupId === undefined || deduplicationId === undefined) {
      throw new Error("a FIFO message needs the group and deduplication id orderingOf gives it");
    }
    const scope = deduplicationScope(queue.settings, groupId);
    const sent = this.#store.transaction(() => {
      const earlier = this.#fifo.delivered(queue.name, scope, deduplicationId, now);
      if (earlier) return earlier;
      const delivered = { messageId: randomUUID(), sequenceNumber: this.#fifo.nextSequence(queue.name) };
      this.#store.insertMessage(queue.name, delivered.messageId, message, now, now + delay * 1000, { ...ordering, ...delivered });
      this.#fifo.remember(queue.name, scope, deduplicationId, delivered, now + DEDUPLICATION_INTERVAL_MS);
      return delivered;
    });
    if (delay === 0) this.#notify(queue.name);
    return { messageId: sent.messageId, sequenceNumber: sequenceNumberText(sent.sequenceNumber), ...digests };
  }

  /**
   * Sends a message to the queue with this ARN, for Lambda destinations and dead-letter queues.
   * Synchronous on the shared connection, so it commits or rolls back with a transaction the
   * caller has open. Throws SqsError QueueDoesNotExist (or a validation error) otherwise.
   */
  sendByArn(queueArn: string, body: string, attributes?: Record<string, QueueMessageAttribute>): { messageId: string } {
    const name = this.nameOfArn(queueArn);
    const queue = name === undefined ? undefined : this.#store.queue(name);
    if (!queue) throw new SqsError("QueueDoesNotExist", `The specified queue does not exist: ${queueArn}`);
    // No MessageGroupId: a FIFO queue refuses these as SQS would (MissingParameter).
    const { messageId } = this.enqueue(
      queue,
      this.validate(queue, body, attributes, undefined),
      undefined,
      orderingOf(queue.settings, {}, body),
    );
    return { messageId };
  }

  /**
   * ReceiveMessage. With a wait time it answers as soon as at least one message is available,
   * or empty when the time is up (long polling); the wait ends early when the server closes.
   */
  async receive(name: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const initial = this.queue(name);
    const wait = options.waitTimeSeconds ?? initial.settings.ReceiveMessageWaitTimeSeconds;
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const messages = this.#receiveNow(name, options);
      const now = Date.now();
      if (messages.length > 0 || now >= deadline || this.#closed || options.signal?.aborted) return messages;
      const next = this.#store.nextVisibleAt(name, now);
      await this.#waitFor(name, Math.min(deadline, next ?? deadline) - now, options.signal);
    }
  }

  /** SentTimestamp of the queue's oldest message (in flight or not), or undefined when it has none. */
  oldestSent(name: string): number | undefined {
    return this.#store.oldestSent(name);
  }

  deleteMessage(name: string, receiptHandle: string): void {
    const queue = this.queue(name);
    this.#store.deleteMessage(name, receiptHandle);
    // Deleting a FIFO group's message in flight can free the rest of its group.
    if (queue.settings.FifoQueue) this.#notify(name);
  }

  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeout: number): void {
    this.queue(name);
    const now = Date.now();
    this.#store.changeVisibility(name, receiptHandle, now + visibilityTimeout * 1000, now);
    if (visibilityTimeout === 0) this.#notify(name);
  }

  /** Runs `fn` in one transaction on the shared connection (a savepoint inside another). */
  transaction<T>(fn: () => T): T {
    return this.#store.transaction(fn);
  }

  /** How many long polls wait on `name` now (for tests and diagnostics). */
  pollsWaiting(name: string): number {
    return this.#waiting.get(name)?.size ?? 0;
  }

  /**
   * The queues answer from the start (the API and the boxes that deliver to them use them); as a
   * service, SQS starts after the API's listener, so that closing it answers the long polls at once
   * before the listener waits for the requests it is answering.
   */
  start(): Running {
    return this;
  }

  /** Ends every long poll now (with what is there, usually nothing), so the server can close. */
  close(): void {
    this.#closed = true;
    for (const name of [...this.#waiting.keys()]) this.#notify(name);
  }

  #receiveNow(name: string, options: ReceiveOptions): ReceivedMessage[] {
    // Read the queue again each time: a long poll may outlive a SetQueueAttributes or DeleteQueue.
    const queue = this.queue(name);
    const visibility = options.visibilityTimeout ?? queue.settings.VisibilityTimeout;
    const { messages, moved } = this.#store.receive(
      queue,
      options.maxNumberOfMessages,
      visibility * 1000,
      Date.now(),
      this.#redriveOf(queue),
    );
    const target = moved ? queue.settings.RedrivePolicy && this.nameOfArn(queue.settings.RedrivePolicy.deadLetterTargetArn) : undefined;
    if (target) this.#notify(target);
    return messages;
  }

  #redriveOf(queue: QueueRecord): Redrive | undefined {
    const policy = queue.settings.RedrivePolicy;
    if (!policy) return undefined;
    const target = this.nameOfArn(policy.deadLetterTargetArn);
    return {
      maxReceiveCount: policy.maxReceiveCount,
      target: target !== undefined && this.#store.queue(target) ? target : undefined,
      sourceArn: this.arnOf(queue.name),
    };
  }

  #waitFor(name: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(name) ?? new Set<() => void>();
      this.#waiting.set(name, waiters);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiting.get(name) === waiters) this.#waiting.delete(name);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      waiters.add(done);
    });
  }

  /**
   * Wakes the long polls on `name`. Called from inside a caller's transaction too: the woken
   * polls run after the synchronous transaction has committed or rolled back.
   */
  #notify(name: string): void {
    const waiters = this.#waiting.get(name);
    if (!waiters) return;
    for (const wake of [...waiters]) wake();
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
