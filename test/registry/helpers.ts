/** The registry suites' fixtures, and an assertion for AWS errors. */
import { expect } from "vitest";
import { AwsError } from "../../src/api/errors.js";

export * from "./fixtures.js";

/** Asserts that `run` throws (or rejects with) an AwsError with exactly this code and message. */
export async function expectAwsError(run: () => unknown, code: string, message: string | RegExp): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an AwsError").toBeInstanceOf(AwsError);
  const aws = caught as AwsError;
  expect(aws.code).toBe(code);
  if (typeof message === "string") expect(aws.message).toBe(message);
  else expect(aws.message).toMatch(message);
}

/** The registry's PreconditionFailedException message, as Lambda words it. */
export const PRECONDITION =
  "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";
/** The ARN prefix of functions in the default Region and account. */
export const ARN = "arn:aws:lambda:us-east-1:000000000000:function:";
