/** Invoke: POST /2015-03-31/functions/{FunctionName}/invocations, as the AWS SDKs and CLI call it. */
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import { logTail } from "../observe/report.js";
import { type InvocationType, requestPayloadLimit } from "../sandbox/limits.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { AwsError, errorResponse } from "./errors.js";
import { parseFunctionName } from "./function-name.js";
import type { RegistryCache } from "./registry-cache.js";
import { resolveFunction } from "./resolve.js";
import { environmentConfig } from "./shapes.js";

const INVOCATION_TYPES = new Set<InvocationType>(["RequestResponse", "Event", "DryRun"]);

function decodeClientContext(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  } catch {
    throw new AwsError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
}

export function mountInvoke(app: Hono, deps: ApiDeps, cache: RegistryCache): void {
  app.post("/2015-03-31/functions/:name/invocations", async (c) => {
    const requestId = randomUUID();
    try {
      const ref = parseFunctionName(c.req.param("name"), c.req.query("Qualifier"));
      const fn = resolveFunction(deps, ref, true, cache).version;
      const codeDir = cache.codeDir(fn.codeSha256);
      if (codeDir === undefined)
        throw new AwsError("ServiceException", `The code of ${fn.functionName}:${fn.version} is missing from the data directory`);
      const config = environmentConfig(deps, fn, codeDir);
      const invocationType = (c.req.header("X-Amz-Invocation-Type") ?? "RequestResponse") as InvocationType;
      if (!INVOCATION_TYPES.has(invocationType)) {
        throw new AwsError("InvalidParameterValueException", `Unsupported invocation type ${invocationType}`);
      }
      const bytes = Buffer.from(await c.req.arrayBuffer());
      const limit = requestPayloadLimit(invocationType);
      if (bytes.length > limit) {
        throw new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
      }
      const body = bytes.toString("utf8");
      const event = body.length === 0 ? "{}" : body;
      try {
        JSON.parse(event);
      } catch (error) {
        throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
      }
      const clientContext = decodeClientContext(c.req.header("X-Amz-Client-Context"));
      const headers = { "x-amzn-RequestId": requestId, "X-Amz-Executed-Version": fn.version };
      if (invocationType === "DryRun") return c.body(null, 204, headers);

      const invocation = {
        config,
        resource: ref.qualifier ?? "$LATEST",
        event,
        options: {
          requestId,
          invocationType,
          clientContext,
          traceId: c.req.header("X-Amzn-Trace-Id"),
          invokedFunctionArn: functionArn(deps, fn.functionName, ref.qualifier),
        },
      };
      if (invocationType === "Event") {
        // Until the durable async queue exists, an Event invoke runs in the background.
        deps.invoker.enqueue(invocation);
        return c.body(null, 202, headers);
      }
      const { result, log } = await deps.invoker.invoke(invocation);
      const responseHeaders: Record<string, string> = { ...headers, "content-type": "application/json" };
      if (result.functionError) responseHeaders["X-Amz-Function-Error"] = result.functionError;
      if (c.req.header("X-Amz-Log-Type") === "Tail") responseHeaders["X-Amz-Log-Result"] = logTail(log);
      return c.body(result.payload, 200, responseHeaders);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  });
}
