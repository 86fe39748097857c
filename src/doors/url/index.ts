/**
 * The function URL door: one listener in front of one function, as a function URL is, speaking
 * payload format 2.0. InvokeMode BUFFERED answers when the handler returns; RESPONSE_STREAM sends
 * a streaming handler's bytes as it writes them, the status and headers first when it writes an
 * HttpResponseStream prelude.
 */
import { createHash, randomUUID } from "node:crypto";
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { SYNC_PAYLOAD_MAX_BYTES } from "../../sandbox/index.js";
import type { DoorDeps } from "../shared/deps.js";
import { contentTypeError, headProblem } from "../shared/http-validate.js";
import { type Listener, listen } from "../shared/listen.js";
import { type DoorRequest, lastHeader, readDoorRequest } from "../shared/request.js";
import { send, sendText } from "../shared/response.js";
import { FunctionTarget, type Outcome, payloadText, TIMED_OUT } from "../shared/target.js";
import { rootTraceId } from "../shared/trace.js";
import type { UrlDoorConfig } from "./config.js";
import { isPreflight, UrlCors } from "./cors.js";
import { buildUrlEvent } from "./event.js";
import { FORBIDDEN, iamCaller } from "./iam.js";
import { PRELUDE_CONTENT_TYPE, PreludeReader } from "./prelude.js";
import { type HttpAnswer, InvalidResponse, responseHead, translateUrlResponse } from "./response.js";

/** A function URL's id: 32 lower-case characters, derived (as Lambda does) from account and function. */
export function urlIdOf(accountId: string, functionName: string): string {
  return createHash("sha256").update(`${accountId}:${functionName}`).digest("hex").slice(0, 32);
}

