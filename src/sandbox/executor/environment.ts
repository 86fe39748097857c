/**
 * One execution environment inside an executor worker: the guest runtime in a QuickJS runtime +
 * context of its own (guest-context.ts), in a wasm instance held to its MemorySize, and the small event loop that drives a
 * phase (INIT or one invocation) until the handler's result, a deadline, or a fatal error ends it.
 * Between phases the environment is frozen: its timers and late fetch results wait for the next phase.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { exitError, exitedWith, initTimedOut, outOfMemory, responseTooLarge, timedOut } from "../shared/errors.js";
import { lambdaEnvironment, logStreamName, nodeVersionOf } from "../shared/lambda-env.js";
import { DEFAULT_EPHEMERAL_STORAGE_MB, INIT_TIMEOUT_MS, MiB, RESPONSE_MAX_BYTES, STREAM_MAX_BYTES } from "../shared/limits.js";
import { type WireInvokeContext, wireInvocation } from "../shared/protocol.js";
import type { EnvironmentConfig, FunctionError } from "../shared/types.js";
import { EsmLoader } from "./esm-loader.js";
import { GuestFileSystem } from "./file-system.js";
import { type Entry, type GuestArg, GuestContext, type Origin, pinJobContext } from "./guest-context.js";
import { type HostFunction, type HostHooks, hostFunctions } from "./guest-host.js";
import { type GuestAnswer, readGuestOutput } from "./guest-output.js";
import { GuestTimers } from "./guest-timers.js";
import { performFetch } from "./host-fetch.js";
import type { Instance, ModuleInstances } from "./instances.js";
import { LogBuffer } from "./log-buffer.js";
import type { PackageFiles } from "./package-files.js";
import type { Baseline, MemorySnapshot } from "./snapshot.js";

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

interface Phase {
  kind: "init" | "invoke";
  requestId: string;
  deadline: number;
  started: number;
  log: LogBuffer;
  result?: GuestAnswer;
  failure?: FunctionError;
  beforeExitSent?: boolean;
  contentType?: string;
  streamedBytes: number;
  onChunk?: ChunkSink;
  settle(outcome: PhaseOutcome): void;
  deadlineTimer?: NodeJS.Timeout;
}

export class GuestEnvironment {
  /** Marks the executor's turns of guest code (set by the worker: turn-clock.ts). */
  static turns: { begin(): void; end(): void } = { begin() {}, end() {} };
  /** Called while a turn runs on (at QuickJS's interrupt checks): the worker sends what others answered before it. */
  static duringTurn: () => void = () => {};
  readonly #instance: Instance;
  readonly #guest: GuestContext;
  /** Set at INIT; a spare runtime has neither. */
  #files: PackageFiles | undefined;
  /** The environment's own file system (its /tmp in particular): made at INIT, gone with the environment. */
  #fileSystem: GuestFileSystem | undefined;
  #timeoutMs = 0;
  #egress: EnvironmentConfig["egress"];
  readonly #timers = new GuestTimers();
  readonly #fetches = new Set<number>();
  readonly #ready: Array<() => void> = [];
  #phase: Phase | undefined;
  #interrupted = false;
  #outOfMemory = false;
  /** process.exit ran: the interrupt handler stops the guest, whose exception is then no failure of its own. */
  #exited = false;
  #gone = false;
  #disposed = false;

  /**
   * Boots a runtime with the guest runtime in it (INIT comes later, in `#initialize`), or restores
   * one from a snapshot into a fresh dedicated instance.
   */
  private constructor(instance: Instance, origin: Origin) {
    this.#instance = instance;
    if ("snapshot" in origin && instance.loaded !== origin.snapshot) {
      throw new Error("SnapStart: the restore target does not hold this snapshot");
    }
    const guest = new GuestContext(instance.module, origin, (ctx) => this.#bindHostFunctions(ctx));
    this.#guest = guest;
    guest.runtime.setInterruptHandler(() => this.#shouldInterrupt());
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
      const hooks = await env.#runPhase("init", "undefined", Date.now() + INIT_TIMEOUT_MS, () => env.#call("beforeSnapshot"));
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
    env.#files = files;
    env.#fileSystem = new GuestFileSystem(files, (config.ephemeralStorageMB ?? DEFAULT_EPHEMERAL_STORAGE_MB) * MiB);
    env.#limitMemory(config);
    env.#timeoutMs = config.timeoutSeconds * 1000;
    env.#egress = config.egress;
    // What differs between environments of one version; the rest of the configuration is in the snapshot.
    const patch = {
      env: {
        AWS_LAMBDA_LOG_STREAM_NAME: streamName,
        // Lambda's value for a SnapStart environment; a provisioned one says what it serves.
        AWS_LAMBDA_INITIALIZATION_TYPE: config.initializationType === "provisioned-concurrency" ? "provisioned-concurrency" : "snap-start",
      },
      timeOrigin: Date.now(),
    };
    const init = await env.#runPhase("init", "undefined", Date.now() + INIT_TIMEOUT_MS, () =>
      env.#call("afterRestore", JSON.stringify(patch)),
    );
    if (!init.ok) env.dispose();
    return { env, init };
  }

  #snapshotBlocker(): string | undefined {
    if (this.#timers.count > 0) return "a timer is pending (clear it in a beforeSnapshot hook)";
    if (this.#fetches.size > 0) return "a fetch is in flight";
    if (this.#guest.runtime.hasPendingJob()) return "a promise job is pending";
    if (this.tmpBytes > 0) return "/tmp is not empty";
    return undefined;
  }

  #bindHostFunctions(ctx: QuickJSContext): Record<string, HostFunction> {
    return hostFunctions(
      ctx,
      this.#hooks,
      () => this.#packageFiles(),
      () => this.#guestFileSystem(),
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

  #initialize(config: EnvironmentConfig, files: PackageFiles, streamName: string): Promise<PhaseOutcome> {
    this.#files = files;
    this.#fileSystem = new GuestFileSystem(files, (config.ephemeralStorageMB ?? DEFAULT_EPHEMERAL_STORAGE_MB) * MiB);
    this.#limitMemory(config);
    this.#timeoutMs = config.timeoutSeconds * 1000;
    this.#egress = config.egress;
    const guestConfig = {
      handler: config.handler,
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      memorySizeMB: config.memorySizeMB,
      env: lambdaEnvironment(config, streamName),
      nodeVersion: nodeVersionOf(config.runtime),
      timeOrigin: Date.now(),
    };
    return this.#runPhase("init", "undefined", Date.now() + INIT_TIMEOUT_MS, () => {
      this.#call("configure", JSON.stringify(guestConfig));
      this.#call("init");
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
    if (this.#gone) {
      const outcome = this.#goneOutcome(requestId);
      onSettled?.(outcome);
      return Promise.resolve(outcome);
    }
    return this.#runPhase("invoke", requestId, deadline, () => this.#call("invoke", wire), onChunk, onSettled);
  }

  /** An invocation (or INIT) is running in it. */
  get busy(): boolean {
    return this.#phase !== undefined;
  }

  get gone(): boolean {
    return this.#gone;
  }

  #goneOutcome(requestId: string): PhaseOutcome {
    return { ok: false, payload: JSON.stringify(exitError(requestId, "environment is gone")), logs: "", durationMs: 0, gone: true };
  }

  #runPhase(
    kind: Phase["kind"],
    requestId: string,
    deadline: number,
    start: () => void,
    onChunk?: ChunkSink,
    onSettled?: (outcome: PhaseOutcome) => void,
  ): Promise<PhaseOutcome> {
    return new Promise((resolve) => {
      const settle = (outcome: PhaseOutcome) => {
        onSettled?.(outcome);
        resolve(outcome);
      };
      const phase: Phase = {
        kind,
        requestId,
        deadline,
        streamedBytes: 0,
        onChunk,
        started: performance.now(),
        log: new LogBuffer(requestId),
        settle,
      };
      this.#phase = phase;
      this.#enter(start);
      for (const task of this.#ready.splice(0)) this.#enter(task);
      // Most warm invocations end within their first turn; a synchronous overrun is stopped by the
      // interrupt handler. Only a phase still waiting (on timers, I/O) needs a timer for its deadline.
      if (this.#phase === phase) phase.deadlineTimer = setTimeout(() => this.#onDeadline(), Math.max(0, deadline - Date.now()));
    });
  }

  /** Runs guest code and the promise jobs it queued, then decides whether the phase is over. */
  #enter(task: () => void): void {
    if (this.#phase === undefined || this.#gone) return;
    GuestEnvironment.turns.begin();
    try {
      task();
      this.#guest.executePendingJobs()?.consume((error) => this.#guestThrew(error));
    } catch (error) {
      this.#fail(this.#guestFailure(error));
    }
    try {
      this.#afterTurn();
    } finally {
      GuestEnvironment.turns.end();
    }
  }

  #call(entry: Entry, ...args: GuestArg[]): void {
    this.#guest.call(entry, args)?.consume((error) => this.#guestThrew(error));
  }

  /** An exception escaped the guest runtime: an interrupt, out of memory, or a broken environment. */
  #guestThrew(error: QuickJSHandle): void {
    if (this.#exited) return;
    if (this.#outOfMemory) {
      this.#fail(outOfMemory(this.#phase?.requestId ?? "undefined"));
      return;
    }
    if (this.#interrupted) {
      this.#fail(this.#timeoutError());
      return;
    }
    let dumped: unknown;
    try {
      dumped = this.#guest.ctx.dump(error);
    } catch {
      dumped = { name: "InternalError", message: "out of memory" };
    }
    this.#fail(this.#guestFailure(dumped));
  }

  #guestFailure(error: unknown): FunctionError {
    const requestId = this.#phase?.requestId ?? "undefined";
    const e = (typeof error === "object" && error !== null ? error : {}) as { name?: unknown; message?: unknown };
    if (e.message === "out of memory" || (error instanceof Error && /memory/i.test(error.name))) return outOfMemory(requestId);
    return exitError(requestId, `${String(e.name ?? "Error")}: ${String(e.message ?? error)}`);
  }

  #timeoutError(): FunctionError {
    const phase = this.#phase;
    if (phase?.kind === "init") return initTimedOut();
    return timedOut(phase?.requestId ?? "undefined", this.#timeoutMs);
  }

  #fail(error: FunctionError): void {
    if (this.#phase !== undefined && this.#phase.failure === undefined) this.#phase.failure = error;
  }

  #shouldInterrupt(): boolean {
    GuestEnvironment.duringTurn();
    if (this.#phase !== undefined && Date.now() > this.#phase.deadline) this.#interrupted = true;
    if (this.#phase !== undefined && this.#instance.memory.exhausted) this.#outOfMemory = true;
    return this.#interrupted || this.#outOfMemory || this.#exited || this.#disposed;
  }

  /** Lambda's MemorySize holds the whole linear memory; QuickJS's own limit still refuses a single block past it. */
  #limitMemory(config: EnvironmentConfig): void {
    this.#instance.memory.limitBytes = config.memorySizeMB * MiB;
    this.#guest.runtime.setMemoryLimit(this.#instance.memory.limitBytes);
  }

  /** What the environment holds of the host's memory, its peak too: Lambda's Max Memory Used. */
  get memoryBytes(): number {
    return this.#instance.memory.bytes;
  }

  /** What the environment's /tmp holds, in the executor's memory (outside the QuickJS heap). */
  get tmpBytes(): number {
    return this.#fileSystem?.tmpUsedBytes ?? 0;
  }

  #onDeadline(): void {
    if (this.#phase === undefined) return;
    this.#fail(this.#timeoutError());
    this.#afterTurn();
  }

  #loopEmpty(): boolean {
    if (this.#fetches.size > 0 || this.#guest.runtime.hasPendingJob()) return false;
    return !this.#timers.keepLoopAlive;
  }

  #afterTurn(): void {
    const phase = this.#phase;
    this.#readOutput(this.#guest.takeOutput());
    if (phase === undefined) return;
    if (this.#instance.memory.exhausted) this.#outOfMemory = true;
    // An interrupt is uncatchable, yet an async function turns it into a rejection and a timer
    // into an uncaught exception: whatever the guest made of it, the phase timed out or ran out of memory.
    if (this.#outOfMemory) phase.failure = outOfMemory(phase.requestId);
    else if (this.#interrupted) phase.failure = this.#timeoutError();
    if (phase.failure === undefined && phase.result === undefined && this.#loopEmpty()) {
      if (phase.kind === "invoke" && !phase.beforeExitSent) {
        phase.beforeExitSent = true;
        // Lambda's runtime answers null once the event loop is empty and nothing else answered.
        this.#enter(() => this.#call("beforeExit"));
        return;
      }
      // Node exits with code 13 when top-level await can never settle.
      this.#fail(exitError(phase.requestId, phase.kind === "init" ? "exit status 13 (unsettled top-level await)" : "no response"));
    }
    if (phase.failure !== undefined) {
      this.#settle(phase, false, JSON.stringify(phase.failure), true);
      return;
    }
    const result = phase.result;
    if (result !== undefined && (!result.wait || this.#loopEmpty())) {
      this.#finish(phase, result);
      return;
    }
    this.#armTimers();
  }

  /** Lines and answers from the guest's output box go to the running phase; without one, nowhere. */
  #readOutput(text: string): void {
    const phase = this.#phase;
    if (phase === undefined || text === "") return;
    readGuestOutput(text, {
      line: (level, message, time) => phase.log.write(level, message, time),
      // The first answer of a phase wins, as in Lambda.
      answer: (answer) => {
        phase.result ??= answer;
      },
    });
  }

  #finish(phase: Phase, result: NonNullable<Phase["result"]>): void {
    const { ok, payload } = result;
    // A UTF-8 byte is at most 3 per UTF-16 unit: only a long payload needs counting.
    const bytes = payload.length * 3 > RESPONSE_MAX_BYTES ? Buffer.byteLength(payload) : 0;
    if (bytes > RESPONSE_MAX_BYTES) {
      this.#settle(phase, false, JSON.stringify(responseTooLarge(bytes, RESPONSE_MAX_BYTES)), false);
      return;
    }
    // A handler that ran out of memory and let the error propagate: Lambda would have killed it.
    if (!ok && payload.includes('"out of memory"')) {
      this.#settle(phase, false, JSON.stringify(outOfMemory(phase.requestId)), true);
      return;
    }
    this.#settle(phase, ok, payload, phase.kind === "init" && !ok);
  }

  #settle(phase: Phase, ok: boolean, payload: string, gone: boolean): void {
    clearTimeout(phase.deadlineTimer);
    this.#timers.freeze();
    this.#phase = undefined;
    if (gone) this.#gone = true;
    const durationMs = performance.now() - phase.started;
    phase.settle({ ok, payload, logs: phase.log.text(), durationMs, gone: this.#gone, contentType: phase.contentType });
  }

  #armTimers(): void {
    this.#timers.arm((id) => {
      this.#enter(() => this.#call("fireTimer", id));
      return this.#phase !== undefined;
    });
  }

  /** Work that arrives from the host (a fetch result) runs now, or at the next phase if frozen. */
  #deliver(task: () => void): void {
    if (this.#disposed) return;
    if (this.#phase !== undefined) this.#enter(task);
    else this.#ready.push(task);
  }

  readonly #hooks: HostHooks = {
    log: (level, message) => this.#phase?.log.write(level, message),
    output: (batch) => this.#readOutput(batch),
    timer: (id, ms) => this.#timers.set(id, ms),
    clearTimer: (id) => this.#timers.clear(id),
    timerRef: (id, ref) => this.#timers.ref(id, ref),
    timerRefresh: (id) => this.#timers.refresh(id),
    fetch: (id, url, method, headersJson, body, redirect) => {
      this.#fetches.add(id);
      const deadline = this.#phase?.deadline ?? Date.now();
      void performFetch(url, method, headersJson, body, deadline, this.#instance.memory.limitBytes, redirect, this.#egress).then(
        (settled) =>
          this.#deliver(() => {
            this.#fetches.delete(id);
            this.#call("fetchSettled", id, ...settled);
          }),
      );
    },
    streamContentType: (contentType) => {
      if (this.#phase !== undefined) this.#phase.contentType = contentType;
    },
    streamWrite: (bytes) => {
      const phase = this.#phase;
      if (phase === undefined || phase.failure !== undefined) return;
      phase.streamedBytes += bytes.byteLength;
      if (phase.streamedBytes > STREAM_MAX_BYTES) this.#fail(responseTooLarge(phase.streamedBytes, STREAM_MAX_BYTES));
      else phase.onChunk?.(bytes, phase.contentType ?? "application/octet-stream");
    },
    uncaught: (errorJson) => {
      // An uncaught exception ends a Node.js runtime; Lambda reports it and starts a new environment.
      try {
        this.#fail(JSON.parse(errorJson) as FunctionError);
      } catch {
        this.#fail(exitError(this.#phase?.requestId ?? "undefined", "uncaught exception"));
      }
    },
    exit: (status) => {
      this.#fail(exitedWith(this.#phase?.requestId ?? "undefined", status));
      this.#exited = true;
    },
  };

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#gone = true;
    this.#timers.freeze();
    const phase = this.#phase;
    if (phase !== undefined) this.#settle(phase, false, JSON.stringify(exitError(phase.requestId, "environment disposed")), true);
    this.#fileSystem = undefined;
    try {
      this.#guest.dispose();
    } catch {
      // The instance is never reused: a disposal that failed inside it goes with it.
    }
  }
}
