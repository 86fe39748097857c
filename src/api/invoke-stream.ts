/**
 * InvokeWithResponseStream: POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations.
 * The answer is an AWS event stream (the framing the SDKs decode): a PayloadChunk event per piece
 * the handler writes, sent as it is written, then one InvokeComplete event with the error, if any,
 * and the log tail. The response's Content-Type is the one the handler set on its stream.
 */
import { randomUUID } from "node:crypto";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { Hono } from "hono";
import type { Completed } from "../invoke/index.js";
import { logTail } from "../observe/report.js";
import type { FunctionError } from "../sandbox/index.js";
import type { InvocationType } from "../sandbox/limits.js";
import type { ApiDeps } from "./deps.js";
import { errorResponse } from "./errors.js";
import { honoInvokeRequest, readInvokeRequest } from "./invoke.js";
import type { RegistryCache } from "./registry-cache.js";

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

function invokeComplete(completed: Completed, tail: boolean): Uint8Array {
  const { result, log } = completed;
  const members: Record<string, string> = {};
  if (result.functionError !== undefined) {
    // As the runtime reports a streaming error (trailers Lambda-Runtime-Function-Error-Type and -Body).
    members.ErrorCode = (JSON.parse(result.payload) as FunctionError).errorType;
    members.ErrorDetails = result.payload;
  }
  members.LogResult = tail ? logTail(log) : "";
  return event("InvokeComplete", "application/json", Buffer.from(JSON.stringify(members)));
}

export function mountInvokeStream(app: Hono, deps: ApiDeps, cache: RegistryCache): void {
  app.post("/2021-11-15/functions/:name/response-streaming-invocations", async (c) => {
    const requestId = randomUUID();
    try {
      const request = await readInvokeRequest(honoInvokeRequest(c), deps, cache, requestId, INVOCATION_TYPES);
      if (request.invocationType === "DryRun") return c.body(null, 204, request.headers);
      let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
      const early: Uint8Array[] = [];
      let contentType: string | undefined;
      let firstChunk: () => void = () => {};
      const first = new Promise<undefined>((resolve) => {
        firstChunk = () => resolve(undefined);
      });
      const onChunk = (bytes: Uint8Array, type: string) => {
        contentType ??= type;
        const frame = payloadChunk(bytes);
        if (sink === undefined) early.push(frame);
        else sink.enqueue(frame);
        firstChunk();
      };
      const running = deps.invoker.invoke({ ...request.invocation, options: { ...request.invocation.options, onChunk } });
      // Answer at the first byte or at the end, whichever comes first: until then a throttle or an
      // INIT failure is still an ordinary error response.
      const ended = await Promise.race([first, running]);
      if (ended !== undefined) contentType ??= ended.result.streamed?.contentType ?? "application/json";
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          sink = controller;
          for (const frame of early.splice(0)) controller.enqueue(frame);
          running.then(
            (completed) => {
              const { result } = completed;
              // A handler that does not stream answers with its whole response as one chunk.
              if (result.streamed === undefined && result.functionError === undefined)
                controller.enqueue(payloadChunk(Buffer.from(result.payload)));
              controller.enqueue(invokeComplete(completed, request.tail));
              controller.close();
            },
            (error: unknown) => {
              console.error(`isolambda: streamed invocation ${requestId} failed:`, error);
              controller.error(error);
            },
          );
        },
      });
      return new Response(body, {
        status: 200,
        headers: { ...request.headers, "content-type": contentType ?? "application/octet-stream" },
      });
    } catch (error) {
      return errorResponse(error, requestId);
    }
  });
}
