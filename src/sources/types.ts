/** Event source mappings: a queue that drives a function, as Lambda's pollers do. */

export interface MappingSettings {
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** `ReportBatchItemFailures`: the handler names the messages that failed. */
  reportBatchItemFailures: boolean;
  /** FilterCriteria.Filters[].Pattern, as given (JSON text each). */
  filters: string[];
  /** ScalingConfig.MaximumConcurrency: batches in flight at once. */
  maximumConcurrency?: number;
}

export interface EventSourceMapping {
  uuid: string;
  functionName: string;
  qualifier?: string;
  eventSourceArn: string;
  settings: MappingSettings;
  enabled: boolean;
  /** Epoch seconds. */
  lastModified: number;
  lastProcessingResult: string;
}

/** Lambda's defaults for an SQS source. */
export const SQS_DEFAULT_BATCH = 10;
/** Without ScalingConfig, isolambda polls with at most this many batches in flight per mapping. */
export const DEFAULT_POLLERS = 5;

/** A received message as a poller batches and settles it. */
export interface PolledMessage {
  id: string;
  receiptHandle: string;
  body: string;
  /** FIFO queues: the message group, kept in order. */
  groupId?: string;
  /** The message as a record of Lambda's SQS event. */
  record: unknown;
}

/** The queues the pollers read and settle, by queue name: the built-in SQS service (src/sqs/event-source.ts). */
export interface QueueSource {
  arnOf(name: string): string;
  nameOfArn(arn: string): string | undefined;
  existsByArn(arn: string): boolean;
  createQueue(name: string, attributes: Record<string, string>): void;
  receive(name: string, options: { maxNumberOfMessages: number; waitTimeSeconds: number; signal: AbortSignal }): Promise<PolledMessage[]>;
  /** When the oldest message still in the queue was sent (epoch ms), for the backlog's age. */
  oldestSent(name: string): number | undefined;
  deleteMessage(name: string, receiptHandle: string): void;
  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeout: number): void;
  /** Runs `fn` in one transaction, so a batch is deleted all at once or not at all. */
  transaction<T>(fn: () => T): T;
}
