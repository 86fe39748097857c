/** The SQS event as Lambda's poller builds it from a batch of received messages. */

import { sequenceNumberText } from "../async/sqs/fifo.js";
import { md5OfAttributes } from "../async/sqs/md5.js";
import { decodedAttributes } from "../async/sqs/message.js";
import type { ReceivedMessage } from "../async/sqs/store.js";

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

export function sqsRecord(message: ReceivedMessage, queueArn: string, region: string): SqsRecord {
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
