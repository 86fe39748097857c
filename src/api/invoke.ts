/**
 * Invoke: POST /2015-03-31/functions/{FunctionName}/invocations, as the AWS SDKs and CLI call it;
 * and the request side shared with InvokeWithResponseStream.
 *
 * Invoke is the API's one hot route: it is served on node:http ahead of the Hono app (`invokeRoute`),
 * which spares each invocation Hono's and @hono/node-server's request, context and response
 * objects (~4 µs and ~5 KB of garbage per request on the main thread).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { Invocation } from "../invoke/index.js";
import { logTail } from "../observe/report.js";
import { responseTooLarge } from "../sandbox/errors.js";
import { type InvocationType, RESPONSE_MAX_BYTES, requestPayloadLimit } from "../sandbox/limits.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { AwsError, errorAnswer } from "./errors.js";
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

/** What an Invoke-style request carries, whichever HTTP layer it came through. */
export interface InvokeHttpRequest {
  /** The FunctionName path parameter, decoded. */
  name: string;
  qualifier: string | undefined;
  header(name: Lowercase<string>): string | undefined;
  text(): Promise<string>;
}

function nodeHeader(incoming: IncomingMessage, name: Lowercase<string>): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** An Invoke-style request that came through Hono (InvokeWithResponseStream). */
export function honoInvokeRequest(c: Context): InvokeHttpRequest {
  // Headers from Node's request when there is one: `c.req.header` builds a web Headers object first.
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return {
    name: c.req.param("name") ?? "",
    qualifier: c.req.query("Qualifier"),
    header: (name) => (incoming === undefined ? c.req.header(name) : nodeHeader(incoming, name)),
    text: () => c.req.text(),
  };
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
    throw new AwsError("InvalidParameterValueException", `Unsupported invocation type ${invocationType}`);
  }
  // As text: an ArrayBuffer copy of a small body cost more than decoding it.
  const body = await request.text();
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

const INVOCATION_TYPES = new Set<InvocationType>(["RequestResponse", "Event", "DryRun"]);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

async function answerInvoke(request: InvokeHttpRequest, deps: ApiDeps, cache: RegistryCache): Promise<Answer> {
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
    const { result, log } = await deps.invoker.invoke(invocation);
    let { payload, functionError } = result;
    let body: string | Uint8Array = payload;
    let contentType = "application/json";
    // A streaming handler invoked without streaming: its bytes, buffered, within Invoke's limit.
    if (result.streamed?.body !== undefined && functionError === undefined) {
      if (result.streamed.body.length > RESPONSE_MAX_BYTES) {
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
    return errorAnswer(error, requestId);
  }
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?(.*))?$/;
const utf8 = new TextDecoder();

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The body as text, decoded as a web Request's text() does (a UTF-8 BOM is dropped). */
function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.once("end", () => resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    incoming.once("error", reject);
  });
}

/**
 * Invoke on node:http, ahead of the Hono app: takes POST …/invocations and answers it; false for
 * any other request, which goes on to the app.
 */
export function invokeRoute(deps: ApiDeps, cache: RegistryCache): (incoming: IncomingMessage, outgoing: ServerResponse) => boolean {
  return (incoming, outgoing) => {
    if (incoming.method !== "POST") return false;
    const match = INVOKE_PATH.exec(incoming.url ?? "");
    if (match === null) return false;
    const query = match[2];
    const request: InvokeHttpRequest = {
      name: decodePathPart(match[1] as string),
      qualifier: query === undefined ? undefined : (new URLSearchParams(query).get("Qualifier") ?? undefined),
      header: (name) => nodeHeader(incoming, name),
      text: () => readBody(incoming),
    };
    void answerInvoke(request, deps, cache).then(({ status, headers, body }) => {
      // A client that went away has nothing to read.
      if (outgoing.destroyed) return;
      // With the length given, the body goes as one write, not chunked.
      if (status !== 204)
        headers["content-length"] = String(body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
      outgoing.writeHead(status, headers);
      outgoing.end(body);
    });
    return true;
  };
}
