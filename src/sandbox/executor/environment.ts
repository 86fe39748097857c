/**
 * One execution environment inside an executor worker: the guest runtime in a QuickJS runtime +
 * context of its own (guest-context.ts), in a wasm instance held to its MemorySize, its package and
 * file system, and the event loop that drives its phases (phase-loop.ts). It is made cold, from a
 * spare, or (SnapStart) from a snapshot.
 */
import type { QuickJSContext } from "quickjs-emscripten-core";
import { exitError } from "../shared/errors.js";
import type { GuestConfig } from "../shared/guest-protocol.js";
import { lambdaEnvironment, logStreamName, nodeVersionOf } from "../shared/lambda-env.js";
import { DEFAULT_EPHEMERAL_STORAGE_MB, INIT_TIMEOUT_MS, MiB } from "../shared/limits.js";
import { type WireInvokeContext, wireInvocation } from "../shared/protocol.js";
import type { EnvironmentConfig } from "../shared/types.js";
import { EsmLoader } from "./esm-loader.js";
import { GuestFileSystem } from "./file-system.js";
import { type EntryArgs, GuestContext, type Origin, pinJobContext } from "./guest-context.js";
import { type HostFunction, hostFunctions } from "./guest-host.js";
import type { Instance, ModuleInstances } from "./instances.js";
import type { PackageFiles } from "./package-files.js";
import type { ChunkSink, PhaseOutcome } from "./phase.js";
import { PhaseLoop } from "./phase-loop.js";
import type { Baseline, MemorySnapshot } from "./snapshot.js";

export class GuestEnvironment {
  readonly #instance: Instance;
  readonly #loop: PhaseLoop;
  readonly #guest: GuestContext;
  /** Set at INIT; a spare runtime has neither. */
  #files: PackageFiles | undefined;
  /** The environment's own file system (its /tmp in particular): made at INIT, gone with the environment. */
  #fileSystem: GuestFileSystem | undefined;

  /**
   * Boots a runtime with the guest runtime in it (INIT comes later, in `#initialize`), or restores
   * one from a snapshot into a fresh dedicated instance.
   */
  private constructor(instance: Instance, origin: Origin) {
    this.#instance = instance;
    if ("snapshot" in origin && instance.loaded !== origin.snapshot) {
      throw new Error("SnapStart: the restore target does not hold this snapshot");
    }
    const loop = new PhaseLoop(instance);
    this.#loop = loop;
    const guest = new GuestContext(instance.module, origin, (ctx) => this.#bindHostFunctions(ctx));
    this.#guest = guest;
    loop.attach(guest);
    guest.runtime.setInterruptHandler(() => loop.shouldInterrupt());
    pinJobContext(guest.runtime, guest.ctx);
    const loader = new EsmLoader(
      guest.ctx,
      () => this.#packageFiles(),
      () => guest.entry("exportNames"),
    );
    guest.runtime.setModuleLoader(
      (name) => loader.load(name),
      (base, requested) => loader.normalize(base, requested),
    );
    if (!("bootstrap" in origin)) return;
    try {
      guest.boot(origin.bootstrap);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * Creates an environment and runs its INIT phase; a failed INIT leaves it disposed. It takes the
   * ready instance, whose guest runtime is already booted (a spare), so a cold start pays only for INIT.
   */
  static async create(
    instances: ModuleInstances,
    config: EnvironmentConfig,
    files: PackageFiles,
    bootstrap: string,
    streamName = logStreamName(config),
  ): Promise<{ env: GuestEnvironment; init: PhaseOutcome }> {
    const instance = await instances.acquire();
    const spare = instances.takeSpare(instance);
    const env = spare instanceof GuestEnvironment ? spare : new GuestEnvironment(instance, { bootstrap });
    const init = await env.#initialize(config, files, streamName);
    if (!init.ok) env.dispose();
    return { env, init };
  }

  /** Boots a spare runtime in `instance` unless it has one. */
  static prepareSpare(instance: Instance, bootstrap: string): void {
    if (instance.spare !== undefined) return;
    try {
      instance.spare = new GuestEnvironment(instance, { bootstrap });
    } catch {
      // The next create boots a runtime of its own.
    }
  }

  /**
   * SnapStart: runs INIT and the beforeSnapshot hooks in an instance of its own, saves the
   * environment, and disposes it. Fails (with the phase's error) when INIT or a hook fails, or when
   * the environment holds state a snapshot cannot carry: timers, fetches, promise jobs, /tmp files.
   */
  static async snapshot(
    instances: ModuleInstances,
    config: EnvironmentConfig,
    files: PackageFiles,
    bootstrap: string,
    baseline: Baseline,
  ): Promise<{ snapshot?: MemorySnapshot; init: PhaseOutcome }> {
    const instance = await instances.dedicated();
    const env = new GuestEnvironment(instance, { bootstrap });
    try {
      const init = await env.#initialize(config, files, logStreamName(config));
      if (!init.ok) return { init };
      const hooks = await env.#runHook("beforeSnapshot");
      const logs = init.logs + hooks.logs;
      if (!hooks.ok) return { init: { ...hooks, logs, durationMs: init.durationMs + hooks.durationMs } };
      const blocker = env.#snapshotBlocker();
      if (blocker !== undefined) {
        const payload = JSON.stringify(exitError("undefined", `SnapStart cannot save this environment: ${blocker}`));
        return { init: { ...init, ok: false, payload, logs } };
      }
      const snapshot = env.#guest.capture(instance.module, baseline);
      return { snapshot, init: { ...init, logs, durationMs: init.durationMs + hooks.durationMs } };
    } finally {
      env.dispose();
    }
  }

  /**
   * SnapStart: an environment restored from `snapshot` in `instance` (fresh, dedicated, the
   * snapshot loaded into its memory: SnapshotStore.takeTarget). Its afterRestore hooks run here; their failure leaves it disposed.
   */
  static async restore(
    instance: Instance,
    snapshot: MemorySnapshot,
    config: EnvironmentConfig,
    files: PackageFiles,
    streamName = logStreamName(config),
  ): Promise<{ env: GuestEnvironment; init: PhaseOutcome }> {
    const env = new GuestEnvironment(instance, { snapshot });
    env.#configure(config, files);
    // What differs between environments of one version; the rest of the configuration is in the snapshot.
    const patch = {
      env: {
        AWS_LAMBDA_LOG_STREAM_NAME: streamName,
        // Lambda's value for a SnapStart environment; a provisioned one says what it serves.
        AWS_LAMBDA_INITIALIZATION_TYPE: config.initializationType === "provisioned-concurrency" ? "provisioned-concurrency" : "snap-start",
      },
      timeOrigin: Date.now(),
    };
    const init = await env.#runHook("afterRestore", JSON.stringify(patch));
    if (!init.ok) env.dispose();
    return { env, init };
  }

  #snapshotBlocker(): string | undefined {
    return this.#loop.pendingWork() ?? (this.tmpBytes > 0 ? "/tmp is not empty" : undefined);
  }

  /** SnapStart's hooks run as part of the INIT phase, under its deadline. */
  #runHook<E extends "beforeSnapshot" | "afterRestore">(entry: E, ...args: EntryArgs<E>): Promise<PhaseOutcome> {
    return this.#loop.run("init", "undefined", Date.now() + INIT_TIMEOUT_MS, () => this.#loop.call(entry, ...args));
  }

  #bindHostFunctions(ctx: QuickJSContext): Record<string, HostFunction> {
    return hostFunctions(
      ctx,
      this.#loop.hooks,
      () => this.#packageFiles(),
      () => this.#guestFileSystem(),
      { limitBytes: () => this.#instance.memory.limitBytes, hold: (delta) => this.#instance.memory.hold(delta) },
    );
  }

  #packageFiles(): PackageFiles {
    if (this.#files === undefined) throw new Error("the environment has no package before INIT");
    return this.#files;
  }

  #guestFileSystem(): GuestFileSystem {
    if (this.#fileSystem === undefined) throw new Error("the environment has no file system before INIT");
    return this.#fileSystem;
  }

  /** What INIT (or a restore) gives the environment: its package, its file system and its limits. */
  #configure(config: EnvironmentConfig, files: PackageFiles): void {
    this.#files = files;
    this.#fileSystem = new GuestFileSystem(files, (config.ephemeralStorageMB ?? DEFAULT_EPHEMERAL_STORAGE_MB) * MiB);
    // Lambda's MemorySize holds the whole linear memory; QuickJS's own limit still refuses a single block past it.
    this.#instance.memory.limitBytes = config.memorySizeMB * MiB;
    this.#guest.runtime.setMemoryLimit(this.#instance.memory.limitBytes);
    this.#loop.timeoutMs = config.timeoutSeconds * 1000;
    this.#loop.egress = config.egress;
  }

