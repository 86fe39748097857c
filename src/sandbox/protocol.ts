/** Messages between the main thread and an executor worker. */
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
