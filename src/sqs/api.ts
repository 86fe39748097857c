/**
 * The SQS API on the Lambda API's server. Current SDKs and the AWS CLI v2 speak AWS JSON 1.0:
 * `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`. Older clients (AWS SDK for JavaScript v2,
 * boto3 before the JSON switch, AWS CLI v1) speak the query protocol: a form-encoded
 * `Action=<Operation>&...` posted to `/` or to the queue's URL, answered in XML.
 */
import { randomUUID } from "node:crypto";
import type { Context, Hono, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { SqsError, sqsErrorResponse } from "./errors.js";
import { type Input, inputOf } from "./input.js";
import { REQUEST_MAX_BYTES } from "./limits.js";
import { MESSAGE_OPERATIONS } from "./message-operations.js";
import { queryInput } from "./query-input.js";
import { queryErrorResponse, queryResponse } from "./query-output.js";
import { type Operation, QUEUE_OPERATIONS } from "./queue-operations.js";
import type { Queues } from "./queues.js";
import { TAG_OPERATIONS } from "./tag-operations.js";

const TARGET_PREFIX = "AmazonSQS.";

const OPERATIONS: Record<string, Operation> = { ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS, ...TAG_OPERATIONS };

/** Where query-protocol requests may go: `/` or a queue URL's path `/<accountId>/<name>`. */
const QUERY_PATH = /^\/(\d{12}\/[A-Za-z0-9_-]+(\.fifo)?)?$/;

type Protocol = "json" | "query";

/** The protocol of an SQS call, or undefined for a request that is not one. */
function protocolOf(c: Context): Protocol | undefined {
  if (c.req.method !== "POST") return undefined;
  const target = c.req.header("x-amz-target");
  if (c.req.path === "/" && target?.startsWith(TARGET_PREFIX)) return "json";
  const form = c.req.header("content-type")?.startsWith("application/x-www-form-urlencoded") ?? false;
  if (form && target === undefined && QUERY_PATH.test(c.req.path)) return "query";
  return undefined;
}

function run(c: Context, queues: Queues, name: string, input: Input): Promise<unknown> | unknown {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) throw new SqsError("InvalidAction", `The action ${name} is not valid for this web service.`);
  const origin = `http://${c.req.header("host") ?? "localhost"}`;
  return operation(input, { queues, origin, signal: c.req.raw.signal });
}

/** A body stream fails only when its connection does: the client's doing. */
function unreadable(error: unknown): SqsError {
  return new SqsError("InvalidParameterValue", `Could not read the request body: ${(error as Error).message}`);
}

async function bodyOf(c: Context): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer());
  } catch (error) {
    throw unreadable(error);
  }
}

function logUnexpected(error: unknown): void {
  // SQS errors are the client's business; anything else is a bug the operator must see.
  if (!(error instanceof SqsError)) console.error("isolambda: internal error in the SQS API:", error);
}

/** Mount before the Lambda API's routes: requests that are not SQS calls pass through untouched. */
export function mountSqs(app: Hono, queues: Queues): void {
  // Only these paths: the Lambda API's routes never pay for this middleware.
  app.use("/", sqs);
  // The account is part of the pattern as text: a regular expression there (`:account{[0-9]{12}}`)
  // makes Hono fall back from its RegExpRouter to the slower TrieRouter for every route.
  app.use(`/${queues.accountId}/:queue`, sqs);

  async function answer(c: Context, protocol: Protocol, requestId: string): Promise<Response> {
    if (protocol === "json") {
      const target = c.req.header("x-amz-target") as string;
      const output = await run(c, queues, target.slice(TARGET_PREFIX.length), inputOf(await bodyOf(c)));
      return new Response(JSON.stringify(output), {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId },
      });
    }
    const params = new Map(new URLSearchParams(new TextDecoder().decode(await bodyOf(c))));
    const { action, input } = queryInput(
      params,
      c.req.path === "/" ? undefined : `http://${c.req.header("host") ?? "localhost"}${c.req.path}`,
    );
    return queryResponse(action, await run(c, queues, action, input), requestId);
  }

  async function sqs(c: Context, next: Next): Promise<Response | undefined> {
    const protocol = protocolOf(c);
    if (protocol === undefined) {
      await next();
      return undefined;
    }
    const requestId = randomUUID();
    let refused = false;
    const limit = bodyLimit({
      maxSize: REQUEST_MAX_BYTES,
      onError: () => {
        refused = true;
        throw new SqsError(
          "InvalidParameterValue",
          `One or more parameters are invalid. Reason: Request must be shorter than ${REQUEST_MAX_BYTES} bytes.`,
        );
      },
    });
    let read = false;
    try {
      let response: Response | undefined;
      await limit(c, async () => {
        read = true;
        response = await answer(c, protocol, requestId);
      });
      return response;
    } catch (caught) {
      const error = read || caught instanceof SqsError ? caught : unreadable(caught);
      logUnexpected(error);
      const response = protocol === "json" ? sqsErrorResponse(error, requestId) : queryErrorResponse(error, requestId);
      // The rest of a refused body is left unread: the connection can carry no other request.
      if (refused) response.headers.set("connection", "close");
      return response;
    }
  }
}
