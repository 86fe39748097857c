/**
 * One phase of a guest environment, INIT or one invocation: its log, the guest's answer or the
 * phase's failure, its streamed response, and how they become the outcome the worker sends back.
 */
import { exitError, outOfMemory, responseTooLarge } from "../shared/errors.js";
import { RESPONSE_MAX_BYTES, STREAM_MAX_BYTES } from "../shared/limits.js";
import type { FunctionError } from "../shared/types.js";
import { type GuestAnswer, readGuestOutput } from "./guest-output.js";
import { LogBuffer } from "./log-buffer.js";

export interface PhaseOutcome {
  ok: boolean;
  /** JSON text: the result, or a FunctionError. */
  payload: string;
  logs: string;
  durationMs: number;
  /** The environment cannot serve another invocation. */
  gone: boolean;
  /** Set when the handler streamed its response (its bytes went to the chunk sink, not the payload). */
  contentType?: string;
}

/** Receives a streamed response's bytes as the handler writes them. */
export type ChunkSink = (bytes: Uint8Array, contentType: string) => void;

/** How a phase ends: its outcome but for `gone`, which the environment decides. */
export interface PhaseEnd {
  ok: boolean;
  payload: string;
  /** This end alone leaves the environment unable to serve again. */
  fatal: boolean;
}

export class Phase {
  readonly started = performance.now();
  readonly log: LogBuffer;
  result: GuestAnswer | undefined;
  failure: FunctionError | undefined;
  beforeExitSent = false;
  contentType: string | undefined;
  deadlineTimer: NodeJS.Timeout | undefined;
  #streamedBytes = 0;

  constructor(
    readonly kind: "init" | "invoke",
    readonly requestId: string,
    /** Epoch milliseconds. */
    readonly deadline: number,
    readonly onChunk: ChunkSink | undefined,
    private readonly onSettled: (outcome: PhaseOutcome) => void,
  ) {
    this.log = new LogBuffer(requestId);
  }

  /** The first failure is the phase's error. */
  fail(error: FunctionError): void {
    this.failure ??= error;
  }

  /** Lines from the guest's output box go to the log; its first answer wins, as in Lambda. */
  read(text: string): void {
    readGuestOutput(text, {
      line: (level, message, time) => this.log.write(level, message, time),
      answer: (answer) => {
        this.result ??= answer;
      },
    });
  }

  streamWrite(bytes: Uint8Array): void {
    if (this.failure !== undefined) return;
    this.#streamedBytes += bytes.byteLength;
    if (this.#streamedBytes > STREAM_MAX_BYTES) this.fail(responseTooLarge(this.#streamedBytes, STREAM_MAX_BYTES));
    else this.onChunk?.(bytes, this.contentType ?? "application/octet-stream");
  }

  /** The guest's answer as the phase's end: a response past Lambda's quota fails, as does one that ran out of memory. */
  answered(result: GuestAnswer): PhaseEnd {
    const { ok, payload } = result;
    // A UTF-8 byte is at most 3 per UTF-16 unit: only a long payload needs counting.
    const bytes = payload.length * 3 > RESPONSE_MAX_BYTES ? Buffer.byteLength(payload) : 0;
    if (bytes > RESPONSE_MAX_BYTES)
      return { ok: false, payload: JSON.stringify(responseTooLarge(bytes, RESPONSE_MAX_BYTES)), fatal: false };
    // A handler that ran out of memory and let the error propagate: Lambda would have killed it.
    if (!ok && payload.includes('"out of memory"')) return { ok: false, payload: JSON.stringify(outOfMemory(this.requestId)), fatal: true };
    return { ok, payload, fatal: this.kind === "init" && !ok };
  }

  settle(ok: boolean, payload: string, gone: boolean): void {
    clearTimeout(this.deadlineTimer);
    const durationMs = performance.now() - this.started;
    this.onSettled({ ok, payload, logs: this.log.text(), durationMs, gone, contentType: this.contentType });
  }
}

/** What escaped the guest runtime, as the phase's error: out of memory, or the runtime's exit. */
export function guestFailure(requestId: string, error: unknown): FunctionError {
  const e = (typeof error === "object" && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (e.message === "out of memory" || (error instanceof Error && /memory/i.test(error.name))) return outOfMemory(requestId);
  return exitError(requestId, `${String(e.name ?? "Error")}: ${String(e.message ?? error)}`);
}
