/** Reading Lambda API requests: bounded JSON bodies and paging parameters, with AWS's errors. */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parseJsonObject, UnparsableBody } from "../http/json-body.js";
import { LambdaError } from "../lambda/errors.js";

/** Lambda's list operations take MaxItems 1–10000. */
const MAX_ITEMS_LIMIT = 10_000;

/**
 * Lambda's bound on a request carrying a package inline: "Request must be smaller than 70167211
 * bytes for the CreateFunction operation" (and UpdateFunctionCode), 413. It is a 50 MB zip in
 * base64 (69905067 bytes) and 256 KiB for the rest of the request.
 */
export const CODE_REQUEST_MAX_BYTES = 70_167_211;

/**
 * Every other control-plane body: the 256 KiB that Lambda's own bound leaves a CreateFunction for
 * its members but the code. The largest of them (4 KB of environment, 50 tags, an alias's routing)
 * take a few KB.
 */
export const CONTROL_REQUEST_MAX_BYTES = 262_144;

function tooLarge(max: number, operation?: string): never {
  const named = operation === undefined ? "" : ` for the ${operation} operation`;
  throw new LambdaError("RequestEntityTooLargeException", `Request must be smaller than ${max} bytes${named}`);
}

/** The operations that carry a package inline, by method and path. */
const CODE_OPERATIONS = (
  [
    ["POST", /^\/2015-03-31\/functions\/?$/, "CreateFunction"],
    ["PUT", /^\/2015-03-31\/functions\/[^/]+\/code$/, "UpdateFunctionCode"],
    ["POST", /^\/2018-10-31\/layers\/[^/]+\/versions$/, "PublishLayerVersion"],
  ] as const
).map(([method, path, operation]) => ({
  method,
  path,
  limit: bodyLimit({ maxSize: CODE_REQUEST_MAX_BYTES, onError: () => tooLarge(CODE_REQUEST_MAX_BYTES, operation) }),
}));

const controlLimit = bodyLimit({ maxSize: CONTROL_REQUEST_MAX_BYTES, onError: () => tooLarge(CONTROL_REQUEST_MAX_BYTES) });

function unreadable(error: unknown): LambdaError {
  return new LambdaError("InvalidRequestContentException", `Could not read the request body: ${(error as Error).message}`);
}

/**
 * Bounds every control-plane body as it arrives: an announced length over the bound is refused
 * before a byte is read, a chunked body as soon as it passes the bound. Invocations have their own
 * limits (src/api/invoke.ts) and read their bodies themselves.
 */
export const controlPlaneBodyLimit: MiddlewareHandler = async (c, next) => {
  if (c.req.method === "GET" || c.req.path.endsWith("invocations")) return next();
  const code = CODE_OPERATIONS.find(({ method, path }) => c.req.method === method && path.test(c.req.path));
  let read = false;
  try {
    return await (code?.limit ?? controlLimit)(c, () => {
      read = true;
      return next();
    });
  } catch (error) {
    // A body stream fails only when its connection does: the client's doing.
    throw read || error instanceof LambdaError ? error : unreadable(error);
  }
};

async function bodyBytes(c: Context): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer());
  } catch (error) {
    throw unreadable(error);
  }
}

export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    return parseJsonObject(await bodyBytes(c));
  } catch (error) {
    if (error instanceof UnparsableBody)
      throw new LambdaError("InvalidRequestContentException", `Could not parse request body into json: ${error.message}`);
    throw error;
  }
}

export function maxItemsOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_ITEMS_LIMIT)) {
    throw new LambdaError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
    );
  }
  return n;
}
