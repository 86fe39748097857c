/** Messages between the main thread and an executor worker, and what the worker starts with. */
import type { MessagePort } from "node:worker_threads";
import type { BulkPart } from "./ring.js";
import type { EnvironmentConfig, FunctionError } from "./types.js";

/** What every executor worker receives at start. */
export interface ExecutorData {
  wasmModule: WebAssembly.Module;
  /** SHA-256 of the wasm binary and the guest runtime: part of every SnapStart snapshot's key. */
  runtimeSha256: string;
  /** Where SnapStart snapshots are stored. */
  snapshotDir: string;
  /** Where transpiled WebAssembly components are cached (component/cache.ts). */
  componentDir: string;
}

/** The rings between one worker and the main thread, and the port that carries frames too large for them. */
export interface ExecutorLink {
  toWorker: SharedArrayBuffer;
  fromWorker: SharedArrayBuffer;
  overflow: MessagePort;
  /** The worker's turns and the invocations it started (turn-clock.ts). */
  turns: SharedArrayBuffer;
  /** The guests' jobs on Node's thread pool, one count for every executor of the process (executor/host-jobs.ts). */
  poolJobs: SharedArrayBuffer;
}

export interface WireInvokeContext {
  requestId: string;
  invokedFunctionArn: string;
  /** Epoch milliseconds after which the invocation has timed out. */
  deadline: number;
  clientContext?: unknown;
  identity?: unknown;
  traceId?: string;
}

/**
 * An invocation as the guest takes it, one string: requestId, invokedFunctionArn, deadline,
 * traceId, clientContext's JSON, identity's JSON (the last three empty when absent), each ended by a
 * newline, then the event. JSON without indentation holds no raw newline; ids, ARNs and trace ids
 * (from HTTP headers) should not either, and lose any they have. Splitting lines costs the guest
 * ~1.5 µs less than JSON.parse of a context object (src/sandbox/guest/invoke.ts reads them).
 */
export function wireInvocation(event: string, context: WireInvokeContext): string {
  const { deadline, clientContext, identity } = context;
  const client = clientContext === undefined ? "" : JSON.stringify(clientContext);
  const who = identity === undefined ? "" : JSON.stringify(identity);
  const lines = `${oneLine(context.requestId)}\n${oneLine(context.invokedFunctionArn)}\n${deadline}\n${oneLine(context.traceId ?? "")}`;
  return `${lines}\n${client}\n${who}\n${event}`;
}

const oneLine = (text: string) => (text.includes("\n") ? text.replaceAll("\n", " ") : text);

/** The context and the event of a wire invocation. */
export function readWireInvocation(wire: string): [context: WireInvokeContext, event: string] {
  const lines: string[] = [];
  let at = 0;
  for (let i = 0; i < 6; i++) {
    const end = wire.indexOf("\n", at);
    lines.push(wire.slice(at, end));
    at = end + 1;
  }
  const [requestId = "", invokedFunctionArn = "", deadline = "", traceId = "", client = "", who = ""] = lines;
  const context: WireInvokeContext = { requestId, invokedFunctionArn, deadline: Number(deadline) };
  if (traceId !== "") context.traceId = traceId;
  if (client !== "") context.clientContext = JSON.parse(client);
  if (who !== "") context.identity = JSON.parse(who);
  return [context, wire.slice(at)];
}

export type ToWorker =
  /** With `snapshotOnly`, SnapStart's snapshot is made (or found) and no environment is kept. */
  | { type: "create"; envId: number; config: EnvironmentConfig; logStreamName: string; snapshotOnly?: boolean }
  /** `wire` is the context and the event as `wireInvocation` writes them: made once on the main thread, given to the guest as it is. */
  | { type: "invoke"; envId: number; invId: number; requestId: string; deadline: number; wire: string }
  | { type: "dispose"; envId: number };

export interface WireInvokeResult {
  ok: boolean;
  payload: string;
  logs: string;
  durationMs: number;
  environmentGone: boolean;
  /** Set when the handler streamed its response. */
  contentType?: string;
  /** Never started: taken back from behind a stalled turn (turn-clock.ts), never sent by a worker. */
  takenBack?: boolean;
}

export type FromWorker =
  | { type: "ready" }
  /** `restored`: the environment came from a SnapStart snapshot, and initDurationMs is its restore. */
  | { type: "created"; envId: number; initDurationMs: number; logs: string; initError?: FunctionError; restored?: boolean }
  | ({ type: "result"; invId: number } & WireInvokeResult)
  /** Bytes a streaming handler wrote, before its result. */
  | { type: "chunk"; invId: number; data: Uint8Array; contentType: string }
  /** Sent ahead of "created" and of a result when either changed: the environment's linear memory and /tmp. */
  | { type: "memory"; envId: number; memoryBytes: number; tmpBytes: number };

/**
 * Messages as ring frames (src/sandbox/shared/ring.ts): JSON for the small fields, and the one large
 * field (the event, the payload, a chunk's bytes) as the frame's bulk part, never escaped into JSON.
 */
export function encodeToWorker(message: ToWorker): [string, BulkPart] {
  if (message.type !== "invoke") return [JSON.stringify(message), undefined];
  const { envId, invId, requestId, deadline } = message;
  return [JSON.stringify([envId, invId, requestId, deadline]), message.wire];
}

/** Every invocation's two messages travel as positional arrays, other messages as objects. */
const isArray = (meta: string) => meta.charCodeAt(0) === 91;

export function decodeToWorker(meta: string, bulk: BulkPart): ToWorker {
  if (!isArray(meta)) return JSON.parse(meta) as ToWorker;
  const [envId, invId, requestId, deadline] = JSON.parse(meta) as [number, number, string, number];
  return { type: "invoke", envId, invId, requestId, deadline, wire: bulk as string };
}

export function encodeFromWorker(message: FromWorker): [string, BulkPart] {
  if (message.type === "result") {
    const { invId, ok, logs, durationMs, environmentGone, contentType } = message;
    return [JSON.stringify([invId, ok, logs, durationMs, environmentGone, contentType ?? null]), message.payload];
  }
  if (message.type === "chunk") {
    const { data, ...rest } = message;
    return [JSON.stringify(rest), data];
  }
  return [JSON.stringify(message), undefined];
}

export function decodeFromWorker(meta: string, bulk: BulkPart): FromWorker {
  if (isArray(meta)) {
    const [invId, ok, logs, durationMs, environmentGone, contentType] = JSON.parse(meta) as [
      number,
      boolean,
      string,
      number,
      boolean,
      string | null,
    ];
    const payload = bulk as string;
    return { type: "result", invId, ok, payload, logs, durationMs, environmentGone, contentType: contentType ?? undefined };
  }
  const message = JSON.parse(meta) as FromWorker;
  if (message.type === "chunk") message.data = bulk as Uint8Array;
  return message;
}
