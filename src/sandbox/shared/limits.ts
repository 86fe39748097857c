/** Lambda quotas the sandbox enforces; each constant names the AWS rule it implements. */

export const MiB = 1024 * 1024;

/** CreateFunction: MemorySize 128–10240 MB. */
export const MEMORY_MIN_MB = 128;
export const MEMORY_MAX_MB = 10240;
/** CreateFunction: Timeout 1–900 seconds. */
export const TIMEOUT_MIN_S = 1;
export const TIMEOUT_MAX_S = 900;
/** EphemeralStorage.Size: /tmp holds 512 MB unless the function asks for up to 10240 MB. */
export const DEFAULT_EPHEMERAL_STORAGE_MB = 512;
export const EPHEMERAL_STORAGE_MAX_MB = 10240;
/** Lambda ends an on-demand INIT phase after 10 seconds. */
export const INIT_TIMEOUT_MS = 10_000;

/** Invoke payload quotas: 6 MB synchronous request and response; 1 MB for Event (AWS raised the asynchronous limit from 256 KB; the deprecated InvokeAsync keeps 256 KB). */
export const SYNC_PAYLOAD_MAX_BYTES = 6 * MiB;
export const EVENT_PAYLOAD_MAX_BYTES = 1 * MiB;
/** The buffered response quota, as the Lambda error message spells it (6 MB + framing). */
export const RESPONSE_MAX_BYTES = 6_291_556;
/** A streamed response may carry up to 200 MB (AWS raised it from 20 MB in 2025). */
export const STREAM_MAX_BYTES = 200 * 1024 * 1024;

/**
 * QuickJS counts its stack in the WebAssembly shadow stack, but wasm frames also live on the
 * worker's native stack; a limit well below the worker's stack keeps deep recursion a catchable
 * RangeError instead of a host stack overflow.
 */
export const GUEST_STACK_BYTES = 512 * 1024;
/**
 * The executor worker's native stack: 64 times GUEST_STACK_BYTES. QuickJS's C recursion (the
 * parser on deeply nested source, JSON.stringify on deeply nested values) takes up to ~30 native
 * bytes per shadow-stack byte; with Node's default of 4 MB it overflowed the host's stack first.
 */
export const EXECUTOR_STACK_MB = 32;
/**
 * Every invocation allocates short-lived host objects (handles, messages, strings); a larger young
 * generation makes scavenges, the main source of cold-start p99 outliers, rarer (bench: p99 ~4 ms
 * to ~2–3 ms in the executor's code path). The bench runs that path with the same young generation.
 */
export const EXECUTOR_YOUNG_GENERATION_MB = 96;

/** Log bytes kept per invocation; beyond it the head and a tail are kept (CloudWatch keeps 256 KB an event). */
export const LOG_HEAD_BYTES = 1 * MiB;
export const LOG_TAIL_BYTES = 4 * 1024;

export type InvocationType = "RequestResponse" | "Event" | "DryRun";

export function requestPayloadLimit(invocationType: InvocationType): number {
  return invocationType === "Event" ? EVENT_PAYLOAD_MAX_BYTES : SYNC_PAYLOAD_MAX_BYTES;
}
