/**
 * One execution environment as the main thread holds it: it runs one invocation at a time, as in
 * Lambda, on the executor worker that hosts it.
 */
import { randomUUID } from "node:crypto";
import { functionArn } from "../../lambda/arn.js";
import { timedOut } from "../shared/errors.js";
import { type InvocationType, requestPayloadLimit } from "../shared/limits.js";
import { type WireInvokeContext, type WireInvokeResult, wireInvocation } from "../shared/protocol.js";
import type { EnvironmentConfig, FunctionError, InvokeOptions, InvokeResult } from "../shared/types.js";
import type { Executor } from "./executor.js";
import type { Sandbox } from "./sandbox.js";

/** The request payload exceeds Invoke's quota (Lambda: RequestTooLargeException, HTTP 413). */
export class PayloadTooLargeError extends Error {
  override readonly name = "PayloadTooLargeError";
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`${bytes} byte payload is too large for the Invoke operation (limit ${limit} bytes)`);
  }
}

/**
 * The executor was terminated with this invocation still running past its deadline: the handler
 * never yielded (a component in a loop cannot be interrupted otherwise). For it, that is a timeout.
 */
function lostAfterDeadline(result: WireInvokeResult, deadline: number): boolean {
  return !result.ok && result.environmentGone && result.durationMs === 0 && Date.now() > deadline;
}

/** An invocation taken back before it started (executor.ts): the pool runs it in another environment. */
const NOT_STARTED: Omit<InvokeResult, "requestId"> = {
  payload: "",
  streamed: undefined,
  functionError: undefined,
  logs: "",
  durationMs: 0,
  environmentGone: false,
  takenBack: true,
};

function timedOutResult(requestId: string, timeoutSeconds: number): WireInvokeResult {
  const payload = JSON.stringify(timedOut(requestId, timeoutSeconds * 1000));
  return { ok: false, payload, logs: "", durationMs: timeoutSeconds * 1000, environmentGone: true };
}

export class Environment {
  readonly #sandbox: Sandbox;
  readonly #executor: Executor;
  readonly #envId: number;
  readonly #generation: number;
  #initError: FunctionError | undefined;
  #busy = false;
  #gone: boolean;
  #memoryBytes = 0;
  #tmpBytes = 0;
  #peakMemoryBytes = 0;

  /** @internal */
  constructor(
    sandbox: Sandbox,
    executor: Executor,
    envId: number,
    readonly config: EnvironmentConfig,
    /** Its CloudWatch log stream, `2024/01/31/[$LATEST]0123...`, also in AWS_LAMBDA_LOG_STREAM_NAME. */
    readonly logStreamName: string,
    readonly initDurationMs: number,
    readonly initLogs: string,
    initError: FunctionError | undefined,
  ) {
    this.#sandbox = sandbox;
    this.#executor = executor;
    this.#envId = envId;
    this.#generation = executor.generation;
    this.#initError = initError;
    this.#gone = false;
  }

  /** Restored from a SnapStart snapshot: `initDurationMs` is then Lambda's Restore Duration. */
  restored = false;

  get initError(): FunctionError | undefined {
    return this.#initError;
  }

  /** False once the environment is disposed or ended by its phase (timeout, OOM, crash) or its executor (lost, disposed). */
  get alive(): boolean {
    return !this.#gone && this.#executor.generation === this.#generation;
  }

