/**
 * The sandbox on the main thread: a Sandbox owns the executor workers and creates Environments
 * (environment-handle.ts) on them.
 *
 *   const sandbox = await Sandbox.start();
 *   const env = await sandbox.createEnvironment(config);   // INIT runs here
 *   const result = await env.invoke(JSON.stringify(event), { requestId });
 *   env.dispose();  await sandbox.dispose();
 *
 * Sandbox, Environment and Executor end the same way, as quickjs-emscripten's lifetimes do: `alive`
 * until `dispose()` (or `using` / `await using`), which may be called again and does nothing then.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { guestRuntimeSha256 } from "../shared/guest-bundle.js";
import { logStreamName } from "../shared/lambda-env.js";
import { EPHEMERAL_STORAGE_MAX_MB, MEMORY_MAX_MB, MEMORY_MIN_MB, TIMEOUT_MAX_S, TIMEOUT_MIN_S } from "../shared/limits.js";
import type { ExecutorData } from "../shared/protocol.js";
import { removeSnapshots, removeStaleRuntimes } from "../shared/snapshot-files.js";
import type { EnvironmentConfig, FunctionError } from "../shared/types.js";
import { Environment } from "./environment-handle.js";
import { EXTRA_EXECUTOR_IDLE_MS, type ExecutorCounts, Executors } from "./executors.js";

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
  /** A directory the sandbox made itself (for what no option placed): removed at dispose. */
  #temporaryDir: string | undefined;
  #nextEnvId = 1;
  #nextInvId = 1;
  #disposed: Promise<void> | undefined;

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

  /** False once dispose() has been called. */
  get alive(): boolean {
    return this.#disposed === undefined;
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
    this.#assertAlive();
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
    this.#assertAlive();
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

  /** Ends the executor workers, and with them every environment; removes the sandbox's own directory. */
  dispose(): Promise<void> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  async #dispose(): Promise<void> {
    for (const env of this.#environments.values()) env.markGone();
    this.#environments.clear();
    await this.#executors.dispose();
    if (this.#temporaryDir !== undefined) await rm(this.#temporaryDir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #assertAlive(): void {
    // A worker already terminated would never answer: fail now rather than wait forever.
    if (!this.alive) throw new Error("the sandbox is disposed");
  }
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
