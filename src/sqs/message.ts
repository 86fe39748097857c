/**
 * A message as SendMessage takes it: body and attribute validation with SQS's rules and
 * errors, the size that counts against MaximumMessageSize, and the digests returned for it.
 */
import { invalidParameter, missingParameter, SqsError } from "./errors.js";
import { ATTRIBUTE_NAME_MAX, MESSAGE_ATTRIBUTES_MAX } from "./limits.js";
import { type AttributeValue, md5Hex, md5OfAttributes } from "./md5.js";

/** A message attribute as stored and sent on the wire (AWS JSON carries blobs as base64). */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type StoredAttributes = Record<string, StoredAttribute>;

export interface NewMessage {
  body: string;
  attributes?: StoredAttributes;
  systemAttributes?: StoredAttributes;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
}

/** SQS accepts only XML's characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it rejects.
const INVALID_CHARACTER = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\..*)?$/s;
/** SQS Numbers: up to 38 significant digits, written as a decimal with an optional exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function hasInvalidCharacter(text: string): boolean {
  return INVALID_CHARACTER.test(text);
}

function attributeNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > ATTRIBUTE_NAME_MAX) return `must be 1 to ${ATTRIBUTE_NAME_MAX} characters long`;
  if (!ATTRIBUTE_NAME.test(name)) return "can contain only alphanumeric characters, hyphens (-), underscores (_) and periods (.)";
  if (/^(aws|amazon)\./i.test(name)) return "must not start with AWS. or Amazon.";
  if (name.startsWith(".") || name.endsWith(".") || name.includes(".."))
    return "must not start or end with a period, or contain two periods in a row";
  return undefined;
}

/** Validates MessageAttributes (or MessageSystemAttributes) from a request; undefined when there are none. */
export function attributesOf(raw: unknown, kind: "user" | "system"): StoredAttributes | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw invalidParameter(kind === "user" ? "MessageAttributes" : "MessageSystemAttributes", "", "must be a map");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > MESSAGE_ATTRIBUTES_MAX) {
    throw new SqsError(
      "InvalidParameterValue",
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MESSAGE_ATTRIBUTES_MAX}].`,
    );
  }
  const stored: StoredAttributes = {};
  for (const [name, value] of entries) {
    if (kind === "system" && name !== "AWSTraceHeader") {
      throw new SqsError("InvalidParameterValue", `Message system attribute name '${name}' is invalid. Only AWSTraceHeader is supported.`);
    }
    const problem = attributeNameProblem(name);
    if (kind === "user" && problem)
      throw new SqsError("InvalidParameterValue", `Message (user) attribute name '${name}' is invalid: it ${problem}.`);
    const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = (value ?? {}) as Record<string, unknown>;
    if (typeof DataType !== "string" || DataType === "") {
      throw new SqsError("InvalidParameterValue", `The message attribute '${name}' must contain a non-empty message attribute type.`);
    }
    if (kind === "system" && DataType !== "String") {
      throw new SqsError("InvalidParameterValue", `Message system attribute '${name}' must have the data type String.`);
    }
    const type = DATA_TYPE.exec(DataType)?.[1];
    if (type === undefined) {
      throw new SqsError(
        "InvalidParameterValue",
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (
      (Array.isArray(StringListValues) && StringListValues.length > 0) ||
      (Array.isArray(BinaryListValues) && BinaryListValues.length > 0)
    ) {
      // SQS reserves the list values for future use and refuses them.
      throw new SqsError("InvalidParameterValue", `Message attribute list values in '${name}' are not supported.`);
    }
    if (type === "Binary") {
      if (typeof BinaryValue !== "string" || BinaryValue === "") {
        throw new SqsError("InvalidParameterValue", `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      stored[name] = { DataType, BinaryValue };
    } else {
      if (typeof StringValue !== "string" || StringValue === "") {
        throw new SqsError("InvalidParameterValue", `The message attribute '${name}' with type '${type}' must use field 'String'.`);
      }
      if (hasInvalidCharacter(StringValue)) {
        throw new SqsError("InvalidParameterValue", `The message attribute '${name}' contains characters outside the allowed set.`);
      }
      if (type === "Number" && !NUMBER.test(StringValue)) {
        throw new SqsError("InvalidParameterValue", `Can't convert '${StringValue}' of message attribute '${name}' to a number.`);
      }
      stored[name] = { DataType, StringValue };
    }
  }
  return stored;
}

/** The attributes with Binary values as bytes, for digests and sizes. */
export function decodedAttributes(attributes: StoredAttributes): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      a.BinaryValue === undefined
        ? { DataType: a.DataType, StringValue: a.StringValue ?? "" }
        : { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue, "base64") },
    ]),
  );
}

/** SQS counts the body and every attribute's name, type and value against MaximumMessageSize. */
export function messageSize(body: string, attributes: StoredAttributes | undefined): number {
  let size = Buffer.byteLength(body);
  for (const [name, a] of Object.entries(decodedAttributes(attributes ?? {}))) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    size += a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? "");
  }
  return size;
}

/** Validates a message against the queue's MaximumMessageSize and computes its digests. */
export function newMessage(body: unknown, rawAttributes: unknown, rawSystemAttributes: unknown, maximumMessageSize: number): NewMessage {
  if (body === undefined || body === null || body === "") throw missingParameter("MessageBody");
  if (typeof body !== "string") throw invalidParameter("MessageBody", body, "must be a string");
  if (hasInvalidCharacter(body)) {
    throw new SqsError(
      "InvalidMessageContents",
      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    );
  }
  const attributes = attributesOf(rawAttributes, "user");
  const systemAttributes = attributesOf(rawSystemAttributes, "system");
  if (messageSize(body, attributes) > maximumMessageSize) {
    throw new SqsError(
      "InvalidParameterValue",
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
    );
  }
  return {
    body,
    attributes,
    systemAttributes,
    md5OfBody: md5Hex(body),
    md5OfAttributes: attributes && md5OfAttributes(decodedAttributes(attributes)),
    md5OfSystemAttributes: systemAttributes && md5OfAttributes(decodedAttributes(systemAttributes)),
  };
}