  #initialize(config: EnvironmentConfig, files: PackageFiles, streamName: string): Promise<PhaseOutcome> {
    this.#configure(config, files);
    const guestConfig = {
      handler: config.handler,
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      memorySizeMB: config.memorySizeMB,
      env: lambdaEnvironment(config, streamName),
      nodeVersion: nodeVersionOf(config.runtime),
      timeOrigin: Date.now(),
    } satisfies GuestConfig;
    return this.#loop.run("init", "undefined", Date.now() + INIT_TIMEOUT_MS, () => {
      this.#loop.call("configure", JSON.stringify(guestConfig));
      this.#loop.call("init");
    });
  }

  invoke(event: string, context: WireInvokeContext, onChunk?: ChunkSink): Promise<PhaseOutcome> {
    return this.invokeWire(wireInvocation(event, context), context.requestId, context.deadline, onChunk);
  }

  /** An invocation as the executor receives it (src/sandbox/shared/protocol.ts): one string, one call into the guest. */
  invokeWire(
    wire: string,
    requestId: string,
    deadline: number,
    onChunk?: ChunkSink,
    onSettled?: (outcome: PhaseOutcome) => void,
  ): Promise<PhaseOutcome> {
    if (this.#loop.gone) {
      const outcome = this.#goneOutcome(requestId);
      onSettled?.(outcome);
      return Promise.resolve(outcome);
    }
    return this.#loop.run("invoke", requestId, deadline, () => this.#loop.call("invoke", wire), onChunk, onSettled);
  }

  /** An invocation (or INIT) is running in it. */
  get busy(): boolean {
    return this.#loop.busy;
  }

  get gone(): boolean {
    return this.#loop.gone;
  }

  #goneOutcome(requestId: string): PhaseOutcome {
    return { ok: false, payload: JSON.stringify(exitError(requestId, "environment is gone")), logs: "", durationMs: 0, gone: true };
  }

  /** What the environment holds of the host's memory, its peak too: Lambda's Max Memory Used. */
  get memoryBytes(): number {
    return this.#instance.memory.bytes;
  }

  /** What the environment's /tmp holds, in the executor's memory (outside the QuickJS heap). */
  get tmpBytes(): number {
    return this.#fileSystem?.tmpUsedBytes ?? 0;
  }

  dispose(): void {
    if (!this.#loop.end()) return;
    this.#fileSystem = undefined;
    try {
      this.#guest.dispose();
    } catch {
      // The instance is never reused: a disposal that failed inside it goes with it.
    }
  }
}
