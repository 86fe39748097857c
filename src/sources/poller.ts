/**
 * Lambda's SQS poller for one event source mapping: collects batches (BatchSize, the batching
 * window), invokes the function synchronously, and settles the batch as Lambda does: success
 * deletes it; a function error leaves it to reappear after the visibility timeout (the queue's
 * redrive policy moves a poison message to its DLQ); with ReportBatchItemFailures only the named
 * messages stay, and a malformed answer fails the whole batch; a throttled batch goes back at
 * once and the poller backs off. Pollers grow with the backlog, up to MaximumConcurrency.
 *
 * FIFO queues keep each message group in order by themselves: a group with messages in flight
 * (one batch, being handled or failed and waiting out its visibility timeout) yields no more, so
 * each group has at most one batch in flight, as with Lambda.
 */

import type { Completed, Outcome } from "../lambda/invoker.js";
import type { Metrics } from "../observe/metrics.js";
import { RESPONSE_MAX_BYTES } from "../sandbox/index.js";
import { filterView, parsePatterns, patternMatches } from "./filter.js";
import { DEFAULT_POLLERS, type EventSourceMapping, type PolledMessage, type QueueSource } from "./types.js";

export interface PollerDeps {
  queues: QueueSource;
  metrics: Metrics;
  invoke(mapping: EventSourceMapping, event: string): Promise<Outcome>;
  recordResult(uuid: string, result: string): void;
}

