/**
 * The guest's timers as the host keeps them: a due time per id, and whether each keeps the event
 * loop alive (ref, as in Node). One Node timer drives them while a phase runs; between phases they
 * are frozen, as Lambda freezes the whole environment, and overdue ones fire first thing next time.
 * A timer set with a negative delay is a task of the loop's poll phase (a MessagePort's delivery):
 * it runs in the next poll phase (after the immediates and due timers); one set while such a task
 * runs runs right after it, in the same phase, unless its delay is below -1: then in the phase after.
 */

const MAX_POLLS_PER_TURN = 1000;

interface GuestTimer {
  due: number;
  delay: number;
  ref: boolean;
}

export class GuestTimers {
  readonly #timers = new Map<number, GuestTimer>();
  /** Poll-phase tasks, in the order set; those for the poll phase after the one running. */
  readonly #polls = new Set<number>();
  readonly #laterPolls = new Set<number>();
  #polling = false;
  #node: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;

  set(id: number, ms: number): void {
    if (ms < 0) {
      (ms < -1 && this.#polling ? this.#laterPolls : this.#polls).add(id);
      return;
    }
    this.#timers.set(id, { due: Date.now() + ms, delay: ms, ref: this.#timers.get(id)?.ref ?? true });
  }

  clear(id: number): void {
    this.#timers.delete(id);
    this.#polls.delete(id);
    this.#laterPolls.delete(id);
  }

  /** Sets the timer's ref when `ref` is given; answers whether it has one. */
  ref(id: number, ref: boolean | undefined): boolean {
    const timer = this.#timers.get(id);
    if (timer !== undefined && ref !== undefined) timer.ref = ref;
    return timer?.ref ?? false;
  }

  refresh(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) timer.due = Date.now() + timer.delay;
  }

  /** Timers set and not yet fired or cleared, referenced or not. */
  get count(): number {
    return this.#timers.size + this.#polls.size + this.#laterPolls.size;
  }

  /** Whether a pending timer keeps the event loop from being empty. */
  get keepLoopAlive(): boolean {
    if (this.#polls.size > 0) return true;
    for (const timer of this.#timers.values()) if (timer.ref) return true;
    return false;
  }

  /**
   * Runs `fire` for each timer as it falls due, until it answers false, in the order of Node's loop
   * from where a callback of the host (the handler's turn, a fetch's answer: Node's poll phase)
   * leaves it: the check phase (the immediates, delay 0, set before it, in the order set), the
   * timers due (in due order), then the next poll phase (the poll tasks, and those they set
   * meanwhile, up to a bound: Node drains a port of at most 1000 messages at a time), and round again.
   */
  arm(fire: (id: number) => boolean): void {
    this.freeze();
    let earliest = this.#polls.size > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (const timer of this.#timers.values()) earliest = Math.min(earliest, timer.due);
    if (earliest === Number.POSITIVE_INFINITY) return;
    const run = () => {
      this.#node = undefined;
      this.#immediate = undefined;
      const immediates = [...this.#timers].filter(([, t]) => t.delay === 0);
      if (!this.#fireAll(immediates, fire)) return;
      const now = Date.now();
      const due = [...this.#timers].filter(([, t]) => t.delay !== 0 && t.due <= now).sort((a, b) => a[1].due - b[1].due);
      if (!this.#fireAll(due, fire)) return;
      if (!this.#poll(fire)) return;
      this.arm(fire);
    };
    // Node's setTimeout(0) waits a millisecond: what is due already (the guest's setImmediate, an
    // overdue timer) runs when the host's loop comes round, as Node runs an immediate.
    const wait = earliest - Date.now();
    if (wait <= 0) this.#immediate = setImmediate(run);
    else this.#node = setTimeout(run, wait);
  }

  /** The poll phase; false once `fire` answers false. The Set's iteration reaches the tasks set while it runs. */
  #poll(fire: (id: number) => boolean): boolean {
    let polled = 0;
    this.#polling = true;
    try {
      for (const id of this.#polls) {
        if (++polled > MAX_POLLS_PER_TURN) break;
        this.#polls.delete(id);
        if (!fire(id)) return false;
      }
    } finally {
      this.#polling = false;
      for (const id of this.#laterPolls) this.#polls.add(id);
      this.#laterPolls.clear();
    }
    return true;
  }

  /** Fires each of `timers` still set as it was; false once `fire` answers false. */
  #fireAll(timers: [number, GuestTimer][], fire: (id: number) => boolean): boolean {
    for (const [id, timer] of timers) {
      if (this.#timers.get(id) !== timer) continue;
      this.#timers.delete(id);
      if (!fire(id)) return false;
    }
    return true;
  }

  freeze(): void {
    clearTimeout(this.#node);
    clearImmediate(this.#immediate);
    this.#node = undefined;
    this.#immediate = undefined;
  }
}
