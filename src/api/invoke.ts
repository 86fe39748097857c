/**
 * Invoke: POST /2015-03-31/functions/{FunctionName}/invocations, as the AWS SDKs and CLI call it;
 * and the request side shared with InvokeWithResponseStream.
 * Invoke itself is served on node:http ahead of the Hono app (invoke-route.ts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import { contentTypeError } from "../doors/shared/http-validate.js";
import { readBody } from "../doors/shared/request.js";
import { functionArn, parseFunctionName } from "../lambda/arn.js";
import { LambdaError, throttled } from "../lambda/errors.js";
import type { Completed, Invocation, Ran } from "../lambda/invoker.js";
import type { RegistryCache } from "../lambda/registry-cache.js";
import { resolveFunction } from "../lambda/resolve.js";
import { logTail } from "../observe/report.js";
import { type InvocationType, RESPONSE_MAX_BYTES, requestPayloadLimit, responseTooLarge } from "../sandbox/index.js";
import type { ApiDeps } from "./deps.js";
import { errorAnswer } from "./errors.js";

function decodeClientContext(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  } catch {
    throw new LambdaError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
}

/** What an Invoke-style request carries, whichever HTTP layer it came through. */
export interface InvokeHttpRequest {
  /** The FunctionName path parameter, decoded. */
  name: string;
  qualifier: string | undefined;
  header(name: Lowercase<string>): string | undefined;
  /** The body as text; `undefined` once it is known to be over `limit` bytes (it is then not kept). */
  text(limit: number): Promise<string | undefined>;
}

function nodeHeader(incoming: IncomingMessage, name: Lowercase<string>): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

const utf8 = new TextDecoder();

/** The body as text, decoded as a web Request's text() does (a UTF-8 BOM is dropped). */
async function readText(incoming: IncomingMessage, limit: number): Promise<string | undefined> {
  const body = await readBody(incoming, limit);
  return body === undefined ? undefined : utf8.decode(body);
}

/** An Invoke-style request read from Node's request: its headers, and its body up to the limit. */
export function nodeInvokeRequest(incoming: IncomingMessage, name: string, qualifier: string | undefined): InvokeHttpRequest {
  return {
    name,
    qualifier,
    header: (header) => nodeHeader(incoming, header),
    text: (limit) => readText(incoming, limit),
  };
}

/** An Invoke-style request that came through Hono (InvokeWithResponseStream). */
export function honoInvokeRequest(c: Context): InvokeHttpRequest {
  const name = c.req.param("name") ?? "";
  const qualifier = c.req.query("Qualifier");
  // Headers and body from Node's request when there is one: `c.req.header` builds a web Headers
  // object first, and `c.req.text()` would buffer a body of any size.
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming !== undefined) return nodeInvokeRequest(incoming, name, qualifier);
  return { name, qualifier, header: (header) => c.req.header(header), text: () => c.req.text() };
}

export interface InvokeRequest {
  invocation: Invocation;
  invocationType: InvocationType;
  /** x-amzn-RequestId and X-Amz-Executed-Version. */
  headers: Record<string, string>;
  tail: boolean;
}

/** Validates an Invoke-style request and resolves what it invokes; throws LambdaError on bad input. */
export async function readInvokeRequest(
  request: InvokeHttpRequest,
  deps: ApiDeps,
  cache: RegistryCache,
  requestId: string,
  invocationTypes: ReadonlySet<InvocationType>,
): Promise<InvokeRequest> {
  const ref = parseFunctionName(request.name, request.qualifier);
  const fn = resolveFunction(deps, ref, true, cache).version;
  const config = cache.environmentConfig(deps, fn);
  const invocationType = (request.header("x-amz-invocation-type") ?? "RequestResponse") as InvocationType;
  if (!invocationTypes.has(invocationType)) {
    throw new LambdaError("InvalidParameterValueException", `Unsupported invocation type ${invocationType}`);
  }
  const limit = requestPayloadLimit(invocationType);
  // As text: an ArrayBuffer copy of a small body cost more than decoding it.
  const body = await request.text(limit);
  // A UTF-8 byte is at most 3 per UTF-16 unit: only a long body needs counting.
  if (body === undefined || (body.length * 3 > limit && Buffer.byteLength(body) > limit)) {
    throw new LambdaError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
  }
  const event = body.length === 0 ? "{}" : body;
  try {
    JSON.parse(event);
  } catch (error) {
    throw new LambdaError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
  return {
    invocation: {
      config,
      resource: ref.qualifier ?? "$LATEST",
      event,
      options: {
        requestId,
        invocationType,
        clientContext: decodeClientContext(request.header("x-amz-client-context")),
        traceId: request.header("x-amzn-trace-id"),
        invokedFunctionArn: functionArn(deps, fn.functionName, ref.qualifier),
      },
    },
    invocationType,
    headers: { "x-amzn-RequestId": requestId, "X-Amz-Executed-Version": fn.version },
    tail: request.header("x-amz-log-type") === "Tail",
  };
}

/** What ran; a throttled invocation is the API's TooManyRequestsException. */
export function completedOf(ran: Ran): Completed {
  if (ran.kind === "throttled") throw throttled(ran.reason);
  return ran.completed;
}

const INVOCATION_TYPES = new Set<InvocationType>(["RequestResponse", "Event", "DryRun"]);

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** An Invoke request answered: status, headers and body, whichever HTTP layer writes them. */
export async function answerInvoke(request: InvokeHttpRequest, deps: ApiDeps, cache: RegistryCache): Promise<Answer> {
  const requestId = randomUUID();
  try {
    const { invocation, invocationType, headers, tail } = await readInvokeRequest(request, deps, cache, requestId, INVOCATION_TYPES);
    if (invocationType === "DryRun") return { status: 204, headers, body: undefined };
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
      return { status: 202, headers, body: undefined };
    }
    const { result, log } = completedOf(await deps.invoker.invoke(invocation));
    let { payload, functionError } = result;
    let body: string | Uint8Array = payload;
    let contentType = "application/json";
    // A streaming handler invoked without streaming: its bytes, buffered, within Invoke's limit.
    if (result.streamed?.body !== undefined && functionError === undefined) {
      const refused = contentTypeError(result.streamed.contentType);
      if (refused !== undefined) {
        functionError = "Unhandled";
        body = payload = JSON.stringify(refused);
      } else if (result.streamed.body.length > RESPONSE_MAX_BYTES) {
        functionError = "Unhandled";
        body = payload = JSON.stringify(responseTooLarge(result.streamed.body.length, RESPONSE_MAX_BYTES));
      } else {
        body = result.streamed.body;
        contentType = result.streamed.contentType;
      }
    }
    headers["content-type"] = contentType;
    if (functionError) headers["X-Amz-Function-Error"] = functionError;
    if (tail) headers["X-Amz-Log-Result"] = logTail(log);
    return { status: 200, headers, body };
  } catch (error) {
    // Anything but Lambda's own errors is a bug of ours: the client gets Lambda's 500, the log the cause.
    if (!(error instanceof LambdaError)) console.error(`isolambda: Invoke of ${request.name} failed:`, error);
    return errorAnswer(error, requestId);
  }
}
