/**
 * The SQS API on the Lambda API's server: AWS JSON 1.0, `POST /` with
 * `X-Amz-Target: AmazonSQS.<Operation>`, as @aws-sdk/client-sqs and the AWS CLI v2 send it.
 * The older query protocol (form-encoded Action=...) is not served.
 */
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import { SqsError, sqsErrorResponse } from "./errors.js";
import { inputOf } from "./input.js";
import { MESSAGE_OPERATIONS } from "./message-operations.js";
import { type Operation, QUEUE_OPERATIONS } from "./queue-operations.js";
import type { Queues } from "./queues.js";
import { TAG_OPERATIONS } from "./tag-operations.js";

const TARGET_PREFIX = "AmazonSQS.";

const OPERATIONS: Record<string, Operation> = { ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS, ...TAG_OPERATIONS };

/** Mount before the Lambda API's routes: requests without an AmazonSQS target pass through. */
export function mountSqs(app: Hono, queues: Queues): void {
  app.use("/", async (c, next) => {
    const target = c.req.header("x-amz-target");
    if (c.req.method !== "POST" || !target?.startsWith(TARGET_PREFIX)) return next();
    const requestId = randomUUID();
    try {
      const name = target.slice(TARGET_PREFIX.length);
      const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!operation) throw new SqsError("InvalidAction", `The action ${name} is not valid for this web service.`);
      const input = inputOf(await c.req.text());
      const origin = `http://${c.req.header("host") ?? "localhost"}`;
      const output = await operation(input, { queues, origin, signal: c.req.raw.signal });
      return new Response(JSON.stringify(output), {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId },
      });
    } catch (error) {
      // SQS errors are the client's business; anything else is a bug the operator must see.
      if (!(error instanceof SqsError)) console.error("isolambda: internal error in the SQS API:", error);
      return sqsErrorResponse(error, requestId);
    }
  });
}
