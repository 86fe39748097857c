/** Messages between the main thread and an executor worker. */
import type { BulkPart } from "./ring.js";
import type { EnvironmentConfig, FunctionError } from "./types.js";

export interface WireInvokeContext {
  requestId: string;
  invokedFunctionArn: string;
  /** Epoch milliseconds after which the invocation has timed out. */
  deadline: number;
  clientContext?: unknown;
  identity?: unknown;
  traceId?: string;
}

export type ToWorker =
  /** With `snapshotOnly`, SnapStart's snapshot is made (or found) and no environment is kept. */
  | { type: "create"; envId: number; config: EnvironmentConfig; logStreamName: string; snapshotOnly?: boolean }
  | { type: "invoke"; envId: number; invId: number; event: string; context: WireInvokeContext }
  | { type: "dispose"; envId: number };

export interface WireInvokeResult {
  ok: boolean;
  payload: string;
  logs: string;
  durationMs: number;
  environmentGone: boolean;
  /** Set when the handler streamed its response. */
  contentType?: string;
}

export type FromWorker =
  | { type: "ready" }
  /** `restored`: the environment came from a SnapStart snapshot, and initDurationMs is its restore. */
  | { type: "created"; envId: number; initDurationMs: number; logs: string; initError?: FunctionError; restored?: boolean }
  /** Sent right after "created" and after invocations, off the request path: the environment's QuickJS heap. */
  | ({ type: "result"; invId: number } & WireInvokeResult)
  /** Bytes a streaming handler wrote, before its result. */
  | { type: "chunk"; invId: number; data: Uint8Array; contentType: string }
  | { type: "memory"; envId: number; heapBytes: number; tmpBytes: number };

/**
 * Messages as ring frames (src/sandbox/ring.ts): JSON for the small fields, and the one large
 * field (the event, the payload, a chunk's bytes) as the frame's bulk part, never escaped into JSON.
 */
export function encodeToWorker(message: ToWorker): [string, BulkPart] {
  if (message.type !== "invoke") return [JSON.stringify(message), undefined];
  const { event, ...rest } = message;
  return [JSON.stringify(rest), event];
}

export function decodeToWorker(meta: string, bulk: BulkPart): ToWorker {
  const message = JSON.parse(meta) as ToWorker;
  if (message.type === "invoke") message.event = bulk as string;
  return message;
}

export function encodeFromWorker(message: FromWorker): [string, BulkPart] {
  if (message.type === "result") {
    const { payload, ...rest } = message;
    return [JSON.stringify(rest), payload];
  }
  if (message.type === "chunk") {
    const { data, ...rest } = message;
    return [JSON.stringify(rest), data];
  }
  return [JSON.stringify(message), undefined];
}

export function decodeFromWorker(meta: string, bulk: BulkPart): FromWorker {
  const message = JSON.parse(meta) as FromWorker;
  if (message.type === "result") message.payload = bulk as string;
  else if (message.type === "chunk") message.data = bulk as Uint8Array;
  return message;
}
