/**
 * The queues as the event source pollers read them (src/sources), each received message with its
 * record in the SQS event as Lambda's poller builds it.
 */

import type { PolledMessage, QueueSource } from "../sources/types.js";
import { sequenceNumberText } from "./fifo.js";
import { md5OfAttributes } from "./md5.js";
import { decodedAttributes } from "./message.js";
import type { Queues } from "./queues.js";
import type { ReceivedMessage } from "./store.js";

/** Lambda reports the sender of messages sent from inside the account as its own principal. */
const SENDER_ID = "AIDAISOLAMBDALOCAL000";

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    { stringValue?: string; binaryValue?: string; stringListValues: []; binaryListValues: []; dataType: string }
  >;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

function sqsRecord(message: ReceivedMessage, queueArn: string, region: string): SqsRecord {
  // In the order of Lambda's FIFO example event; the FIFO fields only when the message has them.
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sent),
    ...(message.sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumberText(message.sequenceNumber) }),
    ...(message.groupId === undefined ? {} : { MessageGroupId: message.groupId }),
    SenderId: SENDER_ID,
    ...(message.deduplicationId === undefined ? {} : { MessageDeduplicationId: message.deduplicationId }),
    ApproximateFirstReceiveTimestamp: String(message.firstReceive ?? message.sent),
  };
  const trace = message.systemAttributes?.AWSTraceHeader?.StringValue;
  if (trace !== undefined) attributes.AWSTraceHeader = trace;
  const user = message.attributes ?? {};
  const messageAttributes = Object.fromEntries(
    Object.entries(user).map(([name, a]) => [
      name,
      {
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
        stringListValues: [] as [],
        binaryListValues: [] as [],
        dataType: a.DataType,
      },
    ]),
  );
  const record: SqsRecord = {
    messageId: message.id,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (Object.keys(user).length > 0) record.md5OfMessageAttributes = md5OfAttributes(decodedAttributes(user));
  return record;
}

export class SqsEventSource implements QueueSource {
  constructor(
    private readonly queues: Queues,
    private readonly region: string,
  ) {}

  arnOf(name: string): string {
    return this.queues.arnOf(name);
  }

  nameOfArn(arn: string): string | undefined {
    return this.queues.nameOfArn(arn);
  }

  existsByArn(arn: string): boolean {
    return this.queues.existsByArn(arn);
  }

  createQueue(name: string, attributes: Record<string, string>): void {
    this.queues.createQueue(name, attributes);
  }

  async receive(
    name: string,
    options: { maxNumberOfMessages: number; waitTimeSeconds: number; signal: AbortSignal },
  ): Promise<PolledMessage[]> {
    const received = await this.queues.receive(name, options);
    const arn = this.queues.arnOf(name);
    return received.map((message) => ({
      id: message.id,
      receiptHandle: message.receiptHandle,
      body: message.body,
      groupId: message.groupId,
      record: sqsRecord(message, arn, this.region),
    }));
  }

  oldestSent(name: string): number | undefined {
    return this.queues.oldestSent(name);
  }

  deleteMessage(name: string, receiptHandle: string): void {
    this.queues.deleteMessage(name, receiptHandle);
  }

  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeout: number): void {
    this.queues.changeMessageVisibility(name, receiptHandle, visibilityTimeout);
  }

  transaction<T>(fn: () => T): T {
    return this.queues.transaction(fn);
  }
}
