/**
 * Delivery of queued Event invocations. Each event is stored before the 202 (api), and removed
 * only in the transaction that records its outcome — destination messages included — so a crash
 * at any moment loses none: a restarted server resumes every stored event (an event that was in
 * flight at the crash runs again). Events of one function run in order of arrival; a throttled
 * event waits and is retried without counting as an attempt (Lambda retries throttled events until MaximumEventAgeInSeconds); a failed one is retried up
 * to MaximumRetryAttempts with growing delays, and one older than MaximumEventAgeInSeconds goes to
 * the failure path: the OnFailure destination, the dead-letter queue, and AsyncEventsDropped.
 */

import { parseFunctionArn } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import type { Outcome } from "../lambda/invoker.js";
import type { Metrics } from "../observe/metrics.js";
import type { Running, Service } from "../service.js";
import { type Condition, deadLetterAttributes, invocationRecord, type LastResponse } from "./records.js";
import {
  DEFAULT_MAX_EVENT_AGE_S,
  DEFAULT_MAX_RETRIES,
  type EventInvokeConfigStore,
  type EventQueue,
  type NewEvent,
  type QueuedEvent,
} from "./types.js";

export interface AsyncOptions {
  /** The first retry's delay; each further retry waits twice as long. Lambda: 1 minute, then 2. */
  retryBaseDelayMs: number;
  /** Event invocations running at once, over all functions. */
  maxDeliveries: number;
  /** Stored events beyond which an Event invoke is refused with 429 (Lambda refuses Event invokes its queue cannot absorb). */
  maxQueuedEvents: number;
}

export const DEFAULT_ASYNC_OPTIONS: AsyncOptions = { retryBaseDelayMs: 60_000, maxDeliveries: 64, maxQueuedEvents: 100_000 };

/** Where SQS destinations and dead-letter queues deliver: the built-in queues, inside the outcome's transaction. */
export interface QueueSink {
  sendByArn(queueArn: string, body: string, attributes?: Record<string, { DataType: string; StringValue?: string }>): unknown;
}

export interface DispatcherDeps {
  queue: EventQueue;
  configs: EventInvokeConfigStore;
  metrics: Metrics;
  /**
   * Resolves and runs the event's function. Admission happens before it returns, so `hasRoom`
   * sees the slot it took.
   */
  invoke(event: QueuedEvent, payload: string): Promise<Outcome>;
  /** Whether the function's concurrency has room for one more invocation now. */
  hasRoom(functionName: string): boolean;
  functionArn(name: string, qualifier: string): string;
  /** The dead-letter queue of the event's function version (DeadLetterConfig.TargetArn). */
  deadLetterTarget(event: QueuedEvent): string | undefined;
  queues?: QueueSink;
}

interface Lane {
  ready: QueuedEvent[];
  /** Its events being delivered now. */
  running: number;
  /** Epoch ms until which the function is throttled. */
  blockedUntil: number;
  backoffMs: number;
}

const THROTTLE_FIRST_MS = 50;
const THROTTLE_MAX_MS = 5000;
const SQS_ARN = /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;

export function isSupportedDestination(arn: string): boolean {
  return parseFunctionArn(arn) !== undefined || SQS_ARN.test(arn);
}

