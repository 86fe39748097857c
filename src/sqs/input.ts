/** Reading SQS JSON requests: typed parameters with SQS's MissingParameter and InvalidParameterValue errors. */
import { parseJsonObject, UnparsableBody } from "../http/json-body.js";
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from "./errors.js";

export type Input = Record<string, unknown>;

export function inputOf(bytes: Uint8Array): Input {
  try {
    return parseJsonObject(bytes);
  } catch (error) {
    if (error instanceof UnparsableBody)
      throw new SqsError("InvalidParameterValue", `The request body is not a valid JSON object: ${error.message}`);
    throw error;
  }
}

export function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === "") throw missingParameter(name);
  if (typeof value !== "string") throw invalidParameter(name, value, "must be a string.");
  return value;
}

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidParameter(name, value, "must be a string.");
  return value;
}

/** An integer parameter in [min, max]; `reason` is SQS's wording for the range. */
export function optionalInteger(input: Input, name: string, min: number, max: number, reason: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw invalidParameter(name, value, reason);
  return value;
}

export function requiredInteger(input: Input, name: string, min: number, max: number, reason: string): number {
  const value = optionalInteger(input, name, min, max, reason);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/** The list operations' NextToken: the last queue name of the previous page, base64-encoded. */
export function pageToken(lastName: string): string {
  return Buffer.from(lastName).toString("base64");
}

/** The queue name a NextToken names ("" without one); a token this server did not issue is refused. */
export function pageAfter(input: Input): string {
  const token = optionalString(input, "NextToken");
  if (token === undefined || token === "") return "";
  const after = Buffer.from(token, "base64").toString();
  if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(after)) throw invalidParameter("NextToken", token, "Invalid NextToken value.");
  return after;
}

export function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw invalidParameter(name, JSON.stringify(value), "must be a list of strings.");
  return value as string[];
}

export function stringMap(input: Input, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw invalidParameter(name, JSON.stringify(value), "must be a map of strings.");
  }
  return value as Record<string, string>;
}

export function entriesOf(input: Input, name: string): Input[] {
  const value = input.Entries;
  if (value === undefined || value === null) throw missingParameter(name);
  if (!Array.isArray(value) || value.some((v) => typeof v !== "object" || v === null || Array.isArray(v))) {
    throw invalidParameter(name, "", "must be a list of entries.");
  }
  return value as Input[];
}

/**
 * The queue a QueueUrl names: `http://<host>/<accountId>/<name>`. Any host is accepted (clients
 * reach the server under many names); the account must be this one.
 */
export function queueNameOf(input: Input, accountId: string): string {
  const url = requiredString(input, "QueueUrl");
  const path = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? url;
  const segments =
    path
      .split(/[?#]/)[0]
      ?.split("/")
      .filter((s) => s !== "") ?? [];
  const name = segments.at(-1);
  if (name === undefined) throw new SqsError("InvalidAddress", `The address ${url} is not valid for this endpoint.`);
  if (segments.length > 1 && segments.at(-2) !== accountId) throw queueDoesNotExist();
  return name;
}
