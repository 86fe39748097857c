/**
 * What a destination receives: Lambda's invocation record for OnSuccess / OnFailure, and the
 * message a dead-letter queue gets (the original event with error attributes).
 */
import type { FunctionError } from "../sandbox/index.js";

export type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

/** The last invocation's outcome; absent when the event was never invoked (it aged out while throttled). */
export interface LastResponse {
  executedVersion: string;
  functionError?: string;
  payload: string;
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

export function invocationRecord(input: {
  requestId: string;
  functionArn: string;
  condition: Condition;
  attempts: number;
  requestPayload: string;
  response?: LastResponse;
}): string {
  const record: Record<string, unknown> = {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.attempts,
    },
    requestPayload: parsed(input.requestPayload),
  };
  if (input.response !== undefined) {
    const responseContext: Record<string, unknown> = { statusCode: 200, executedVersion: input.response.executedVersion };
    if (input.response.functionError !== undefined) responseContext.functionError = input.response.functionError;
    record.responseContext = responseContext;
    record.responsePayload = parsed(input.response.payload);
  }
  return JSON.stringify(record);
}

/** Lambda's DLQ message attributes: RequestID, ErrorCode (the status code) and ErrorMessage (first 1 KB). */
export function deadLetterAttributes(requestId: string, response: LastResponse | undefined) {
  let message = "Event age exceeded";
  if (response?.functionError !== undefined) {
    try {
      message = (JSON.parse(response.payload) as FunctionError).errorMessage;
    } catch {
      message = response.payload;
    }
  }
  // SQS refuses characters outside XML's set; an error message may hold any.
  const printable = message.slice(0, 1024).replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
  return {
    RequestID: { DataType: "String", StringValue: requestId },
    ErrorCode: { DataType: "Number", StringValue: "200" },
    ErrorMessage: { DataType: "String", StringValue: printable },
  };
}
