/**
 * The small event loop that drives one environment's phases (INIT or one invocation) until the
 * handler's result, a deadline, or a fatal error ends each. Between phases it is frozen: timers
 * and late fetch results wait for the next phase.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { exitError, exitedWith, initTimedOut, outOfMemory, timedOut } from "../shared/errors.js";
import type { EnvironmentConfig, FunctionError } from "../shared/types.js";
import type { EntryArgs, EntryPoint, GuestContext } from "./guest-context.js";
import type { HostHooks } from "./guest-host.js";
import { GuestTimers } from "./guest-timers.js";
import { performFetch } from "./host-fetch.js";
import { EnvironmentJobs } from "./host-jobs.js";
import { HostRequests } from "./host-requests.js";
import type { Instance } from "./instances.js";
import { errorData } from "./native/guest-values.js";
import { type ChunkSink, guestFailure, Phase, type PhaseOutcome } from "./phase.js";

export class PhaseLoop {
  /** Marks the executor's turns of guest code (set by the worker: turn-clock.ts). */
  static turns: { begin(): void; end(): void } = { begin() {}, end() {} };
  /** Called while a turn runs on (at QuickJS's interrupt checks): the worker sends what others answered before it. */
  static duringTurn: () => void = () => {};
  readonly #instance: Instance;
  /** Set once the guest's context exists, which needs `hooks` first. */
  #guest!: GuestContext;
  /** The function's timeout, for its timeout error. */
  timeoutMs = 0;
  egress: EnvironmentConfig["egress"];
  readonly #timers = new GuestTimers();
  readonly #fetches = new Set<number>();
  readonly #requests = new HostRequests(() => this.#instance.memory);
  readonly #jobs = new EnvironmentJobs(() => this.#instance.memory.limitBytes);
  /** Host work started by the guest (pbkdf2 and scrypt's callback forms), not yet settled. */
  readonly #works = new Set<number>();
  readonly #ready: Array<() => void> = [];
  #phase: Phase | undefined;
  #interrupted = false;
  #outOfMemory = false;
  /** process.exit ran: the interrupt handler stops the guest, whose exception is then no failure of its own. */
  #exited = false;
  #gone = false;
  #disposed = false;

  constructor(instance: Instance) {
    this.#instance = instance;
  }

  attach(guest: GuestContext): void {
    this.#guest = guest;
  }

  /** A phase is running. */
  get busy(): boolean {
    return this.#phase !== undefined;
  }

  /** No phase can run again: one ended the environment, or it was disposed. */
  get gone(): boolean {
    return this.#gone;
  }

  /** What a SnapStart snapshot could not carry: pending work between phases. */
  pendingWork(): string | undefined {
    if (this.#timers.count > 0) return "a timer is pending (clear it in a beforeSnapshot hook)";
    if (this.#fetches.size > 0) return "a fetch is in flight";
    if (this.#works.size > 0) return "a pbkdf2 or scrypt is running";
    if (this.#guest.runtime.hasPendingJob()) return "a promise job is pending";
    return undefined;
  }

  run(
    kind: "init" | "invoke",
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
      const phase = new Phase(kind, requestId, deadline, onChunk, settle);
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
    PhaseLoop.turns.begin();
    try {
      task();
      this.#guest.executePendingJobs()?.consume((error) => this.#guestThrew(error));
    } catch (error) {
      this.#fail(guestFailure(this.#phase?.requestId ?? "undefined", error));
    }
    try {
      this.#afterTurn();
    } finally {
      PhaseLoop.turns.end();
    }
  }

  call<E extends EntryPoint>(entry: E, ...args: EntryArgs<E>): void {
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
    this.#fail(guestFailure(this.#phase?.requestId ?? "undefined", dumped));
  }

  #timeoutError(): FunctionError {
    const phase = this.#phase;
    if (phase?.kind === "init") return initTimedOut();
    return timedOut(phase?.requestId ?? "undefined", this.timeoutMs);
  }

  #fail(error: FunctionError): void {
    this.#phase?.fail(error);
  }

  shouldInterrupt(): boolean {
    PhaseLoop.duringTurn();
    if (this.#phase !== undefined && Date.now() > this.#phase.deadline) this.#interrupted = true;
    if (this.#phase !== undefined && this.#instance.memory.exhausted) this.#outOfMemory = true;
    return this.#interrupted || this.#outOfMemory || this.#exited || this.#disposed;
  }

  #onDeadline(): void {
    if (this.#phase === undefined) return;
    this.#fail(this.#timeoutError());
    this.#afterTurn();
  }

  #loopEmpty(): boolean {
    if (this.#fetches.size > 0 || this.#works.size > 0 || this.#guest.runtime.hasPendingJob()) return false;
    return !this.#timers.keepLoopAlive;
  }

  #afterTurn(): void {
    const phase = this.#phase;
    this.#readOutput(this.#guest.takeOutput());
    if (phase === undefined) return;
    if (this.#instance.memory.exhausted) this.#outOfMemory = true;
    // A turn that ended past the deadline (in host work nothing interrupts, between two interrupt
    // checks) timed out too: Lambda delivers no answer made after the timeout.
    if (Date.now() > phase.deadline) this.#interrupted = true;
    // An interrupt is uncatchable, yet an async function turns it into a rejection and a timer
    // into an uncaught exception: whatever the guest made of it, the phase timed out or ran out of memory.
    if (this.#outOfMemory) phase.failure = outOfMemory(phase.requestId);
    else if (this.#interrupted) phase.failure = this.#timeoutError();
    if (phase.failure === undefined && phase.result === undefined && this.#loopEmpty()) {
      if (phase.kind === "invoke" && !phase.beforeExitSent) {
        phase.beforeExitSent = true;
        // Lambda's runtime answers null once the event loop is empty and nothing else answered.
        this.#enter(() => this.call("beforeExit"));
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
      const end = phase.answered(result);
      this.#settle(phase, end.ok, end.payload, end.fatal);
      return;
    }
    this.#armTimers();
  }

  /** Lines and answers from the guest's output box go to the running phase; without one, nowhere. */
  #readOutput(text: string): void {
    if (text !== "") this.#phase?.read(text);
  }

  #settle(phase: Phase, ok: boolean, payload: string, fatal: boolean): void {
    this.#timers.freeze();
    this.#phase = undefined;
    if (fatal) this.#gone = true;
    phase.settle(ok, payload, this.#gone);
  }

  #armTimers(): void {
    this.#timers.arm((id) => {
      this.#enter(() => this.call("fireTimer", id));
      return this.#phase !== undefined;
    });
  }

  /** Work that arrives from the host (a fetch result) runs now, or at the next phase if frozen. */
  #deliver(task: () => void): void {
    if (this.#disposed) return;
    if (this.#phase !== undefined) this.#enter(task);
    else this.#ready.push(task);
  }

  /** What the guest's host functions do in the environment (guest-host.ts). */
  readonly hooks: HostHooks = {
    log: (level, message) => this.#phase?.log.write(level, message),
    output: (batch) => this.#readOutput(batch),
    timer: (id, ms) => this.#timers.set(id, ms),
    clearTimer: (id) => this.#timers.clear(id),
    timerRef: (id, ref) => this.#timers.ref(id, ref),
    timerRefresh: (id) => this.#timers.refresh(id),
    fetch: (id, url, method, headersJson, body, redirect) => {
      this.#fetches.add(id);
      const deadline = this.#phase?.deadline ?? Date.now();
      void this.#requests
        .run((hold, ended) => performFetch(url, method, headersJson, body, deadline, hold, ended, redirect, this.egress))
        .then(({ result, release }) =>
          this.#deliver(() => {
            this.#fetches.delete(id);
            // The answer is the guest's now, in its own memory.
            release();
            this.call("fetchSettled", id, ...result);
          }),
        );
    },
    shouldStop: () => this.shouldInterrupt(),
    work: (id, bytes, start) => {
      this.#jobs.add(bytes, start, (error, result) =>
        this.#deliver(() => {
          this.#works.delete(id);
          if (result === undefined) this.call("workSettled", id, JSON.stringify(errorData(error)), undefined);
          else
            this.call(
              "workSettled",
              id,
              undefined,
              result.buffer.slice(result.byteOffset, result.byteOffset + result.byteLength) as ArrayBuffer,
            );
        }),
      );
      this.#works.add(id);
    },
    streamContentType: (contentType) => {
      if (this.#phase !== undefined) this.#phase.contentType = contentType;
    },
    streamWrite: (bytes) => this.#phase?.streamWrite(bytes),
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

  /** The environment is disposed: a running phase ends with it, and nothing reaches the guest again. False if it already was. */
  end(): boolean {
    if (this.#disposed) return false;
    this.#disposed = true;
    this.#gone = true;
    this.#timers.freeze();
    this.#requests.dispose();
    this.#jobs.dispose();
    const phase = this.#phase;
    if (phase !== undefined) this.#settle(phase, false, JSON.stringify(exitError(phase.requestId, "environment disposed")), true);
    return true;
  }
}
