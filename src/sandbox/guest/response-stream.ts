// Lambda's response streaming, as the Node.js runtime interface client provides it: the
// `awslambda` global with streamifyResponse. The rest (HttpResponseStream, the writable response
// stream a streaming handler receives) is the bundle builtins/response-stream.js, evaluated only
// by a handler that streams: a hello-world cold start does not pay for it.

import type { HostCapabilities } from "../shared/guest-protocol.js";
import type { BuiltinModules } from "./builtin-modules.js";

const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** Marks the invocation as streamed: its response is the stream's bytes, not a returned value. */
export function openResponse(host: HostCapabilities): void {
  host.streamContentType(DEFAULT_CONTENT_TYPE);
}

export function isStreamingHandler(handler: Record<symbol, unknown>): boolean {
  return handler[HANDLER_STREAMING] === STREAM_RESPONSE;
}

/** `streaming()` gives the bundle builtins/response-stream.js, loaded on first use. */
export function installAwsLambda(streaming: () => BuiltinModules["response-stream"]): void {
  const awslambda = {
    streamifyResponse<T extends object>(handler: T, options?: { highWaterMark?: unknown }): T {
      (handler as Record<symbol, unknown>)[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === "number") {
        (handler as Record<symbol, unknown>)[HANDLER_HIGHWATERMARK] = Number.parseInt(options.highWaterMark as unknown as string, 10);
      }
      return handler;
    },
  } as AwsLambdaGlobal;
  Object.defineProperty(awslambda, "HttpResponseStream", {
    configurable: true,
    enumerable: true,
    get: () => streaming().HttpResponseStream,
  });
  globalThis.awslambda = awslambda;
}
