/**
 * The errors the Lambda service defines, as data: the AWS error code, its message, the HTTP status
 * AWS answers it with, and any more members of the error body (a throttle's `Reason`). Everything
 * below the API throws these; src/api/errors.ts writes them onto the wire.
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

export type LambdaErrorCode = keyof typeof STATUS;

export class LambdaError extends Error {
  readonly status: (typeof STATUS)[LambdaErrorCode];
  constructor(
    readonly code: LambdaErrorCode,
    message: string,
    /** More members of the error body, e.g. a throttle's `Reason`. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Lambda's answer to an invocation over a concurrency or scaling limit, with its Reason. */
export function throttled(reason: string): LambdaError {
  return new LambdaError("TooManyRequestsException", "Rate Exceeded.", { Reason: reason });
}
