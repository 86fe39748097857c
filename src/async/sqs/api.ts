/**
 * The SQS API on the Lambda API's server. Current SDKs and the AWS CLI v2 speak AWS JSON 1.0:
 * `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`. Older clients (AWS SDK for JavaScript v2,
 * boto3 before the JSON switch, AWS CLI v1) speak the query protocol: a form-encoded
 * `Action=<Operation>&...` posted to `/` or to the queue's URL, answered in XML.
 */
import { randomUUID } from "node:crypto";
import type { Context, Hono, Next } from "hono";
import { SqsError, sqsErrorResponse } from "./errors.js";
import { type Input, inputOf } from "./input.js";
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

function run(c: Context, queues: Queues, name: string, input: Input): Promise<unknown> | unknown {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) throw new SqsError("InvalidAction", `The action ${name} is not valid for this web service.`);
  const origin = `http://${c.req.header("host") ?? "localhost"}`;
  return operation(input, { queues, origin, signal: c.req.raw.signal });
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

  async function sqs(c: Context, next: Next): Promise<Response | undefined> {
    const target = c.req.header("x-amz-target");
    if (c.req.method === "POST" && c.req.path === "/" && target?.startsWith(TARGET_PREFIX)) {
      const requestId = randomUUID();
      try {
        const output = await run(c, queues, target.slice(TARGET_PREFIX.length), inputOf(await c.req.text()));
        return new Response(JSON.stringify(output), {
          status: 200,
          headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId },
        });
      } catch (error) {
        logUnexpected(error);
        return sqsErrorResponse(error, requestId);
      }
    }
    const form = c.req.header("content-type")?.startsWith("application/x-www-form-urlencoded") ?? false;
    if (c.req.method === "POST" && form && target === undefined && QUERY_PATH.test(c.req.path)) {
      const requestId = randomUUID();
      const params = new Map(new URLSearchParams(await c.req.text()));
      const { action, input } = queryInput(
        params,
        c.req.path === "/" ? undefined : `http://${c.req.header("host") ?? "localhost"}${c.req.path}`,
      );
      try {
        return queryResponse(action, await run(c, queues, action, input), requestId);
      } catch (error) {
        logUnexpected(error);
        return queryErrorResponse(error, requestId);
      }
    }
    await next();
    return undefined;
  }
}
