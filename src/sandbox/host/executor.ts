/**
 * The main thread's side of one executor worker: request/response correlation, and the hard
 * kill. A worker that has not answered an invocation well past its deadline is stuck in something
 * the interrupt handler cannot stop; it is terminated and replaced, and every environment it
 * hosted fails over with Runtime.ExitError while the process stays up.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { exitError, initTimedOut } from "../shared/errors.js";
import { EXECUTOR_STACK_MB, EXECUTOR_YOUNG_GENERATION_MB, INIT_TIMEOUT_MS } from "../shared/limits.js";
import {
  decodeFromWorker,
  type ExecutorData,
  type ExecutorLink,
  encodeToWorker,
  type FromWorker,
  type ToWorker,
  type WireInvokeResult,
} from "../shared/protocol.js";
import { newRing, RingReader, RingWriter } from "../shared/ring.js";
import { newTurnClock, TurnClockReader } from "../shared/turn-clock.js";
import type { FunctionError } from "../shared/types.js";

/** How long past an invocation's deadline the worker may stay silent before it is terminated. */
export const HARD_KILL_GRACE_MS = 1000;
/**
 * How long past a deadline a worker in host work (OpenSSL, zlib: nothing interrupts them) is waited
 * for instead. One host call is bounded to a few seconds of a slow machine (executor/native/
 * work-bounds.ts; a 1,024-bit safe prime took up to 9 s); when it returns, the guest's interrupt
 * handler ends the invocation at its next check, and the executor's other environments live on.
 */
export const HOST_WORK_GRACE_MS = 15_000;
/** Deadlines and stalls are checked this often by one timer, not one timer per invocation. */
const WATCHDOG_EVERY_MS = 25;
/** The guests' jobs on Node's thread pool: one count for all the process's executors, whatever sandbox made them. */
const POOL_JOBS = new SharedArrayBuffer(4);
/**
 * A guest turn longer than this stalls its executor: it takes no new environment, its idle ones are
 * passed over, and the invocations queued behind the turn are taken back to run elsewhere. A warm
 * hello's turn is ~15 µs; a handler's synchronous work rarely runs this long in one go.
 */
export const STALLED_AFTER_MS = 10;
/**
 * INITs sent to a worker at once; more wait on the main thread. An invocation sent behind a queue of
 * INITs would wait for all of them (1,000 cold starts at once: seconds), past its deadline.
 */
const CREATES_IN_FLIGHT = 2;
/** The reason an invocation in, or sent to, a disposed executor fails with. */
const DISPOSED = "executor disposed";

type Created = { initDurationMs: number; logs: string; initError?: FunctionError; restored?: boolean };

interface PendingInvoke {
  requestId: string;
  resolve(result: WireInvokeResult): void;
  deadline: number;
  onChunk?: (bytes: Uint8Array, contentType: string) => void;
}

const isTypeScript = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isTypeScript ? "../executor/worker.ts" : "../executor/worker.js", import.meta.url);

/** In development the sources are TypeScript: the worker registers tsx before loading them. */
function workerEntry(): { entry: URL | string; eval: boolean } {
  if (!isTypeScript) return { entry: workerUrl, eval: false };
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return { entry: code, eval: true };
}

export class Executor {
  #worker!: Worker;
  #writer!: RingWriter;
  #reader!: RingReader;
  #overflow!: MessagePort;
  #clock!: TurnClockReader;
  #ready!: Promise<void>;
  #watchdog: NodeJS.Timeout | undefined;
  readonly #data: ExecutorData;
  readonly #creates = new Map<number, { resolve: (created: Created) => void; sentAt: number }>();
  /** Creates holding one of the CREATES_IN_FLIGHT places, and those waiting for one (handed over in turn). */
  #creating = 0;
  readonly #waitingCreates: Array<() => void> = [];
  /** When the worker last sent anything: one that is silent while an INIT runs may be stuck in it. */
  #lastHeard = Date.now();
  /** When the watchdog last saw the worker inside a host call. */
  #hostWorkSeenAt = 0;
  readonly #invokes = new Map<number, PendingInvoke>();
  /** Environments hosted by the current worker; all are lost when it is replaced. */
  readonly environments = new Set<number>();
  #generation = 0;
  #disposed: Promise<void> | undefined;
  onEnvironmentsLost: (envIds: number[]) => void = () => {};
  onMemory: (envId: number, memoryBytes: number, tmpBytes: number) => void = () => {};

