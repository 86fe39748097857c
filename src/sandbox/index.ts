/**
 * The sandbox's public face for the main thread: a Sandbox owns the executor workers and creates
 * Environments on them; an Environment runs one invocation at a time, as in Lambda.
 *
 *   const sandbox = await Sandbox.start();
 *   const env = await sandbox.createEnvironment(config);   // INIT runs here
 *   const result = await env.invoke(JSON.stringify(event), { requestId });
 *   env.dispose();  await sandbox.close();
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { timedOut } from "./errors.js";
import type { Executor, ExecutorData } from "./executor.js";
import { EXTRA_EXECUTOR_IDLE_MS, type ExecutorCounts, Executors } from "./executors.js";
import { guestRuntimeSha256 } from "./guest-host.js";
import { logStreamName } from "./lambda-env.js";
import {
  EPHEMERAL_STORAGE_MAX_MB,
  type InvocationType,
  MEMORY_MAX_MB,
  MEMORY_MIN_MB,
  requestPayloadLimit,
  TIMEOUT_MAX_S,
  TIMEOUT_MIN_S,
} from "./limits.js";
import { type WireInvokeContext, type WireInvokeResult, wireInvocation } from "./protocol.js";
import { removeSnapshots, removeStaleRuntimes } from "./snapshot-files.js";
import type { EnvironmentConfig, FunctionError, InvokeOptions, InvokeResult } from "./types.js";

export { COMPONENT_RUNTIME, ComponentCache, componentFile, InvalidComponentError } from "./component/cache.js";
export * from "./limits.js";
export type { AwsCredentials, EnvironmentConfig, FunctionError, InvokeOptions, InvokeResult } from "./types.js";

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

export interface SandboxOptions {
  /**
   * Executor workers; by default one per core but one, which the main thread keeps busy with HTTP.
   * On 2 cores a second executor cost 15% more CPU per warm invocation and served fewer of them
   * (a prototype of the ring measured the same), as three busy threads then share two cores.
   */
  executors?: number;
  /**
   * Executors started on demand, beyond `executors`, while every one is stalled in a long turn
   * (executor.ts STALLED_AFTER_MS): the bound on how many functions can spin at once without
   * delaying the others. By default twice the cores, at least 4.
   */
  maxExecutors?: number;
  /** How long an executor started on demand may host nothing before it goes; 30 s by default. */
  extraExecutorIdleMs?: number;
  /** Where SnapStart snapshots are stored (the data directory's `snapshots`); a temporary directory by default. */
  snapshotDir?: string;
  /** Where transpiled WebAssembly components are cached (the data directory's `components`); a temporary directory by default. */
  componentDir?: string;
}

export class Sandbox {
  readonly #executors: Executors;
  readonly #environments = new Map<number, Environment>();
  /**
   * The worker reports an environment's memory just ahead of "created", before the Environment
   * exists on this side: kept here until it does, or the first REPORT would miss it.
   */
  readonly #earlyMeasures = new Map<number, [memoryBytes: number, tmpBytes: number]>();
  /** A directory the sandbox made itself (for what no option placed): removed at close. */
  #temporaryDir: string | undefined;
  #nextEnvId = 1;
  #nextInvId = 1;

  /** Where this runtime's SnapStart snapshots are stored (snapshot-files.ts). */
  readonly #snapshots: { dir: string; runtimeSha256: string };

