/**
 * Invoke: POST /2015-03-31/functions/{FunctionName}/invocations, as the AWS SDKs and CLI call it;
 * and the request side shared with InvokeWithResponseStream.
 */
import { randomUUID } from "node:crypto";
import type { HttpBindings } from "@hono/node-server";
import type { Context, Hono } from "hono";
import type { Invocation } from "../invoke/index.js";
import { logTail } from "../observe/report.js";
import { responseTooLarge } from "../sandbox/errors.js";
import { type InvocationType, RESPONSE_MAX_BYTES, requestPayloadLimit } from "../sandbox/limits.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { AwsError, errorResponse } from "./errors.js";
import { parseFunctionName } from "./function-name.js";
import type { RegistryCache } from "./registry-cache.js";
import { resolveFunction } from "./resolve.js";

function decodeClientContext(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  } catch {
    throw new AwsError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
}

/**
 * A request header, read from Node's request when the app runs on @hono/node-server: `c.req.header`
 * builds a web Headers object first (~1.5 µs of an invocation's main-thread time).
 */
function header(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

export interface InvokeRequest {
  invocation: Invocation;
  invocationType: InvocationType;
  /** x-amzn-RequestId and X-Amz-Executed-Version. */
  headers: Record<string, string>;
  tail: boolean;
}

/** Validates an Invoke-style request and resolves what it invokes; throws AwsError on bad input. */
export async function readInvokeRequest(
  c: Context,
  deps: ApiDeps,
  cache: RegistryCache,
  requestId: string,
  invocationTypes: ReadonlySet<InvocationType>,
): Promise<InvokeRequest> {
  const ref = parseFunctionName(c.req.param("name") ?? "", c.req.query("Qualifier"));
  const fn = resolveFunction(deps, ref, true, cache).version;
  const config = cache.environmentConfig(deps, fn);
  const invocationType = (header(c, "x-amz-invocation-type") ?? "RequestResponse") as InvocationType;
  if (!invocationTypes.has(invocationType)) {
    throw new AwsError("InvalidParameterValueException", `Unsupported invocation type ${invocationType}`);
  }
  // As text: an ArrayBuffer copy of a small body cost more than decoding it.
  const body = await c.req.text();
  const limit = requestPayloadLimit(invocationType);
  // A UTF-8 byte is at most 3 per UTF-16 unit: only a long body needs counting.
  if (body.length * 3 > limit && Buffer.byteLength(body) > limit) {
    throw new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
  }
  const event = body.length === 0 ? "{}" : body;
  try {
    JSON.parse(event);
  } catch (error) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
  return {
    invocation: {
      config,
      resource: ref.qualifier ?? "$LATEST",
      event,
      options: {
        requestId,
        invocationType,
        clientContext: decodeClientContext(header(c, "x-amz-client-context")),
        traceId: header(c, "x-amzn-trace-id"),
        invokedFunctionArn: functionArn(deps, fn.functionName, ref.qualifier),
      },
    },
    invocationType,
    headers: { "x-amzn-RequestId": requestId, "X-Amz-Executed-Version": fn.version },
    tail: header(c, "x-amz-log-type") === "Tail",
  };
}

const INVOCATION_TYPES = new Set<InvocationType>(["RequestResponse", "Event", "DryRun"]);

export function mountInvoke(app: Hono, deps: ApiDeps, cache: RegistryCache): void {
  app.post("/2015-03-31/functions/:name/invocations", async (c) => {
    const requestId = randomUUID();
    try {
      const { invocation, invocationType, headers, tail } = await readInvokeRequest(c, deps, cache, requestId, INVOCATION_TYPES);
      if (invocationType === "DryRun") return c.body(null, 204, headers);
      if (invocationType === "Event") {
        // 202 once the event is stored: from here on it is delivered, even across a crash.
        const { options } = invocation;
        deps.async.accept({
          requestId,
          functionName: invocation.config.functionName,
          qualifier: invocation.resource,
          payload: invocation.event,
          clientContext: options.clientContext === undefined ? undefined : JSON.stringify(options.clientContext),
          traceId: options.traceId,
          received: Date.now(),
        });
        return c.body(null, 202, headers);
      }
      const { result, log } = await deps.invoker.invoke(invocation);
      let { payload, functionError } = result;
      let body: string | Uint8Array<ArrayBuffer> = payload;
      let contentType = "application/json";
      // A streaming handler invoked without streaming: its bytes, buffered, within Invoke's limit.
      if (result.streamed?.body !== undefined && functionError === undefined) {
        if (result.streamed.body.length > RESPONSE_MAX_BYTES) {
          functionError = "Unhandled";
          body = payload = JSON.stringify(responseTooLarge(result.streamed.body.length, RESPONSE_MAX_BYTES));
        } else {
          // Buffer.concat's result owns a plain (never shared) ArrayBuffer.
          body = result.streamed.body as Uint8Array<ArrayBuffer>;
          contentType = result.streamed.contentType;
        }
      }
      const responseHeaders: Record<string, string> = { ...headers, "content-type": contentType };
      if (functionError) responseHeaders["X-Amz-Function-Error"] = functionError;
      if (tail) responseHeaders["X-Amz-Log-Result"] = logTail(log);
      // A Response with plain headers: @hono/node-server writes it without building a Headers object.
      return new Response(body, { status: 200, headers: responseHeaders });
    } catch (error) {
      return errorResponse(error, requestId);
    }
  });
}