  /** Alive and initialised: it can serve an invocation. */
  get usable(): boolean {
    return this.alive && this.#initError === undefined;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Its executor is stuck in another invocation's long turn: an invocation sent now would wait for it. */
  get executorStalled(): boolean {
    return this.#executor.stalled;
  }

  /** Its linear memory, what it holds of the host (reported after INIT and when an invocation grew it); 0 until then. */
  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** The largest memory reported so far: Lambda's Max Memory Used is the environment's peak. */
  get peakMemoryBytes(): number {
    return this.#peakMemoryBytes;
  }

  /**
   * What the environment's /tmp holds, reported with its memory. It lives in the executor's memory
   * (not its linear memory, not Max Memory Used, as Lambda's /tmp is not memory), and an idle
   * environment keeps it: the warm pool weighs environments by both.
   */
  get tmpBytes(): number {
    return this.#tmpBytes;
  }

  /** Called when a new memory report arrives (the warm pool re-weighs the environment). */
  onMemoryMeasured: ((memoryBytes: number) => void) | undefined;

  /** @internal */
  recordMemory(memoryBytes: number, tmpBytes = 0): void {
    this.#memoryBytes = memoryBytes;
    this.#tmpBytes = tmpBytes;
    if (memoryBytes > this.#peakMemoryBytes) this.#peakMemoryBytes = memoryBytes;
    this.onMemoryMeasured?.(memoryBytes);
  }

  /** @internal Its executor lost it or ended: nothing is left to dispose on the worker. */
  markGone(): void {
    this.#gone = true;
  }

  async invoke(event: string, options: InvokeOptions & { invocationType?: InvocationType } = {}): Promise<InvokeResult> {
    const bytes = Buffer.byteLength(event);
    const limit = requestPayloadLimit(options.invocationType ?? "RequestResponse");
    if (bytes > limit) throw new PayloadTooLargeError(bytes, limit);
    if (this.#busy) throw new Error("an environment serves one invocation at a time");
    const requestId = options.requestId ?? randomUUID();
    if (this.#initError !== undefined) {
      // INIT ran before any request: its error names the first invocation, as Lambda's does.
      const error = {
        ...this.#initError,
        errorMessage: this.#initError.errorMessage.replace("RequestId: undefined", `RequestId: ${requestId}`),
      };
      this.#gone = true;
      return {
        requestId,
        payload: JSON.stringify(error),
        streamed: undefined,
        functionError: "Unhandled",
        logs: this.initLogs,
        durationMs: 0,
        environmentGone: true,
      };
    }
    this.#busy = true;
    try {
      const config = this.config;
      const chunks: Uint8Array[] = [];
      const onChunk = options.onChunk ?? ((bytes: Uint8Array) => void chunks.push(bytes));
      const deadline = Date.now() + config.timeoutSeconds * 1000;
      const context: WireInvokeContext = {
        requestId,
        invokedFunctionArn: options.invokedFunctionArn ?? functionArn(config, config.functionName),
        deadline,
        clientContext: options.clientContext,
        identity: options.identity,
        traceId: options.traceId,
      };
      const invId = this.#sandbox.nextInvocationId();
      const message = { type: "invoke", envId: this.#envId, invId, requestId, deadline, wire: wireInvocation(event, context) } as const;
      const answered = await this.#executor.invoke(message, onChunk);
      if (answered.takenBack) return { ...NOT_STARTED, requestId };
      const result = lostAfterDeadline(answered, deadline) ? timedOutResult(requestId, config.timeoutSeconds) : answered;
      if (result.environmentGone) this.#end();
      return {
        requestId,
        payload: result.payload,
        functionError: result.ok ? undefined : "Unhandled",
        logs: result.logs,
        durationMs: result.durationMs,
        environmentGone: result.environmentGone,
        streamed:
          result.contentType === undefined
            ? undefined
            : { contentType: result.contentType, body: options.onChunk === undefined ? Buffer.concat(chunks) : undefined },
      };
    } finally {
      this.#busy = false;
    }
  }

  #end(): void {
    this.#gone = true;
    this.#executor.environments.delete(this.#envId);
    this.#sandbox.forget(this.#envId);
  }

  dispose(): void {
    if (this.#gone && !this.#executor.environments.has(this.#envId)) return;
    this.#gone = true;
    if (this.#executor.generation === this.#generation) this.#executor.disposeEnvironment(this.#envId);
    this.#sandbox.forget(this.#envId);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
