/**
 * The built-in SQS-compatible queues: `Queues` (the store and semantics, with `sendByArn` for
 * Lambda destinations and dead-letter queues) and `mountSqs` (the AWS JSON API on the server).
 */
export { mountSqs } from "./api.js";
export { SqsError, type SqsErrorName } from "./errors.js";
export { SqsEventSource } from "./event-source.js";
export { type QueueMessageAttribute, Queues, type QueuesOptions, type SentMessage } from "./queues.js";
