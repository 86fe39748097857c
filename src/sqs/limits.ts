/** SQS's quotas and defaults (Amazon SQS Developer Guide, "Amazon SQS quotas"; CreateQueue). */

export const QUEUE_NAME_MAX = 80;
/** VisibilityTimeout 0 to 12 hours, default 30 s. */
export const VISIBILITY_TIMEOUT_MAX = 43_200;
export const VISIBILITY_TIMEOUT_DEFAULT = 30;
/** DelaySeconds 0 to 15 minutes. */
export const DELAY_SECONDS_MAX = 900;
/** MessageRetentionPeriod 1 minute to 14 days, default 4 days. */
export const RETENTION_MIN = 60;
export const RETENTION_MAX = 1_209_600;
export const RETENTION_DEFAULT = 345_600;
/** MaximumMessageSize 1 KiB to 1 MiB, default 1 MiB (raised from 256 KiB in 2025). */
export const MESSAGE_SIZE_MIN = 1_024;
export const MESSAGE_SIZE_MAX = 1_048_576;
/** ReceiveMessageWaitTimeSeconds and WaitTimeSeconds: long polling up to 20 s. */
export const WAIT_TIME_MAX = 20;
/** RedrivePolicy maxReceiveCount 1 to 1000. */
export const MAX_RECEIVE_COUNT_MAX = 1_000;
/** ReceiveMessage MaxNumberOfMessages and every batch: up to 10 entries. */
export const BATCH_MAX = 10;
/** Batch entry Ids: up to 80 alphanumeric characters, hyphens and underscores. */
export const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** Up to 10 message attributes per message, names up to 256 characters. */
export const MESSAGE_ATTRIBUTES_MAX = 10;
export const ATTRIBUTE_NAME_MAX = 256;
/** ListQueues MaxResults 1 to 1000; without it SQS returns up to 1000 queues. */
export const LIST_QUEUES_MAX = 1_000;
/**
 * A request's body: a full batch (1 MiB of bodies and attributes) takes up to four times its size
 * in the query protocol (base64 binary attributes, then percent-escaped), with 256 KiB for the
 * parameter names and the rest.
 */
export const REQUEST_MAX_BYTES = 4 * MESSAGE_SIZE_MAX + 262_144;
