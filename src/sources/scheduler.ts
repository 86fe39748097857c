/**
 * Schedules (function.json `schedules`): each fires the EventBridge Scheduled Event as an async
 * invocation (with its retries and destinations). The next firing time is stored: a schedule that
 * fell due while the server was down fires once, late, at start (logged), never twice.
 */
import { randomUUID } from "node:crypto";
import type Sqlite from "better-sqlite3";
import type { Running, Service } from "../service.js";
import { parseSchedule } from "./schedule-expression.js";

export interface DeclaredSchedule {
  name: string;
  expression: string;
  /** Replaces the Scheduled Event, as an EventBridge target's Input does. */
  input?: unknown;
}

export interface StoredSchedule extends DeclaredSchedule {
  functionName: string;
  /** Epoch ms. */
  nextFire: number;
}

interface Row {
  name: string;
  function_name: string;
  expression: string;
  input: string | null;
  next_fire: number;
}

export interface SchedulerDeps {
  region: string;
  accountId: string;
  /** Accepts an async invocation (stored before it returns). */
  fire(functionName: string, payload: string): void;
  now?: () => number;
}

const toSchedule = (row: Row): StoredSchedule => ({
  name: row.name,
  functionName: row.function_name,
  expression: row.expression,
  input: row.input === null ? undefined : JSON.parse(row.input),
  nextFire: row.next_fire,
});

export class Scheduler implements Service {
  readonly #db: Sqlite.Database;
  readonly #all: Sqlite.Statement<[], Row>;
  readonly #deleteFunction: Sqlite.Statement<[string]>;
  readonly #insert: Sqlite.Statement<[string, string, string, string | null, number]>;
  readonly #setNext: Sqlite.Statement<[number, string]>;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    db: Sqlite.Database,
    private readonly deps: SchedulerDeps,
  ) {
    this.#db = db;
    this.#all = db.prepare<[], Row>("SELECT * FROM schedules ORDER BY next_fire, name");
    this.#deleteFunction = db.prepare("DELETE FROM schedules WHERE function_name = ?");
    this.#insert = db.prepare("INSERT INTO schedules (name, function_name, expression, input, next_fire) VALUES (?, ?, ?, ?, ?)");
    this.#setNext = db.prepare("UPDATE schedules SET next_fire = ? WHERE name = ?");
    this.#now = deps.now ?? Date.now;
  }

  list(): StoredSchedule[] {
    return this.#all.all().map(toSchedule);
  }

  /** A function's schedules as declared now; unchanged ones keep their next firing time. */
  replace(functionName: string, declared: DeclaredSchedule[]): void {
    const current = new Map(
      this.list()
        .filter((s) => s.functionName === functionName)
        .map((s) => [s.name, s]),
    );
    this.#db.transaction(() => {
      this.#deleteFunction.run(functionName);
      for (const schedule of declared) {
        const kept = current.get(schedule.name);
        const nextFire =
          kept?.expression === schedule.expression
            ? kept.nextFire
            : (parseSchedule(schedule.expression).next(new Date(this.#now()))?.getTime() ?? Number.MAX_SAFE_INTEGER);
        this.#insert.run(
          schedule.name,
          functionName,
          schedule.expression,
          schedule.input === undefined ? null : JSON.stringify(schedule.input),
          nextFire,
        );
      }
    })();
    this.#arm();
  }

  /** Fires what fell due while the server was down (once each), then each schedule as it comes due. */
  start(): Running {
    this.#fireDue();
    return this;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #fireDue(): void {
    const now = this.#now();
    for (const schedule of this.list()) {
      if (schedule.nextFire > now) break;
      const late = now - schedule.nextFire > 60_000;
      if (late)
        console.log(
          `isolambda: schedule ${schedule.name} (${schedule.expression}) was due ${new Date(schedule.nextFire).toISOString()}: fired once, late`,
        );
      const next = parseSchedule(schedule.expression).next(new Date(now))?.getTime() ?? Number.MAX_SAFE_INTEGER;
      // The event and the next firing time commit together: a crash can neither lose nor repeat it.
      this.#db.transaction(() => {
        this.deps.fire(schedule.functionName, this.#payload(schedule));
        this.#setNext.run(next, schedule.name);
      })();
    }
    this.#arm();
  }

  #payload(schedule: StoredSchedule): string {
    if (schedule.input !== undefined) return JSON.stringify(schedule.input);
    return JSON.stringify({
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: this.deps.accountId,
      time: new Date(schedule.nextFire).toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: this.deps.region,
      resources: [`arn:aws:events:${this.deps.region}:${this.deps.accountId}:rule/${schedule.name}`],
      detail: {},
    });
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    const soonest = this.list()[0];
    if (soonest === undefined) return;
    // Timers longer than ~24.8 days overflow: wake up at least daily and look again.
    const wait = Math.min(Math.max(0, soonest.nextFire - this.#now()), 86_400_000);
    this.#timer = setTimeout(() => this.#fireDue(), wait);
  }
}
