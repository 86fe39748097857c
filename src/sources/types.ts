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
