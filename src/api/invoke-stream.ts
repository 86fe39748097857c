/**
 * InvokeWithResponseStream: POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations.
 * The answer is an AWS event stream (the framing the SDKs decode): a PayloadChunk event per piece
 * the handler writes, sent as it is written, then one InvokeComplete event with the error, if any,
 * and the log tail. The response's Content-Type is the one the handler set on its stream.
 */
import { randomUUID } from "node:crypto";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { Hono } from "hono";
import { contentTypeError } from "../doors/shared/http-validate.js";
import type { Completed } from "../lambda/invoker.js";
import type { RegistryCache } from "../lambda/registry-cache.js";
import { logTail } from "../observe/report.js";
import type { FunctionError, InvocationType } from "../sandbox/index.js";
import type { ApiDeps } from "./deps.js";
import { errorResponse } from "./errors.js";
import { completedOf, honoInvokeRequest, readInvokeRequest } from "./invoke.js";

const INVOCATION_TYPES = new Set<InvocationType>(["RequestResponse", "DryRun"]);
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

function event(type: "PayloadChunk" | "InvokeComplete", contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "event" },
    },
    body,
  });
}

const payloadChunk = (bytes: Uint8Array) => event("PayloadChunk", "application/octet-stream", bytes);

/** The error the invocation ended with: the runtime's own, if the stream could not start, else the handler's. */
function invokeComplete(completed: Completed, tail: boolean, refused: FunctionError | undefined): Uint8Array {
  const { result, log } = completed;
  const members: Record<string, string> = {};
  if (refused !== undefined) {
    members.ErrorCode = refused.errorType;
    members.ErrorDetails = JSON.stringify(refused);
  } else if (result.functionError !== undefined) {
    // As the runtime reports a streaming error (trailers Lambda-Runtime-Function-Error-Type and -Body).
    members.ErrorCode = (JSON.parse(result.payload) as FunctionError).errorType;
    members.ErrorDetails = result.payload;
  }
  members.LogResult = tail ? logTail(log) : "";
  return event("InvokeComplete", "application/json", Buffer.from(JSON.stringify(members)));
}

/** A stream's content type until the handler sets one (the Node.js runtime's default). */
const STREAM_CONTENT_TYPE = "application/octet-stream";

export function mountInvokeStream(app: Hono, deps: ApiDeps, cache: RegistryCache): void {
  app.post("/2021-11-15/functions/:name/response-streaming-invocations", async (c) => {
    const requestId = randomUUID();
    try {
      const request = await readInvokeRequest(honoInvokeRequest(c), deps, cache, requestId, INVOCATION_TYPES);
      if (request.invocationType === "DryRun") return c.body(null, 204, request.headers);
      let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
      /** Set once the client has gone: the stream takes no more frames. */
      let gone = false;
      const early: Uint8Array[] = [];
      let contentType: string | undefined;
      /** The runtime's error for a content type no header may carry: the stream never starts. */
      let refused: FunctionError | undefined;
      const typed = (type: string) => {
        refused = contentTypeError(type);
        contentType = refused === undefined ? type : STREAM_CONTENT_TYPE;
      };
      let firstChunk: () => void = () => {};
      const first = new Promise<undefined>((resolve) => {
        firstChunk = () => resolve(undefined);
      });
      // Called from the executor's ring reader: it must not throw.
      const onChunk = (bytes: Uint8Array, type: string) => {
        if (contentType === undefined) typed(type);
        if (refused !== undefined || gone) return;
        const frame = payloadChunk(bytes);
        if (sink === undefined) early.push(frame);
        else sink.enqueue(frame);
        firstChunk();
      };
      const running = deps.invoker.invoke({ ...request.invocation, options: { ...request.invocation.options, onChunk } }).then(completedOf);
      // Answer at the first byte or at the end, whichever comes first: until then a throttle or an
      // INIT failure is still an ordinary error response.
      const ended = await Promise.race([first, running]);
      if (ended !== undefined && contentType === undefined) typed(ended.result.streamed?.contentType ?? "application/json");
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          sink = controller;
          for (const frame of early.splice(0)) controller.enqueue(frame);
          running
            .then((completed) => {
              if (gone) return;
              const { result } = completed;
              // A handler that does not stream answers with its whole response as one chunk.
              if (result.streamed === undefined && result.functionError === undefined)
                controller.enqueue(payloadChunk(Buffer.from(result.payload)));
              controller.enqueue(invokeComplete(completed, request.tail, refused));
              controller.close();
            })
            .catch((error: unknown) => {
              console.error(`isolambda: streamed invocation ${requestId} failed:`, error);
              if (!gone) controller.error(error);
            });
        },
        cancel() {
          gone = true;
        },
      });
      return new Response(body, {
        status: 200,
        headers: { ...request.headers, "content-type": contentType ?? STREAM_CONTENT_TYPE },
      });
    } catch (error) {
      return errorResponse(error, requestId);
    }
  });
}