  constructor(data: ExecutorData) {
    this.#data = data;
    this.#spawn();
  }

  get inFlight(): number {
    return this.#invokes.size + this.#creating + this.#waitingCreates.length;
  }

  /** How long the worker's current guest turn has run, 0 between turns. */
  get turnMs(): number {
    return this.#clock.turnMs();
  }

  /** Stuck in one guest turn for longer than STALLED_AFTER_MS. */
  get stalled(): boolean {
    return this.turnMs > STALLED_AFTER_MS;
  }

  get generation(): number {
    return this.#generation;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  #spawn(): void {
    const { entry, eval: isEval } = workerEntry();
    const channel = new MessageChannel();
    const link: ExecutorLink = {
      toWorker: newRing(),
      fromWorker: newRing(),
      overflow: channel.port2,
      turns: newTurnClock(),
      poolJobs: POOL_JOBS,
    };
    this.#clock = new TurnClockReader(link.turns);
    const worker = new Worker(entry, {
      eval: isEval,
      workerData: { ...this.#data, link },
      transferList: [channel.port2],
      resourceLimits: { stackSizeMb: EXECUTOR_STACK_MB, maxYoungGenerationSizeMb: EXECUTOR_YOUNG_GENERATION_MB },
    });
    this.#worker = worker;
    this.#overflow = channel.port1;
    this.#writer = new RingWriter(link.toWorker, channel.port1);
    this.#generation += 1;
    this.#ready = new Promise((resolve, reject) => {
      // A worker that ends before it is ready (without an error event) must not leave its waiters hanging.
      const exited = (code: number) => reject(new Error(`the executor worker exited with code ${code} before it was ready`));
      worker.once("error", reject);
      worker.once("exit", exited);
      this.#reader = new RingReader(link.fromWorker, channel.port1, (meta, bulk) => {
        this.#lastHeard = Date.now();
        const message = decodeFromWorker(meta, bulk);
        if (message.type !== "ready") return this.#receive(message);
        worker.off("error", reject);
        worker.off("exit", exited);
        resolve();
      });
    });
    worker.on("error", (error) => this.#lose(`worker error: ${error.message}`));
    worker.on("exit", (code) => {
      if (this.#worker === worker && this.alive) this.#lose(`worker exited with code ${code}`);
    });
  }

  /** Stops reading and writing the current worker's rings. */
  #unlink(): void {
    this.#reader.close();
    this.#writer.close();
    this.#overflow.close();
  }

  #receive(message: FromWorker): void {
    if (message.type === "created") {
      this.#creates.get(message.envId)?.resolve(message);
      this.#creates.delete(message.envId);
    } else if (message.type === "memory") {
      this.onMemory(message.envId, message.memoryBytes, message.tmpBytes);
    } else if (message.type === "chunk") {
      this.#invokes.get(message.invId)?.onChunk?.(message.data, message.contentType);
    } else if (message.type === "result") {
      const pending = this.#invokes.get(message.invId);
      if (pending === undefined) return;
      this.#invokes.delete(message.invId);
      pending.resolve(message);
    }
  }

  #send(message: ToWorker): void {
    const [meta, bulk] = encodeToWorker(message);
    this.#writer.write(meta, bulk);
  }

  /** Kills the worker when an invocation outlives its deadline by the grace; runs while any is pending. */
  #watch(): void {
    if (this.#watchdog !== undefined) return;
    this.#watchdog = setInterval(() => {
      const now = Date.now();
      if (this.#clock.inHostCall()) this.#hostWorkSeenAt = now;
      for (const [invId, pending] of this.#invokes) {
        // One still waiting to start is not stuck: the turn ahead of it is, and is taken back below.
        if (this.#stuck(now, pending.deadline) && this.#clock.started(invId)) {
          return this.kill(`invocation ${pending.requestId} did not stop at its deadline`);
        }
      }
      if (this.#clock.turnMs(now) > STALLED_AFTER_MS) this.#takeBackQueued();
      if (this.#stuckInInit(now)) {
        // QuickJS stops an INIT at its deadline itself; a component's start function cannot be stopped.
        for (const { resolve } of this.#creates.values()) resolve({ initDurationMs: INIT_TIMEOUT_MS, logs: "", initError: initTimedOut() });
        this.#creates.clear();
        return this.kill("an INIT did not return within its 10 s");
      }
      if (this.#invokes.size === 0 && this.#creates.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, WATCHDOG_EVERY_MS);
  }

  /**
   * Past `deadline` by the grace, unless the worker is in host work, or was a grace ago (the guest
   * is interrupted soon after it returns), and not past the longer grace host work has.
   */
  #stuck(now: number, deadline: number): boolean {
    if (now <= deadline + HARD_KILL_GRACE_MS) return false;
    return now > deadline + HOST_WORK_GRACE_MS || now - this.#hostWorkSeenAt > HARD_KILL_GRACE_MS;
  }

  /** Silent for longer than an INIT may take since the oldest pending create was sent. */
  #stuckInInit(now: number): boolean {
    const oldest = this.#creates.values().next();
    if (oldest.done === true) return false;
    return this.#stuck(now, Math.max(this.#lastHeard, oldest.value.sentAt) + INIT_TIMEOUT_MS);
  }

  /**
   * Invocations sent behind the current, stalled turn and not started yet come back as `takenBack`,
   * for the pool to run elsewhere; the worker skips them when it gets to them.
   */
  #takeBackQueued(): void {
    let highest = 0;
    for (const invId of this.#invokes.keys()) highest = Math.max(highest, invId);
    const started = this.#clock.takeBack(highest);
    if (started === undefined) return;
    for (const [invId, pending] of this.#invokes) {
      if (invId <= started) continue;
      this.#invokes.delete(invId);
      pending.resolve({ ok: false, payload: "", logs: "", durationMs: 0, environmentGone: false, takenBack: true });
    }
  }

  async create(envId: number, message: Extract<ToWorker, { type: "create" }>): Promise<Created> {
    if (this.#creating < CREATES_IN_FLIGHT) this.#creating += 1;
    else await new Promise<void>((resolve) => this.#waitingCreates.push(resolve));
    await this.#ready;
    this.environments.add(envId);
    try {
      return await new Promise<Created>((resolve) => {
        this.#creates.set(envId, { resolve, sentAt: Date.now() });
        this.#watch();
        this.#send(message);
      });
    } finally {
      const next = this.#waitingCreates.shift();
      if (next === undefined) this.#creating -= 1;
      else next();
    }
  }

  invoke(
    message: Extract<ToWorker, { type: "invoke" }>,
    onChunk?: (bytes: Uint8Array, contentType: string) => void,
  ): Promise<WireInvokeResult> {
    if (!this.alive) {
      // As a lost worker's invocations fail (#lose): no worker is left to answer.
      const payload = JSON.stringify(exitError(message.requestId, DISPOSED));
      return Promise.resolve({ ok: false, payload, logs: "", durationMs: 0, environmentGone: true });
    }
    return new Promise((resolve) => {
      this.#invokes.set(message.invId, { requestId: message.requestId, resolve, deadline: message.deadline, onChunk });
      this.#watch();
      this.#send(message);
    });
  }

  disposeEnvironment(envId: number): void {
    if (this.environments.delete(envId)) this.#send({ type: "dispose", envId });
  }

  /** Terminates the worker and replaces it; its environments are lost. */
  kill(reason: string): void {
    const worker = this.#worker;
    this.#lose(reason);
    void worker.terminate();
  }

  #lose(reason: string): void {
    if (!this.alive) return;
    const lost = this.#end(reason);
    this.#spawn();
    this.onEnvironmentsLost(lost);
  }

  /** Stops using the current worker: what waits on it fails with `reason`; returns the environments it hosted. */
  #end(reason: string): number[] {
    this.#unlink();
    const lost = [...this.environments];
    this.environments.clear();
    for (const [invId, pending] of this.#invokes) {
      const payload = JSON.stringify(exitError(pending.requestId, reason));
      pending.resolve({ ok: false, payload, logs: "", durationMs: 0, environmentGone: true });
      this.#invokes.delete(invId);
    }
    for (const [envId, { resolve }] of this.#creates) {
      resolve({ initDurationMs: 0, logs: "", initError: exitError("undefined", reason) });
      this.#creates.delete(envId);
    }
    return lost;
  }

  /** False once dispose() has been called. */
  get alive(): boolean {
    return this.#disposed === undefined;
  }

  /** Terminates the worker for good (kill() replaces it); its environments end with it. */
  dispose(): Promise<void> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  async #dispose(): Promise<void> {
    clearInterval(this.#watchdog);
    this.#end(DISPOSED);
    await this.#worker.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
