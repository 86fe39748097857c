/** The registry suites' fixtures, and an assertion for AWS errors. */
import { expect } from "vitest";
import { LambdaError } from "../../src/lambda/errors.js";

export * from "./fixtures.js";

/** Asserts that `run` throws (or rejects with) a LambdaError with exactly this code and message. */
export async function expectLambdaError(run: () => unknown, code: string, message: string | RegExp): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a LambdaError").toBeInstanceOf(LambdaError);
  const aws = caught as LambdaError;
  expect(aws.code).toBe(code);
  if (typeof message === "string") expect(aws.message).toBe(message);
  else expect(aws.message).toMatch(message);
}

/** The registry's PreconditionFailedException message, as Lambda words it. */
export const PRECONDITION =
  "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";
/** The ARN prefix of functions in the default Region and account. */
export const ARN = "arn:aws:lambda:us-east-1:000000000000:function:";
