/**
 * The SQS error names the built-in queues return. SQS speaks AWS JSON 1.0 in "query compatible"
 * mode: the body carries the Smithy shape (`{"__type": "com.amazonaws.sqs#QueueDoesNotExist",
 * "message": ...}`) and the `x-amzn-query-error` header the legacy query code and fault
 * (`AWS.SimpleQueueService.NonExistentQueue;Sender`). @aws-sdk/client-sqs picks the exception
 * class from that header first, so both must agree with the SDK's model.
 */

/** Shape name → [query error code, HTTP status], as @aws-sdk/client-sqs's model declares them. */
const ERRORS = {
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  QueueNameExists: ["QueueAlreadyExists", 400],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  InvalidAttributeName: ["InvalidAttributeName", 400],
  InvalidAttributeValue: ["InvalidAttributeValue", 400],
  InvalidMessageContents: ["InvalidMessageContents", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  InvalidBatchEntryId: ["AWS.SimpleQueueService.InvalidBatchEntryId", 400],
  BatchRequestTooLong: ["AWS.SimpleQueueService.BatchRequestTooLong", 400],
  UnsupportedOperation: ["AWS.SimpleQueueService.UnsupportedOperation", 400],
  InvalidAddress: ["InvalidAddress", 404],
  // SQS's common errors: not in the model, so the SDK raises its base SQSServiceException with
  // `name` set to the code.
  InvalidParameterValue: ["InvalidParameterValue", 400],
  MissingParameter: ["MissingParameter", 400],
  InvalidAction: ["InvalidAction", 400],
  InternalFailure: ["InternalFailure", 500],
} as const;

export type SqsErrorName = keyof typeof ERRORS;

export class SqsError extends Error {
  constructor(
    readonly code: SqsErrorName,
    message: string,
  ) {
    super(message);
    this.name = code;
  }

  get status(): number {
    return ERRORS[this.code][1];
  }

  /** Sender for the client's mistakes, Receiver for ours (the query protocol's fault). */
  get fault(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }

  get queryCode(): string {
    return ERRORS[this.code][0];
  }
}

export function queueDoesNotExist(): SqsError {
  return new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
}

/** SQS's wording for a bad request parameter: "Value X for parameter Y is invalid. Reason: Z." */
export function invalidParameter(name: string, value: unknown, reason: string): SqsError {
  return new SqsError("InvalidParameterValue", `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function missingParameter(name: string): SqsError {
  return new SqsError("MissingParameter", `The request must contain the parameter ${name}.`);
}

export function sqsErrorResponse(error: unknown, requestId: string): Response {
  const sqs = error instanceof SqsError ? error : new SqsError("InternalFailure", "We encountered an internal error. Please try again.");
  return new Response(JSON.stringify({ __type: `com.amazonaws.sqs#${sqs.code}`, message: sqs.message }), {
    status: sqs.status,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-query-error": `${sqs.queryCode};${sqs.fault}`,
      "x-amzn-RequestId": requestId,
    },
  });
}