/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;
/** A receive waits this long for a first message, so a stopped poller notices within it. */
const POLL_WAIT_S = 1;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export class MappingPoller {
  readonly #abort = new AbortController();
  readonly #queue: string;
  readonly #filters: Array<Record<string, unknown>>;
  readonly #fifo: boolean;
  readonly #labels: { mapping: string; function: string };
  #loops = 0;
  #backoffMs = BACKOFF_FIRST_MS;

  constructor(
    readonly mapping: EventSourceMapping,
    private readonly deps: PollerDeps,
  ) {
    this.#queue = deps.queues.nameOfArn(mapping.eventSourceArn) ?? "";
    this.#filters = parsePatterns(mapping.settings.filters);
    // Only a FIFO queue's name ends in .fifo (CreateQueue enforces it).
    this.#fifo = this.#queue.endsWith(".fifo");
    this.#labels = { mapping: mapping.uuid, function: mapping.functionName };
  }

  get #maxLoops(): number {
    return this.mapping.settings.maximumConcurrency ?? DEFAULT_POLLERS;
  }

  start(): void {
    this.#spawn();
  }

  stop(): void {
    this.#abort.abort();
    this.deps.metrics.sourceOldestMessageAge.remove(this.#labels);
  }

  #spawn(): void {
    if (this.#loops >= this.#maxLoops || this.#abort.signal.aborted) return;
    this.#loops += 1;
    void this.#loop()
      .catch((error: unknown) => console.error(`isolambda: event source mapping ${this.mapping.uuid} stopped polling:`, error))
      .finally(() => {
        this.#loops -= 1;
      });
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let batch: PolledMessage[];
      try {
        batch = await this.#collect(signal);
        this.#recordOldestAge(signal);
      } catch (error) {
        this.deps.recordResult(this.mapping.uuid, `PROBLEM: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(this.#backoff(), signal);
        continue;
      }
      if (batch.length === 0) {
        // An idle extra poller retires; the first one keeps polling.
        if (this.#loops > 1) return;
        continue;
      }
      if (batch.length >= Math.min(this.mapping.settings.batchSize, RECEIVE_MAX)) this.#spawn();
      await this.#process(batch, signal);
    }
  }

  #recordOldestAge(signal: AbortSignal): void {
    if (signal.aborted) return;
    const sent = this.deps.queues.oldestSent(this.#queue);
    this.deps.metrics.sourceOldestMessageAge.set(this.#labels, sent === undefined ? 0 : Math.max(0, Date.now() - sent) / 1000);
  }

  #backoff(): number {
    const ms = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, BACKOFF_MAX_MS);
    return ms;
  }

  /** A batch: full, or the batching window over, or close to Invoke's 6 MB payload limit. */
  async #collect(signal: AbortSignal): Promise<PolledMessage[]> {
    const { batchSize, maximumBatchingWindowInSeconds } = this.mapping.settings;
    const batch: PolledMessage[] = [];
    let bytes = 0;
    let windowEnds = Number.POSITIVE_INFINITY;
    while (batch.length < batchSize && !signal.aborted) {
      const now = Date.now();
      if (batch.length > 0 && now >= windowEnds) break;
      const waitSeconds = batch.length === 0 ? POLL_WAIT_S : Math.max(0, Math.min(POLL_WAIT_S, Math.ceil((windowEnds - now) / 1000)));
      const received = await this.deps.queues.receive(this.#queue, {
        maxNumberOfMessages: Math.min(RECEIVE_MAX, batchSize - batch.length),
        waitTimeSeconds: waitSeconds,
        signal,
      });
      if (batch.length === 0 && received.length > 0) windowEnds = Date.now() + maximumBatchingWindowInSeconds * 1000;
      for (const message of received) {
        batch.push(message);
        bytes += Buffer.byteLength(message.body) + 1024;
      }
      if (batch.length === 0) return batch;
      // Without a window, a batch is what the queue has now.
      if (maximumBatchingWindowInSeconds === 0 && received.length < RECEIVE_MAX) break;
      if (bytes > RESPONSE_MAX_BYTES - 256 * 1024) break;
    }
    return batch;
  }

  async #process(received: PolledMessage[], signal: AbortSignal): Promise<void> {
    const { uuid, functionName } = this.mapping;
    const labels = this.#labels;
    this.deps.metrics.sourceMessagesReceived.inc(labels, received.length);
    let records = received.map((message) => message.record);
    let batch = received;
    if (this.#filters.length > 0) {
      // As Lambda does: a message no filter matches is deleted without an invocation.
      const keep = records.map((record) =>
        this.#filters.some((pattern) => patternMatches(pattern, filterView(record as unknown as { body: string }))),
      );
      const dropped = received.filter((_, i) => !keep[i]);
      if (dropped.length > 0) {
        this.deps.metrics.sourceMessagesFiltered.inc(labels, dropped.length);
        this.deps.queues.transaction(() => {
          for (const message of dropped) this.deps.queues.deleteMessage(this.#queue, message.receiptHandle);
        });
      }
      batch = received.filter((_, i) => keep[i]);
      records = records.filter((_, i) => keep[i]);
      if (batch.length === 0) return;
    }
    let completed: Completed | undefined;
    let problem = "";
    try {
      const outcome = await this.deps.invoke(this.mapping, JSON.stringify({ Records: records }));
      if (outcome.kind === "throttled") problem = "throttled";
      else if (outcome.kind === "not-found") problem = outcome.message;
      else completed = outcome.completed;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (completed === undefined) {
      // Throttled, gone or failed before it ran: the batch goes back to the queue at once, untouched, and the poller waits.
      this.#release(batch);
      this.deps.recordResult(uuid, `PROBLEM: ${problem}`);
      await sleep(this.#backoff(), signal);
      return;
    }
    this.#backoffMs = BACKOFF_FIRST_MS;
    this.deps.metrics.sourceBatchesInvoked.inc(labels);
    const { result } = completed;
    if (result.functionError !== undefined) {
      this.deps.metrics.sourceBatchItemFailures.inc(labels, batch.length);
      this.deps.recordResult(uuid, "PROBLEM: Function call failed");
      return;
    }
    const reported = this.mapping.settings.reportBatchItemFailures ? failedItems(result.payload, batch) : new Set<string>();
    const failed = reported && this.#fifo ? withRestOfGroups(reported, batch) : reported;
    if (failed === undefined) {
      console.error(
        `isolambda: ${functionName} answered a malformed batchItemFailures: the whole batch of ${batch.length} stays in the queue`,
      );
      this.deps.metrics.sourceBatchItemFailures.inc(labels, batch.length);
      this.deps.recordResult(uuid, "PROBLEM: Function response was malformed");
      return;
    }
    this.deps.metrics.sourceBatchItemFailures.inc(labels, failed.size);
    this.deps.queues.transaction(() => {
      for (const message of batch) if (!failed.has(message.id)) this.deps.queues.deleteMessage(this.#queue, message.receiptHandle);
    });
    this.deps.recordResult(uuid, "OK");
  }

  #release(batch: PolledMessage[]): void {
    try {
      for (const message of batch) this.deps.queues.changeMessageVisibility(this.#queue, message.receiptHandle, 0);
    } catch {
      // The queue went away; its messages with it.
    }
  }
}

/**
 * Lambda on FIFO queues: a function "should stop processing messages after the first failure and
 * return all failed and unprocessed messages in batchItemFailures" to keep the order. When it
 * names fewer, the messages of a group after its first failure count as failed too: deleting them
 * would let them overtake the one that failed.
 */
export function withRestOfGroups(failed: Set<string>, batch: PolledMessage[]): Set<string> {
  const stopped = new Set<string | undefined>();
  const held = new Set(failed);
  for (const message of batch) {
    if (stopped.has(message.groupId)) held.add(message.id);
    else if (failed.has(message.id)) stopped.add(message.groupId);
  }
  return held;
}

/**
 * The ids a ReportBatchItemFailures answer names, or undefined when it is malformed (Lambda then
 * fails the whole batch): null, {}, or an empty list mean every message succeeded.
 */
export function failedItems(payload: string, batch: PolledMessage[]): Set<string> | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (answer === null || typeof answer !== "object") return answer === null ? new Set() : undefined;
  const failures = (answer as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set(batch.map((message) => message.id));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || !ids.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}
