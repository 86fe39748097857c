/** Reading Lambda API requests: JSON bodies and paging parameters, with AWS's errors. */
import type { Context } from "hono";
import { AwsError } from "./errors.js";

/** Lambda's list operations take MaxItems 1–10000. */
const MAX_ITEMS_LIMIT = 10_000;

export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
}

export function maxItemsOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_ITEMS_LIMIT)) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
    );
  }
  return n;
}
