/**
 * The one place a LambdaError becomes the wire shape the AWS SDKs parse: status,
 * `x-amzn-ErrorType`, and `{"Type": "User", "message": ...}`.
 */
import { LambdaError } from "../lambda/errors.js";

/** An error as the API answers it: status, headers and the JSON body the SDKs parse. */
export function errorAnswer(error: unknown, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  const aws = error instanceof LambdaError ? error : new LambdaError("ServiceException", "An internal error occurred.");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-amzn-ErrorType": aws.code,
    "x-amzn-RequestId": requestId,
  };
  // A body refused as too large is left unread: the connection can carry no other request.
  if (aws.code === "RequestEntityTooLargeException") headers.connection = "close";
  return {
    status: aws.status,
    headers,
    body: JSON.stringify({ Type: aws.status >= 500 ? "Service" : "User", message: aws.message, ...aws.fields }),
  };
}

export function errorResponse(error: unknown, requestId: string): Response {
  const { status, headers, body } = errorAnswer(error, requestId);
  return new Response(body, { status, headers });
}
