/**
 * A sandbox's executor workers: the base ones, started with it, and more started on demand while
 * every one is stalled in a long guest turn (Lambda gives each concurrent invocation its own CPU
 * share), up to a bound. Those started on demand end once they have hosted nothing for a while.
 */
import type { ExecutorData } from "../shared/protocol.js";
import { Executor } from "./executor.js";

export interface ExecutorCounts {
  /** Started with the sandbox and kept. */
  base: number;
  /** The most running at once. */
  max: number;
  /** How long one started on demand may host nothing before it goes. */
  extraIdleMs: number;
}

/** An executor started on demand goes after hosting nothing for about this long. */
export const EXTRA_EXECUTOR_IDLE_MS = 30_000;

const load = (executor: Executor) => executor.environments.size + executor.inFlight;

export class Executors {
  readonly #all: Executor[] = [];
  /** Executors started on demand that hosted nothing at the last look; while any runs, a timer looks. */
  readonly #idleExtras = new Set<Executor>();
  #retireTimer: NodeJS.Timeout | undefined;
  /** An executor being started because every one was stalled: placements meanwhile wait for it. */
  #starting: { executor: Executor; ready: Promise<Executor> } | undefined;

  /** @param wire connects a new executor's callbacks to the sandbox's environments. */
  constructor(
    private readonly data: ExecutorData,
    private readonly counts: ExecutorCounts,
    private readonly wire: (executor: Executor) => void,
  ) {}

  /** Starts the base executors. */
  async start(): Promise<void> {
    const started = Array.from({ length: this.counts.base }, () => this.#add());
    await Promise.all(started.map((e) => e.ready()));
  }

  /** The executor workers running now. */
  get count(): number {
    return this.#all.length;
  }

  #add(): Executor {
    const executor = new Executor(this.data);
    this.wire(executor);
    this.#all.push(executor);
    return executor;
  }

  /**
   * Where a new environment goes: the least loaded executor not stalled in a long turn; when all
   * are, a new one up to the bound, and past the bound the one whose turn began last.
   */
  async placement(): Promise<Executor> {
    let best: Executor | undefined;
    for (const executor of this.#all) {
      if (executor.stalled) continue;
      if (best === undefined || load(executor) < load(best)) best = executor;
    }
    if (best !== undefined) return best;
    if (this.#starting !== undefined) return this.#starting.ready;
    if (this.#all.length < this.counts.max) {
      const executor = this.#add();
      this.#retireTimer ??= setInterval(() => this.#retireIdleExtras(), this.counts.extraIdleMs / 2).unref();
      this.#starting = { executor, ready: executor.ready().then(() => executor) };
      try {
        return await this.#starting.ready;
      } finally {
        this.#starting = undefined;
      }
    }
    return this.#all.reduce((a, b) => (a.turnMs <= b.turnMs ? a : b));
  }

  /** Ends the executors started on demand that hosted nothing for two looks in a row. */
  #retireIdleExtras(): void {
    for (const executor of this.#all.slice(this.counts.base)) {
      if (load(executor) > 0 || executor === this.#starting?.executor) this.#idleExtras.delete(executor);
      else if (!this.#idleExtras.has(executor)) this.#idleExtras.add(executor);
      else {
        this.#idleExtras.delete(executor);
        this.#all.splice(this.#all.indexOf(executor), 1);
        void executor.dispose();
      }
    }
    if (this.#all.length > this.counts.base) return;
    clearInterval(this.#retireTimer);
    this.#retireTimer = undefined;
  }

  /** Terminates executor `index` as the hard-kill path does; its environments fail with Runtime.ExitError. */
  kill(index: number, reason: string): void {
    this.#all[index]?.kill(reason);
  }

  async dispose(): Promise<void> {
    clearInterval(this.#retireTimer);
    await Promise.all(this.#all.map((e) => e.dispose()));
  }
}
