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
  | { type: "create"; envId: number; config: EnvironmentConfig }
  | { type: "invoke"; envId: number; invId: number; event: string; context: WireInvokeContext }
  | { type: "dispose"; envId: number };

export interface WireInvokeResult {
  ok: boolean;
  payload: string;
  logs: string;
  durationMs: number;
  environmentGone: boolean;
}

export type FromWorker =
  | { type: "ready" }
  | { type: "created"; envId: number; initDurationMs: number; logs: string; initError?: FunctionError }
  | ({ type: "result"; invId: number } & WireInvokeResult)
  /** Measured off the request path, after an invocation: the environment's QuickJS heap. */
  | { type: "memory"; envId: number; heapBytes: number };
