/**
 * What the registry's stores share: version qualifiers, ARNs for error messages, the revision-id
 * precondition, and Lambda-style paging (MaxItems, an opaque Marker, one row more than the page).
 */
import { type Account, functionArn } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import type { Page } from "./types.js";

export const LATEST = "$LATEST";
/** The List* operations' default page size, and the largest MaxItems they accept. */
export const DEFAULT_MAX_ITEMS = 50;
export const MAX_ITEMS_LIMIT = 10_000;

/** A published version's number, or undefined for anything else (an alias name, `$LATEST`, junk). */
export function versionNumber(qualifier: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(qualifier)) return undefined;
  const n = Number(qualifier);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Function ARNs in this registry's region and account, for the messages AWS puts them in. */
export class Arns implements Account {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  function(name: string, qualifier?: string): string {
    return functionArn(this, name, qualifier);
  }

  functionNotFound(name: string, qualifier?: string): LambdaError {
    return new LambdaError("ResourceNotFoundException", `Function not found: ${this.function(name, qualifier)}`);
  }
}

export function preconditionFailed(): LambdaError {
  return new LambdaError(
    "PreconditionFailedException",
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
  );
}

/** MaxItems, defaulted and checked as Lambda does. */
export function pageSize(maxItems: number | undefined): number {
  const size = maxItems ?? DEFAULT_MAX_ITEMS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_ITEMS_LIMIT) {
    throw new LambdaError(
      "ValidationException",
      `1 validation error detected: Value '${size}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
    );
  }
  return size;
}

/** The opaque marker: the sort key of the last item a page returned, as base64url JSON. */
export type MarkerKey = [string, number] | [string, string];

export function encodeMarker(key: MarkerKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** Decodes a marker whose second element is a number (versions) or a string (aliases). */
export function decodeMarker(marker: string, second: "number"): [string, number];
export function decodeMarker(marker: string, second: "string"): [string, string];
export function decodeMarker(marker: string, second: "number" | "string"): MarkerKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string") {
      if (second === "number" ? Number.isSafeInteger(value[1]) : typeof value[1] === "string") return value as MarkerKey;
    }
  } catch {
    // falls through to the error below
  }
  throw new LambdaError("InvalidParameterValueException", `Invalid Marker: ${marker}`);
}

/** A page from `size + 1` rows: the extra row only tells that another page follows. */
export function pageOf<R, T>(rows: R[], size: number, toItem: (row: R) => T, keyOf: (row: R) => MarkerKey): Page<T> {
  const items = rows.slice(0, size);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    ...(rows.length > size && last !== undefined ? { nextMarker: encodeMarker(keyOf(last)) } : {}),
  };
}