export async function startUrlDoor(config: UrlDoorConfig, deps: DoorDeps): Promise<Listener> {
  const target = new FunctionTarget(deps, config.target);
  const urlId = urlIdOf(deps.core.accountId, target.ref.name);
  const name = `url door (${target})`;
  const streaming = config.invokeMode === "RESPONSE_STREAM";
  const iam = config.authType === "AWS_IAM";
  // Only a URL with a cors config looks at Origin: without one, responses go out as the function sent them.
  const cors = config.cors === undefined ? undefined : new UrlCors(config.cors);
  let port = config.port;

  /** "Lambda automatically adds the CORS headers to all responses through the function URL." */
  const withCors = (headers: OutgoingHttpHeaders, origin: string | undefined): OutgoingHttpHeaders => {
    cors?.addTo(headers, origin);
    return headers;
  };

  const fail = (outgoing: ServerResponse, status: number, text: string, why: string, requestId: string, origin: string | undefined) => {
    deps.log(`${name}: ${status} for request ${requestId}: ${why}`);
    sendText(outgoing, status, text, withCors({ "x-amzn-requestid": requestId }, origin));
  };

  /** Throttles, errors and missing functions, before any byte of the response was sent. */
  const failOutcome = (
    outgoing: ServerResponse,
    outcome: Exclude<Outcome, { kind: "ok" }>,
    requestId: string,
    origin: string | undefined,
  ) => {
    switch (outcome.kind) {
      // Function URLs: "Whenever your function concurrency exceeds the reserved concurrency, your function URL returns an HTTP 429."
      case "throttled":
        return fail(outgoing, 429, "Too Many Requests", `throttled (${outcome.reason})`, requestId, origin);
      case "not-found":
        return fail(outgoing, 404, "Not Found", outcome.message, requestId, origin);
      case "function-error":
        return fail(
          outgoing,
          502,
          "Internal Server Error",
          outcome.errorType === TIMED_OUT
            ? `the function timed out (${outcome.errorMessage})`
            : `function error ${outcome.errorType}: ${outcome.errorMessage}`,
          requestId,
          origin,
        );
    }
  };

  const answer = (outgoing: ServerResponse, response: HttpAnswer, requestId: string, origin: string | undefined) => {
    const bytes = typeof response.body === "string" ? Buffer.byteLength(response.body) : response.body.length;
    const problem = headProblem(response.status, undefined, response.headers, bytes);
    if (problem !== undefined) return fail(outgoing, 502, "Internal Server Error", `invalid response: ${problem}`, requestId, origin);
    response.headers["x-amzn-requestid"] = requestId;
    send(outgoing, response.status, withCors(response.headers, origin), response.body);
  };

  const buffered = async (outgoing: ServerResponse, event: string, requestId: string, traceId: string, origin: string | undefined) => {
    const outcome = await target.invoke(event, requestId, traceId);
    if (outcome.kind !== "ok") return failOutcome(outgoing, outcome, requestId, origin);
    const { streamed } = outcome.completed.result;
    try {
      // A streaming handler behind a BUFFERED URL: its bytes are the response, prelude included.
      if (streamed?.contentType === PRELUDE_CONTENT_TYPE && streamed.body !== undefined) {
        const parsed = new PreludeReader().push(streamed.body);
        if (parsed === undefined) throw new InvalidResponse("the streamed response has no end of its prelude");
        const head = preludeHead(parsed.prelude);
        return answer(outgoing, { ...head, body: parsed.rest }, requestId, origin);
      }
      if (streamed?.body !== undefined)
        return answer(outgoing, { status: 200, headers: { "content-type": streamed.contentType }, body: streamed.body }, requestId, origin);
      return answer(outgoing, translateUrlResponse(payloadText(outcome.completed)), requestId, origin);
    } catch (error) {
      if (!(error instanceof InvalidResponse)) throw error;
      return fail(outgoing, 502, "Internal Server Error", `invalid response: ${error.message}`, requestId, origin);
    }
  };

  const streamed = async (outgoing: ServerResponse, event: string, requestId: string, traceId: string, origin: string | undefined) => {
    let reader: PreludeReader | undefined;
    let started = false;
    let broken: string | undefined;
    const write = (bytes: Uint8Array) => {
      if (!outgoing.destroyed && bytes.byteLength > 0) outgoing.write(bytes);
    };
    // Called from the executor's ring reader: it must not throw, so nothing is written unchecked.
    const onChunk = (bytes: Uint8Array, contentType: string) => {
      if (broken !== undefined) return;
      if (!started) {
        started = true;
        if (contentType === PRELUDE_CONTENT_TYPE) reader = new PreludeReader();
        else if (contentTypeError(contentType) !== undefined)
          broken = `content type ${JSON.stringify(contentType)} is not a valid header value`;
        else {
          outgoing.writeHead(200, withCors({ "content-type": contentType, "x-amzn-requestid": requestId }, origin));
          outgoing.flushHeaders();
        }
      }
      if (broken !== undefined) return;
      if (reader === undefined) return write(bytes);
      const parsed = reader.push(bytes);
      if (parsed === undefined) return;
      reader = undefined;
      let head: { status: number; headers: OutgoingHttpHeaders };
      try {
        head = preludeHead(parsed.prelude);
      } catch (error) {
        broken = (error as Error).message;
        return;
      }
      // The body is still to come: a 204's or 304's bytes are dropped by Node as they are written.
      broken = headProblem(head.status, undefined, head.headers, 0);
      if (broken !== undefined) return;
      head.headers["x-amzn-requestid"] = requestId;
      outgoing.writeHead(head.status, withCors(head.headers, origin));
      outgoing.flushHeaders();
      write(parsed.rest);
    };
    const outcome = await target.invoke(event, requestId, traceId, onChunk);
    if (broken !== undefined) return fail(outgoing, 502, "Internal Server Error", `invalid response stream: ${broken}`, requestId, origin);
    if (outgoing.headersSent) {
      // The status is on its way; an error after the first bytes can only cut the body short.
      if (outcome.kind === "function-error")
        deps.log(`${name}: response stream of ${requestId} ended by ${outcome.errorType}: ${outcome.errorMessage}`);
      outgoing.end();
      return;
    }
    if (outcome.kind !== "ok") return failOutcome(outgoing, outcome, requestId, origin);
    const result = outcome.completed.result;
    if (result.streamed !== undefined) {
      // A stream that ended before its prelude did, or that never wrote a byte.
      const rest = reader?.rest() ?? Buffer.alloc(0);
      if (reader !== undefined)
        return fail(outgoing, 502, "Internal Server Error", "the response stream ended inside its prelude", requestId, origin);
      return answer(outgoing, { status: 200, headers: { "content-type": result.streamed.contentType }, body: rest }, requestId, origin);
    }
    // A handler that does not stream, behind a RESPONSE_STREAM URL: its response as in BUFFERED mode.
    try {
      answer(outgoing, translateUrlResponse(result.payload), requestId, origin);
    } catch (error) {
      if (!(error instanceof InvalidResponse)) throw error;
      fail(outgoing, 502, "Internal Server Error", `invalid response: ${error.message}`, requestId, origin);
    }
  };

  const listener = await listen(
    name,
    async (incoming, outgoing) => {
      const requestId = randomUUID();
      const origin = cors === undefined ? undefined : lastHeader(incoming.rawHeaders, "origin");
      const req: DoorRequest | undefined = await readDoorRequest(incoming, port, SYNC_PAYLOAD_MAX_BYTES);
      // Lambda's 6 MB synchronous payload quota applies to the request a URL receives.
      if (req === undefined)
        return fail(outgoing, 413, "Request Entity Too Large", `request body over ${SYNC_PAYLOAD_MAX_BYTES} bytes`, requestId, origin);
      // Preflights come unsigned (browsers never send credentials on them), so they are answered before auth.
      if (cors !== undefined && isPreflight(req.method, origin, lastHeader(req.rawHeaders, "access-control-request-method")))
        return send(outgoing, 200, cors.preflight(origin, requestId), "");
      const authorizer = iam ? iamCaller(req.rawHeaders, req.query, deps.core.accountId) : undefined;
      if (iam && authorizer === undefined) {
        deps.log(`${name}: 403 for request ${requestId}: AuthType AWS_IAM and the request is not signed with SigV4`);
        return send(outgoing, FORBIDDEN.status, withCors({ ...FORBIDDEN.headers, "x-amzn-requestid": requestId }, origin), FORBIDDEN.body);
      }
      const traceId = lastHeader(req.rawHeaders, "x-amzn-trace-id") ?? rootTraceId();
      const now = Date.now();
      const event = JSON.stringify(
        buildUrlEvent(req, { accountId: deps.core.accountId, urlId, region: deps.core.region, requestId, traceId, now, authorizer }),
      );
      await (streaming ? streamed : buffered)(outgoing, event, requestId, traceId, origin);
    },
    config.port,
    deps.host,
    deps.log,
  );
  port = listener.port;
  return listener;
}

function preludeHead(prelude: string): { status: number; headers: OutgoingHttpHeaders } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(prelude);
  } catch {
    throw new InvalidResponse("the prelude is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InvalidResponse("the prelude is not an object");
  // The prelude's statusCode is optional; Lambda's default is 200.
  const record = parsed as Record<string, unknown>;
  return responseHead({ ...record, statusCode: record.statusCode ?? 200 });
}
