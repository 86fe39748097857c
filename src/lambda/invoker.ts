/**
 * The invoker: admits an invocation under Lambda's concurrency limits, runs it in the warm pool,
 * and wraps its log in START / END / REPORT (the JSON format's platform records). An invocation
 * over a limit ends throttled, an outcome each caller answers in its own terms (the API's 429, the
 * doors' 429 and 503, the async box's and the pollers' retry later).
 */
import { randomFillSync } from "node:crypto";
import { Metrics } from "../observe/metrics.js";
import { wrapLogs } from "../observe/report.js";
import { type PooledResult, ScalingThrottledError, type WarmPool } from "../pool/index.js";
import type { EnvironmentConfig, InvocationType, InvokeOptions } from "../sandbox/index.js";
import type { ConcurrencyGate } from "./concurrency.js";

export interface Invocation {
  config: EnvironmentConfig;
  /** The version or alias invoked, for metrics. */
  resource: string;
  event: string;
  options: InvokeOptions & { invocationType?: InvocationType };
}

/** Where an invocation's log goes: its function's log group, its environment's stream. */
export type LogSink = (functionName: string, logStreamName: string, log: string) => void;

export interface Completed {
  result: PooledResult;
  /** The version that ran (an alias resolved to one). */
  executedVersion: string;
  /** The whole log: START, the handler's lines, END, REPORT. */
  log: string;
}

/** How an invocation ended. */
export type Outcome =
  | { kind: "ok"; completed: Completed }
  | { kind: "function-error"; completed: Completed }
  | { kind: "throttled"; reason: string }
  | { kind: "not-found"; message: string };

/** How an invocation the invoker was handed ended: its function was found before. */
export type Ran = Exclude<Outcome, { kind: "not-found" }>;

/** An X-Ray trace header in Lambda's format, for invocations that arrive without one. */
export function newTraceId(now = Date.now()): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0");
  const hex = randomHex(40);
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(24)};Sampled=0`;
}

/** Random hex from a pooled buffer: one call into the CSPRNG per 200 trace ids instead of two per id. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;
function randomHex(chars: number): string {
  const bytes = chars / 2;
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString("hex", randomOffset - bytes, randomOffset);
}

function labelsOf(invocation: Invocation): { function: string; resource: string } {
  return { function: invocation.config.functionName, resource: invocation.resource };
}

export class Invoker {
  readonly metrics: Metrics;
  /** Invocations running now, so that shutting down can wait for them. */
  readonly #inFlight = new Set<Promise<PooledResult>>();

  constructor(
    readonly pool: WarmPool,
    readonly gate: ConcurrencyGate,
    private readonly onLog?: LogSink,
  ) {
    this.metrics = new Metrics(gate, pool);
  }

  /** Ends the environments of a function that was updated or deleted. */
  retire(functionName: string): void {
    this.pool.retire(functionName);
    this.gate.forget();
  }

  /** A deleted function: its environments retire and its metrics go. */
  async forget(functionName: string): Promise<void> {
    this.pool.forget(functionName);
    this.gate.forget();
    await this.metrics.forget(functionName);
  }

  /** Runs now, or ends throttled with Lambda's Reason. */
  async invoke(invocation: Invocation): Promise<Ran> {
    const admission = this.gate.admit(invocation.config.functionName);
    if ("throttled" in admission) {
      this.metrics.throttles.inc(labelsOf(invocation));
      return { kind: "throttled", reason: admission.throttled };
    }
    const { config, event, options } = invocation;
    // Field by field, not a spread: the options come in several shapes, and spreading them was slow.
    const { requestId, invocationType, invokedFunctionArn, clientContext, identity, onChunk } = options;
    const traceId = options.traceId ?? newTraceId();
    const run = this.pool.invoke(config, event, {
      requestId,
      invocationType,
      invokedFunctionArn,
      clientContext,
      identity,
      traceId,
      onChunk,
    });
    this.#inFlight.add(run);
    try {
      return this.#complete(invocation, await run);
    } catch (error) {
      if (!(error instanceof ScalingThrottledError)) throw error;
      this.metrics.throttles.inc(labelsOf(invocation));
      return { kind: "throttled", reason: "FunctionInvocationRateLimitExceeded" };
    } finally {
      this.#inFlight.delete(run);
      admission.release();
    }
  }

  /** Resolves once no invocation is running, those that start meanwhile included. */
  async drained(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Counts the invocation and writes its log (one function, not another async step on the warm path). */
  #complete(invocation: Invocation, result: PooledResult): Ran {
    const { config } = invocation;
    const labels = labelsOf(invocation);
    this.metrics.invocations.inc(labels);
    if (result.functionError) this.metrics.errors.inc(labels);
    this.metrics.duration.observe(labels, result.durationMs);
    if (result.spillover) this.metrics.spillovers.inc(labels);
    if (result.initDurationMs !== undefined) {
      this.metrics.coldStarts.inc(labels);
      this.metrics.initDuration.observe(labels, result.initDurationMs);
    }
    if (result.restoreDurationMs !== undefined) this.metrics.coldStarts.inc(labels);
    const log = wrapLogs(result.logs, {
      requestId: result.requestId,
      version: config.functionVersion,
      durationMs: result.durationMs,
      memorySizeMB: config.memorySizeMB,
      maxMemoryUsedBytes: result.peakMemoryBytes,
      initDurationMs: result.initDurationMs,
      restoreDurationMs: result.restoreDurationMs,
      systemLogLevel: config.jsonLogging?.systemLogLevel,
      error: result.functionError === undefined ? undefined : result.payload,
    });
    this.onLog?.(config.functionName, result.logStreamName, log);
    const completed = { result, log, executedVersion: config.functionVersion };
    return result.functionError === undefined ? { kind: "ok", completed } : { kind: "function-error", completed };
  }
}