export class Dispatcher implements Service {
  readonly #lanes = new Map<string, Lane>();
  /** Events waiting for a retry, soonest first. */
  #delayed: QueuedEvent[] = [];
  #delayTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  /** The last outcome of events that failed before, for their destination record. */
  readonly #lastResponse = new Map<number, LastResponse>();
  #stored = 0;
  #running = 0;
  #pumpQueued = false;
  #closed = false;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly options: AsyncOptions = DEFAULT_ASYNC_OPTIONS,
  ) {}

  /** Resumes every stored event (after a restart, those in flight at the crash run again). */
  start(): Running {
    for (const event of this.deps.queue.all()) this.#schedule(event);
    this.#stored = this.deps.queue.size();
    this.#pumpSoon();
    return this;
  }

  /** Stores an Event invocation; once this returns, it will be delivered. */
  accept(event: NewEvent): QueuedEvent {
    if (this.#stored >= this.options.maxQueuedEvents) {
      throw new LambdaError(
        "TooManyRequestsException",
        `Too many events waiting for asynchronous invocation (limit ${this.options.maxQueuedEvents})`,
      );
    }
    const stored = this.deps.queue.add(event);
    this.#stored += 1;
    this.deps.metrics.asyncEventsReceived.inc({ function: event.functionName, resource: event.qualifier });
    this.#schedule(stored);
    this.#pumpSoon();
    return stored;
  }

  /** Events stored and not yet finished. */
  get depth(): number {
    return this.#stored;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#delayTimer);
    clearTimeout(this.#wakeTimer);
  }

  #lane(functionName: string): Lane {
    let lane = this.#lanes.get(functionName);
    if (lane === undefined) {
      lane = { ready: [], running: 0, blockedUntil: 0, backoffMs: THROTTLE_FIRST_MS };
      this.#lanes.set(functionName, lane);
    }
    return lane;
  }

  #schedule(event: QueuedEvent): void {
    if (event.due <= Date.now()) {
      this.#lane(event.functionName).ready.push(event);
      return;
    }
    const at = this.#delayed.findIndex((e) => e.due > event.due);
    this.#delayed.splice(at < 0 ? this.#delayed.length : at, 0, event);
    this.#armDelayTimer();
  }

  #armDelayTimer(): void {
    clearTimeout(this.#delayTimer);
    const next = this.#delayed[0];
    if (next === undefined || this.#closed) return;
    this.#delayTimer = setTimeout(
      () => {
        const now = Date.now();
        while (this.#delayed[0] !== undefined && this.#delayed[0].due <= now) {
          const event = this.#delayed.shift() as QueuedEvent;
          this.#lane(event.functionName).ready.push(event);
        }
        this.#armDelayTimer();
        this.#pumpSoon();
      },
      Math.max(0, next.due - Date.now()),
    );
  }

  #pumpSoon(): void {
    if (this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Starts events, one per function per round, so one busy function does not starve the others. */
  #pump(): void {
    const now = Date.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    let started = true;
    while (started && this.#running < this.options.maxDeliveries) {
      started = false;
      for (const [name, lane] of this.#lanes) {
        if (lane.ready.length === 0) {
          if (lane.blockedUntil <= now && lane.running === 0) this.#lanes.delete(name);
          continue;
        }
        if (lane.blockedUntil > now) {
          wakeAt = Math.min(wakeAt, lane.blockedUntil);
          continue;
        }
        if (!this.deps.hasRoom(name)) {
          // Throttled: one of its own deliveries ending wakes it; with none running, a backoff does.
          // Events that wait too long age out meanwhile, to the failure path (never dropped silently).
          this.#expire(lane, now);
          if (lane.running === 0 && lane.ready.length > 0) {
            this.#throttled(lane, lane.ready[0] as QueuedEvent);
            wakeAt = Math.min(wakeAt, lane.blockedUntil);
          }
          continue;
        }
        if (this.#running >= this.options.maxDeliveries) break;
        this.#deliver(lane.ready.shift() as QueuedEvent);
        started = true;
      }
    }
    clearTimeout(this.#wakeTimer);
    if (wakeAt < Number.POSITIVE_INFINITY && !this.#closed) this.#wakeTimer = setTimeout(() => this.#pump(), wakeAt - now);
  }

  #settings(event: QueuedEvent) {
    const config = this.deps.configs.get(event.functionName, event.qualifier);
    return {
      maxRetries: config?.maximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
      maxAgeMs: (config?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000,
      onSuccess: config?.onSuccess,
      onFailure: config?.onFailure,
    };
  }

  #deliver(event: QueuedEvent): void {
    const settings = this.#settings(event);
    const payload = this.deps.queue.payload(event.id);
    if (payload === undefined) return;
    const age = Date.now() - event.received;
    if (age > settings.maxAgeMs) {
      this.#finish(event, payload, "EventAgeExceeded", this.#lastResponse.get(event.id));
      return;
    }
    this.deps.metrics.asyncEventAge.observe({ function: event.functionName, resource: event.qualifier }, age);
    this.#running += 1;
    const lane = this.#lane(event.functionName);
    lane.running += 1;
    this.deps
      .invoke(event, payload)
      .then(
        (outcome) => {
          if (outcome.kind === "throttled" || outcome.kind === "not-found") {
            this.#refused(event, outcome);
            return;
          }
          const { result, executedVersion } = outcome.completed;
          lane.backoffMs = THROTTLE_FIRST_MS;
          const response: LastResponse = {
            executedVersion,
            functionError: result.functionError,
            payload: result.payload,
          };
          const attempts = event.attempts + 1;
          if (result.functionError === undefined) this.#finish({ ...event, attempts }, payload, "Success", response);
          else this.#failed(event, payload, attempts, response, settings.maxRetries);
        },
        (error: unknown) => this.#broken(event, payload, error),
      )
      .catch((error: unknown) => console.error(`isolambda: async event ${event.requestId} could not be recorded:`, error))
      .finally(() => {
        this.#running -= 1;
        lane.running -= 1;
        this.#pumpSoon();
      });
  }

  /** Sends the waiting events that are past their maximum age to the failure path. */
  #expire(lane: Lane, now: number): void {
    for (let i = 0; i < lane.ready.length; ) {
      const event = lane.ready[i] as QueuedEvent;
      const payload = now - event.received > this.#settings(event).maxAgeMs ? this.deps.queue.payload(event.id) : undefined;
      if (payload === undefined) {
        i += 1;
        continue;
      }
      lane.ready.splice(i, 1);
      this.#finish(event, payload, "EventAgeExceeded", this.#lastResponse.get(event.id));
    }
  }

  /** Waits before trying the function again, longer each time in a row; a throttle is not an attempt. */
  #throttled(lane: Lane, event: QueuedEvent): void {
    lane.blockedUntil = Date.now() + lane.backoffMs;
    lane.backoffMs = Math.min(lane.backoffMs * 2, THROTTLE_MAX_MS);
    this.deps.metrics.throttles.inc({ function: event.functionName, resource: event.qualifier });
  }

  #failed(event: QueuedEvent, payload: string, attempts: number, response: LastResponse, maxRetries: number): void {
    if (attempts > maxRetries) {
      this.#finish({ ...event, attempts }, payload, "RetriesExhausted", response);
      return;
    }
    const due = Date.now() + this.options.retryBaseDelayMs * 2 ** (attempts - 1);
    this.deps.queue.reschedule(event.id, attempts, due);
    this.#lastResponse.set(event.id, response);
    this.#schedule({ ...event, attempts, due });
  }

  /** The invocation did not run: throttled (wait, not an attempt), or its function is gone. */
  #refused(event: QueuedEvent, outcome: Extract<Outcome, { kind: "throttled" | "not-found" }>): void {
    if (outcome.kind === "throttled") {
      const lane = this.#lane(event.functionName);
      lane.ready.unshift(event);
      this.#throttled(lane, event);
      return;
    }
    console.error(`isolambda: async event ${event.requestId} dropped: ${outcome.message}`);
    this.deps.queue.remove(event.id);
    this.#stored -= 1;
    this.deps.metrics.asyncEventsDropped.inc({ function: event.functionName, resource: event.qualifier });
  }

  /** The invocation failed in isolambda itself: an attempt that failed, retried as a function error is. */
  #broken(event: QueuedEvent, payload: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const failure = { errorType: "ServiceException", errorMessage: message, trace: [] };
    const response = { executedVersion: event.qualifier, functionError: "Unhandled", payload: JSON.stringify(failure) };
    this.#failed(event, payload, event.attempts + 1, response, this.#settings(event).maxRetries);
  }

  /** Records the outcome: destination and dead-letter messages, and the event's removal, in one transaction. */
  #finish(event: QueuedEvent, payload: string, condition: Condition, response: LastResponse | undefined): void {
    const { onSuccess, onFailure } = this.#settings(event);
    const labels = { function: event.functionName, resource: event.qualifier };
    const destination = condition === "Success" ? onSuccess : onFailure;
    const deadLetter = condition === "Success" ? undefined : this.deps.deadLetterTarget(event);
    const followUps: QueuedEvent[] = [];
    this.deps.queue.transaction(() => {
      if (destination !== undefined) {
        const record = invocationRecord({
          requestId: event.requestId,
          functionArn: this.deps.functionArn(event.functionName, event.qualifier),
          condition,
          attempts: event.attempts,
          requestPayload: payload,
          response,
        });
        const sent = this.#send(destination, record);
        if (sent === false) this.deps.metrics.destinationDeliveryFailures.inc(labels);
        else if (sent !== true) followUps.push(sent);
      }
      if (deadLetter !== undefined && this.#send(deadLetter, payload, deadLetterAttributes(event.requestId, response)) === false) {
        this.deps.metrics.deadLetterErrors.inc(labels);
      }
      this.deps.queue.remove(event.id);
    });
    this.#stored += followUps.length - 1;
    this.#lastResponse.delete(event.id);
    if (condition !== "Success") this.deps.metrics.asyncEventsDropped.inc(labels);
    for (const next of followUps) this.#schedule(next);
  }

  /** Sends to a function (an async invocation, stored in this transaction) or a queue; false when it cannot. */
  #send(arn: string, body: string, attributes?: ReturnType<typeof deadLetterAttributes>): QueuedEvent | boolean {
    try {
      const lambda = parseFunctionArn(arn);
      if (lambda !== undefined) {
        return this.deps.queue.add({
          requestId: crypto.randomUUID(),
          functionName: lambda.name,
          qualifier: lambda.qualifier ?? "$LATEST",
          payload: body,
          received: Date.now(),
        });
      }
      if (SQS_ARN.test(arn) && this.deps.queues !== undefined) {
        this.deps.queues.sendByArn(arn, body, attributes);
        return true;
      }
      console.error(
        `isolambda: cannot deliver to ${arn}: ${SQS_ARN.test(arn) ? "queues are not available" : "not a function or queue ARN"}`,
      );
    } catch (error) {
      console.error(`isolambda: cannot deliver to ${arn}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return false;
  }
}
