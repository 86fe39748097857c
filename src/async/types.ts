/** The asynchronous invocation box's vocabulary: queued events, their settings, and the queue's interface. */

/** An Event invocation waiting for its outcome; its payload stays in the store until delivery. */
export interface QueuedEvent {
  id: number;
  requestId: string;
  functionName: string;
  /** As invoked: `$LATEST`, a version number or an alias. */
  qualifier: string;
  clientContext?: string;
  traceId?: string;
  /** Epoch milliseconds at which it was accepted. */
  received: number;
  /** Invocations made so far (Lambda's approximateInvokeCount). */
  attempts: number;
  /** Epoch milliseconds before which it waits (a retry's delay). */
  due: number;
}

export type NewEvent = Omit<QueuedEvent, "id" | "attempts" | "due"> & { payload: string };

/** Storage of queued events (SQLite by default; DESIGN.md: storage sits behind small interfaces). */
export interface EventQueue {
  /** Stores an event durably and returns it; call inside `transaction` to commit it with other writes. */
  add(event: NewEvent): QueuedEvent;
  payload(id: number): string | undefined;
  /** Records a failed attempt and when to try again. */
  reschedule(id: number, attempts: number, due: number): void;
  remove(id: number): void;
  /** Every stored event, in order of arrival: what a restarted server resumes. */
  all(): QueuedEvent[];
  size(): number;
  /** Runs `work` atomically: an outcome's deliveries and the event's removal commit together. */
  transaction<T>(work: () => T): T;
}

/** PutFunctionEventInvokeConfig's settings for one function and qualifier. */
export interface EventInvokeConfig {
  functionName: string;
  qualifier: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  /** Epoch seconds. */
  lastModified: number;
}

export interface EventInvokeConfigStore {
  put(config: Omit<EventInvokeConfig, "lastModified">): EventInvokeConfig;
  get(functionName: string, qualifier: string): EventInvokeConfig | undefined;
  list(functionName: string): EventInvokeConfig[];
  delete(functionName: string, qualifier: string): boolean;
  deleteAll(functionName: string): void;
}

/** Lambda's defaults: two retries, events kept six hours. */
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_EVENT_AGE_S = 21_600;
