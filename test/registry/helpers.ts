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
