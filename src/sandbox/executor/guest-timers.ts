/**
 * The guest's timers as the host keeps them: a due time per id, and whether each keeps the event
 * loop alive (ref, as in Node). One Node timer drives them while a phase runs; between phases they
 * are frozen, as Lambda freezes the whole environment, and overdue ones fire first thing next time.
 */

interface GuestTimer {
  due: number;
  delay: number;
  ref: boolean;
}

export class GuestTimers {
  readonly #timers = new Map<number, GuestTimer>();
  #node: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;

  set(id: number, ms: number): void {
    this.#timers.set(id, { due: Date.now() + ms, delay: ms, ref: this.#timers.get(id)?.ref ?? true });
  }

  clear(id: number): void {
    this.#timers.delete(id);
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

  /** Whether a pending timer keeps the event loop from being empty. */
  /** Timers set and not yet fired or cleared, referenced or not. */
  get count(): number {
    return this.#timers.size;
  }

  get keepLoopAlive(): boolean {
    for (const timer of this.#timers.values()) if (timer.ref) return true;
    return false;
  }

  /** Runs `fire` for each timer as it falls due, in due order, until it answers false. */
  arm(fire: (id: number) => boolean): void {
    this.freeze();
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of this.#timers.values()) earliest = Math.min(earliest, timer.due);
    if (earliest === Number.POSITIVE_INFINITY) return;
    const run = () => {
      this.#node = undefined;
      this.#immediate = undefined;
      const now = Date.now();
      const due = [...this.#timers].filter(([, t]) => t.due <= now).sort((a, b) => a[1].due - b[1].due);
      for (const [id, timer] of due) {
        if (this.#timers.get(id) !== timer) continue;
        this.#timers.delete(id);
        if (!fire(id)) return;
      }
      this.arm(fire);
    };
    // Node's setTimeout(0) waits a millisecond: what is due already (the guest's setImmediate, an
    // overdue timer) runs when the host's loop comes round, as Node runs an immediate.
    const wait = earliest - Date.now();
    if (wait <= 0) this.#immediate = setImmediate(run);
    else this.#node = setTimeout(run, wait);
  }

  freeze(): void {
    clearTimeout(this.#node);
    clearImmediate(this.#immediate);
    this.#node = undefined;
    this.#immediate = undefined;
  }
}
