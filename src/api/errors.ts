/**
 * The AWS error names the Lambda API returns, each with its HTTP status. Handlers throw them; one
 * place turns them into the wire shape the AWS SDKs parse: status, `x-amzn-ErrorType`, and
 * `{"Type": "User", "message": ...}`.
 */

const STATUS = {
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ProvisionedConcurrencyConfigNotFoundException: 404,
  ResourceConflictException: 409,
  PreconditionFailedException: 412,
  RequestTooLargeException: 413,
  RequestEntityTooLargeException: 413,
  CodeStorageExceededException: 400,
  UnsupportedMediaTypeException: 415,
  TooManyRequestsException: 429,
  ServiceException: 500,
} as const;

export type AwsErrorName = keyof typeof STATUS;

export class AwsError extends Error {
  readonly status: (typeof STATUS)[AwsErrorName];
  constructor(
    readonly code: AwsErrorName,
    message: string,
    /** More members of the error body, e.g. a throttle's `Reason`. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }

  get type(): "User" | "Service" {
    return this.status >= 500 ? "Service" : "User";
  }
}

/** An error as the API answers it: status, headers and the JSON body the SDKs parse. */
export function errorAnswer(error: unknown, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  const aws = error instanceof AwsError ? error : new AwsError("ServiceException", "An internal error occurred.");
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
    body: JSON.stringify({ Type: aws.type, message: aws.message, ...aws.fields }),
  };
}

export function errorResponse(error: unknown, requestId: string): Response {
  const { status, headers, body } = errorAnswer(error, requestId);
  return new Response(body, { status, headers });
}