  private constructor(data: ExecutorData, counts: ExecutorCounts, snapshots: { dir: string; runtimeSha256: string }) {
    this.#executors = new Executors(data, counts, (executor) => {
      executor.onEnvironmentsLost = (ids) => {
        for (const id of ids) this.#environments.get(id)?.markGone();
      };
      executor.onMemory = (id, memoryBytes, tmpBytes) => {
        const env = this.#environments.get(id);
        if (env === undefined) this.#earlyMeasures.set(id, [memoryBytes, tmpBytes]);
        else env.recordMemory(memoryBytes, tmpBytes);
      };
    });
    this.#snapshots = snapshots;
  }

  /** The executor workers running now: the base ones and those started on demand. */
  get executorCount(): number {
    return this.#executors.count;
  }

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    // Compiled once per process; every worker instantiates it per function version.
    const wasmPath = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
    const wasmBytes = await readFile(wasmPath);
    const wasmModule = await WebAssembly.compile(wasmBytes);
    const runtimeSha256 = createHash("sha256").update(wasmBytes).update(guestRuntimeSha256()).digest("hex");
    let temporaryDir: string | undefined;
    if (options.snapshotDir === undefined || options.componentDir === undefined) {
      temporaryDir = await mkdtemp(path.join(tmpdir(), "isolambda-sandbox-"));
    }
    const snapshotDir = options.snapshotDir ?? path.join(temporaryDir as string, "snapshots");
    const componentDir = options.componentDir ?? path.join(temporaryDir as string, "components");
    await removeStaleRuntimes(snapshotDir, runtimeSha256);
    const count = Math.max(1, options.executors ?? availableParallelism() - 1);
    const maxExecutors = Math.max(count, options.maxExecutors ?? Math.max(4, 2 * availableParallelism()));
    const data = { wasmModule, runtimeSha256, snapshotDir, componentDir };
    const extraIdleMs = options.extraExecutorIdleMs ?? EXTRA_EXECUTOR_IDLE_MS;
    const sandbox = new Sandbox(data, { base: count, max: maxExecutors, extraIdleMs }, { dir: snapshotDir, runtimeSha256 });
    sandbox.#temporaryDir = temporaryDir;
    await sandbox.#executors.start();
    return sandbox;
  }

  /** Creates an execution environment and runs its INIT phase. A failed INIT is reported by the first invoke. */
  async createEnvironment(config: EnvironmentConfig): Promise<Environment> {
    validateConfig(config);
    const executor = await this.#executors.placement();
    const envId = this.#nextEnvId++;
    const stream = logStreamName(config);
    const created = await executor.create(envId, { type: "create", envId, config, logStreamName: stream });
    const env = new Environment(this, executor, envId, config, stream, created.initDurationMs, created.logs, created.initError);
    env.restored = created.restored === true;
    if (created.initError === undefined) this.#environments.set(envId, env);
    else executor.environments.delete(envId);
    const early = this.#earlyMeasures.get(envId);
    this.#earlyMeasures.delete(envId);
    if (early !== undefined) env.recordMemory(...early);
    return env;
  }

  /**
   * SnapStart at publish: runs INIT and the beforeSnapshot hooks once and saves the snapshot;
   * returns INIT's error, if any, and its logs. Environments of `config` are then restored from it.
   */
  async prepareSnapshot(config: EnvironmentConfig): Promise<{ initError?: FunctionError; logs: string }> {
    validateConfig(config);
    const executor = await this.#executors.placement();
    const envId = this.#nextEnvId++;
    const message = {
      type: "create",
      envId,
      config: { ...config, snapStart: true },
      logStreamName: logStreamName(config),
      snapshotOnly: true,
    } as const;
    const created = await executor.create(envId, message);
    executor.environments.delete(envId);
    return { initError: created.initError, logs: created.logs };
  }

  /**
   * Deletes the SnapStart snapshots stored for a function, or for one version of it: the version
   * was deleted, or ($LATEST) changed in place. Environments already restored are not affected.
   */
  dropSnapshots(functionName: string, version?: string): Promise<void> {
    return removeSnapshots(this.#snapshots.dir, this.#snapshots.runtimeSha256, functionName, version);
  }

  /** @internal */
  nextInvocationId(): number {
    return this.#nextInvId++;
  }

  /** @internal */
  forget(envId: number): void {
    this.#environments.delete(envId);
  }

  /** Terminates executor `index` as the hard-kill path does; its environments fail with Runtime.ExitError. */
  killExecutor(index: number, reason = "executor killed"): void {
    this.#executors.kill(index, reason);
  }

  async close(): Promise<void> {
    await this.#executors.close();
    if (this.#temporaryDir !== undefined) await rm(this.#temporaryDir, { recursive: true, force: true });
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

function validateConfig(config: EnvironmentConfig): void {
  const storage = config.ephemeralStorageMB;
  if (storage !== undefined && !(Number.isInteger(storage) && storage >= 1 && storage <= EPHEMERAL_STORAGE_MAX_MB)) {
    throw new RangeError(`ephemeralStorageMB must be an integer between 1 and ${EPHEMERAL_STORAGE_MAX_MB}`);
  }
  if (!(config.memorySizeMB >= MEMORY_MIN_MB && config.memorySizeMB <= MEMORY_MAX_MB)) {
    throw new RangeError(`memorySizeMB must be between ${MEMORY_MIN_MB} and ${MEMORY_MAX_MB}`);
  }
  if (!(config.timeoutSeconds >= TIMEOUT_MIN_S && config.timeoutSeconds <= TIMEOUT_MAX_S)) {
    throw new RangeError(`timeoutSeconds must be between ${TIMEOUT_MIN_S} and ${TIMEOUT_MAX_S}`);
  }
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

  /** False once the environment can serve no more invocations (failed INIT, timeout, OOM, crash, dispose). */
  get usable(): boolean {
    return !this.#gone && this.#initError === undefined && this.#executor.generation === this.#generation;
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

  /** @internal */
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
        invokedFunctionArn:
          options.invokedFunctionArn ?? `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`,
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
    if (this.#executor.generation === this.#generation) this.#executor.dispose(this.#envId);
    this.#sandbox.forget(this.#envId);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
