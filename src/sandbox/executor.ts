/**
 * The main thread's side of one executor worker: request/response correlation, and the hard
 * kill. A worker that has not answered an invocation well past its deadline is stuck in something
 * the interrupt handler cannot stop; it is terminated and replaced, and every environment it
 * hosted fails over with Runtime.ExitError while the process stays up.
 */
import { Worker } from "node:worker_threads";
import { Batcher } from "./batch.js";
import { exitError } from "./errors.js";
import { EXECUTOR_STACK_MB, EXECUTOR_YOUNG_GENERATION_MB } from "./limits.js";
import type { FromWorker, ToWorker, WireInvokeResult } from "./protocol.js";
import type { FunctionError } from "./types.js";

/** How long past an invocation's deadline the worker may stay silent before it is terminated. */
export const HARD_KILL_GRACE_MS = 1000;
/** Deadlines are checked this often by one timer, not one timer per invocation. */
const WATCHDOG_EVERY_MS = 100;

type Created = { initDurationMs: number; logs: string; initError?: FunctionError; restored?: boolean };

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

interface PendingInvoke {
  requestId: string;
  resolve(result: WireInvokeResult): void;
  /** Epoch milliseconds past which the worker is stuck: the deadline plus the grace. */
  killAt: number;
  onChunk?: (bytes: Uint8Array, contentType: string) => void;
}

const isTypeScript = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isTypeScript ? "./worker.ts" : "./worker.js", import.meta.url);

/** In development the sources are TypeScript: the worker registers tsx before loading them. */
function workerEntry(): { entry: URL | string; eval: boolean } {
  if (!isTypeScript) return { entry: workerUrl, eval: false };
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return { entry: code, eval: true };
}

export class Executor {
  #worker!: Worker;
  #outbox!: Batcher<ToWorker>;
  #ready!: Promise<void>;
  #watchdog: NodeJS.Timeout | undefined;
  readonly #data: ExecutorData;
  readonly #creates = new Map<number, (created: Created) => void>();
  readonly #invokes = new Map<number, PendingInvoke>();
  /** Environments hosted by the current worker; all are lost when it is replaced. */
  readonly environments = new Set<number>();
  #generation = 0;
  #closed = false;
  onEnvironmentsLost: (envIds: number[]) => void = () => {};
  onMemory: (envId: number, heapBytes: number, tmpBytes: number) => void = () => {};

  constructor(data: ExecutorData) {
    this.#data = data;
    this.#spawn();
  }

  get inFlight(): number {
    return this.#invokes.size + this.#creates.size;
  }

  get generation(): number {
    return this.#generation;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  #spawn(): void {
    const { entry, eval: isEval } = workerEntry();
    const worker = new Worker(entry, {
      eval: isEval,
      workerData: this.#data,
      resourceLimits: { stackSizeMb: EXECUTOR_STACK_MB, maxYoungGenerationSizeMb: EXECUTOR_YOUNG_GENERATION_MB },
    });
    this.#worker = worker;
    this.#outbox = new Batcher((batch) => worker.postMessage(batch));
    this.#generation += 1;
    this.#ready = new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (batch: FromWorker[]) => {
        for (const message of batch) {
          if (message.type === "ready") {
            worker.off("error", reject);
            resolve();
          } else this.#receive(message);
        }
      });
    });
    worker.on("error", (error) => this.#lose(`worker error: ${error.message}`));
    worker.on("exit", (code) => {
      if (this.#worker === worker && !this.#closed) this.#lose(`worker exited with code ${code}`);
    });
  }

  #receive(message: FromWorker): void {
    if (message.type === "created") {
      this.#creates.get(message.envId)?.(message);
      this.#creates.delete(message.envId);
    } else if (message.type === "memory") {
      this.onMemory(message.envId, message.heapBytes, message.tmpBytes);
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
    this.#outbox.push(message);
  }

  /** Kills the worker when an invocation outlives its deadline by the grace; runs while any is pending. */
  #watch(): void {
    if (this.#watchdog !== undefined) return;
    this.#watchdog = setInterval(() => {
      const now = Date.now();
      for (const pending of this.#invokes.values()) {
        if (now > pending.killAt) return this.kill(`invocation ${pending.requestId} did not stop at its deadline`);
      }
      if (this.#invokes.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, WATCHDOG_EVERY_MS);
  }

  async create(envId: number, message: Extract<ToWorker, { type: "create" }>): Promise<Created> {
    await this.#ready;
    this.environments.add(envId);
    return new Promise((resolve) => {
      this.#creates.set(envId, resolve);
      this.#send(message);
    });
  }

  invoke(
    message: Extract<ToWorker, { type: "invoke" }>,
    onChunk?: (bytes: Uint8Array, contentType: string) => void,
  ): Promise<WireInvokeResult> {
    return new Promise((resolve) => {
      const killAt = message.context.deadline + HARD_KILL_GRACE_MS;
      this.#invokes.set(message.invId, { requestId: message.context.requestId, resolve, killAt, onChunk });
      this.#watch();
      this.#send(message);
    });
  }

  dispose(envId: number): void {
    if (this.environments.delete(envId)) this.#send({ type: "dispose", envId });
  }

  /** Terminates the worker and replaces it; its environments are lost. */
  kill(reason: string): void {
    const worker = this.#worker;
    this.#lose(reason);
    void worker.terminate();
  }

  #lose(reason: string): void {
    if (this.#closed) return;
    const lost = [...this.environments];
    this.environments.clear();
    for (const [invId, pending] of this.#invokes) {
      const payload = JSON.stringify(exitError(pending.requestId, reason));
      pending.resolve({ ok: false, payload, logs: "", durationMs: 0, environmentGone: true });
      this.#invokes.delete(invId);
    }
    for (const [envId, resolve] of this.#creates) {
      resolve({ initDurationMs: 0, logs: "", initError: exitError("undefined", reason) });
      this.#creates.delete(envId);
    }
    this.#spawn();
    this.onEnvironmentsLost(lost);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    await this.#worker.terminate();
  }
}
