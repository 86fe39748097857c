/**
 * JSON request bodies as the Lambda and SQS APIs read them: UTF-8 (a BOM skipped), nested at most
 * JSON_DEPTH_MAX deep, one object. Each API turns `UnparsableBody` into its own error.
 */

/**
 * No Lambda or SQS input nests deeper than a few levels; 1000 is Jackson's default bound
 * (StreamReadConstraints). Deeper input is refused before JSON.parse, which takes seconds and
 * gigabytes on millions of levels, and before anything walks the value recursively.
 */
export const JSON_DEPTH_MAX = 1000;

export class UnparsableBody extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Brackets and quotes: a string is skipped whole, so a 50 MB ZipFile costs one indexOf. */
const STRUCTURE = /["[\]{}]/g;

/** The index of the quote closing the string opened at `open`, or -1 when it is never closed. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

function nestsWithin(text: string, max: number): boolean {
  let depth = 0;
  STRUCTURE.lastIndex = 0;
  for (let m = STRUCTURE.exec(text); m !== null; m = STRUCTURE.exec(text)) {
    const c = m[0];
    if (c === '"') {
      const close = closingQuote(text, m.index);
      // JSON.parse reports the unterminated string.
      if (close === -1) return true;
      STRUCTURE.lastIndex = close + 1;
    } else if (c === "[" || c === "{") {
      if (++depth > max) return false;
    } else depth--;
  }
  return true;
}

/** The body's object; an empty body is `{}`, as the AWS SDKs send no body for an input without members. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new UnparsableBody("Invalid UTF-8 in the request body");
  }
  if (text.trim() === "") return {};
  if (!nestsWithin(text, JSON_DEPTH_MAX))
    throw new UnparsableBody(`Document nesting depth exceeds the maximum allowed (${JSON_DEPTH_MAX})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UnparsableBody((error as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UnparsableBody(
      `Expected a JSON object, got ${Array.isArray(parsed) ? "an array" : parsed === null ? "null" : typeof parsed}`,
    );
  }
  return parsed as Record<string, unknown>;
}
