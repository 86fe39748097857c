/**
 * The async box's state in the registry's SQLite database: queued events (a row lives until its
 * outcome is recorded, so a crash loses none) and the event invoke configurations.
 */
import type Sqlite from "better-sqlite3";
import type { EventInvokeConfig, EventInvokeConfigStore, EventQueue, NewEvent, QueuedEvent } from "./types.js";

interface EventRow {
  id: number;
  request_id: string;
  function_name: string;
  qualifier: string;
  client_context: string | null;
  trace_id: string | null;
  received: number;
  attempts: number;
  due: number;
}

const toEvent = (row: EventRow): QueuedEvent => ({
  id: row.id,
  requestId: row.request_id,
  functionName: row.function_name,
  qualifier: row.qualifier,
  clientContext: row.client_context ?? undefined,
  traceId: row.trace_id ?? undefined,
  received: row.received,
  attempts: row.attempts,
  due: row.due,
});

const EVENT_COLUMNS = "id, request_id, function_name, qualifier, client_context, trace_id, received, attempts, due";

export class SqliteEventQueue implements EventQueue {
  readonly #db: Sqlite.Database;
  readonly #insert: Sqlite.Statement<unknown[]>;
  readonly #payload: Sqlite.Statement<[number], string>;
  readonly #reschedule: Sqlite.Statement<[number, number, number]>;
  readonly #remove: Sqlite.Statement<[number]>;
  readonly #all: Sqlite.Statement<[], EventRow>;
  readonly #count: Sqlite.Statement<[], number>;
  #size: number;

  constructor(db: Sqlite.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      "INSERT INTO async_events (request_id, function_name, qualifier, payload, client_context, trace_id, received, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#payload = db.prepare<[number], string>("SELECT payload FROM async_events WHERE id = ?").pluck();
    this.#reschedule = db.prepare("UPDATE async_events SET attempts = ?, due = ? WHERE id = ?");
    this.#remove = db.prepare("DELETE FROM async_events WHERE id = ?");
    this.#all = db.prepare(`SELECT ${EVENT_COLUMNS} FROM async_events ORDER BY id`);
    this.#count = db.prepare<[], number>("SELECT count(*) FROM async_events").pluck();
    this.#size = this.#count.get() ?? 0;
  }

  add(event: NewEvent): QueuedEvent {
    const { lastInsertRowid } = this.#insert.run(
      event.requestId,
      event.functionName,
      event.qualifier,
      event.payload,
      event.clientContext ?? null,
      event.traceId ?? null,
      event.received,
      event.received,
    );
    this.#size += 1;
    const { payload: _payload, ...rest } = event;
    return { ...rest, id: Number(lastInsertRowid), attempts: 0, due: event.received };
  }

  payload(id: number): string | undefined {
    return this.#payload.get(id);
  }

  reschedule(id: number, attempts: number, due: number): void {
    this.#reschedule.run(attempts, due, id);
  }

  remove(id: number): void {
    this.#size -= this.#remove.run(id).changes;
  }

  all(): QueuedEvent[] {
    return this.#all.all().map(toEvent);
  }

  size(): number {
    return this.#size;
  }

  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }
}

interface ConfigRow {
  function_name: string;
  qualifier: string;
  maximum_retry_attempts: number | null;
  maximum_event_age: number | null;
  on_success: string | null;
  on_failure: string | null;
  last_modified: number;
}

const toConfig = (row: ConfigRow): EventInvokeConfig => ({
  functionName: row.function_name,
  qualifier: row.qualifier,
  maximumRetryAttempts: row.maximum_retry_attempts ?? undefined,
  maximumEventAgeInSeconds: row.maximum_event_age ?? undefined,
  onSuccess: row.on_success ?? undefined,
  onFailure: row.on_failure ?? undefined,
  lastModified: row.last_modified,
});

export class SqliteEventInvokeConfigs implements EventInvokeConfigStore {
  readonly #put: Sqlite.Statement<unknown[]>;
  readonly #get: Sqlite.Statement<[string, string], ConfigRow>;
  readonly #list: Sqlite.Statement<[string], ConfigRow>;
  readonly #delete: Sqlite.Statement<[string, string]>;
  readonly #deleteAll: Sqlite.Statement<[string]>;

  constructor(db: Sqlite.Database) {
    this.#put = db.prepare(
      `INSERT INTO event_invoke_configs (function_name, qualifier, maximum_retry_attempts, maximum_event_age, on_success, on_failure, last_modified)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET maximum_retry_attempts = excluded.maximum_retry_attempts, maximum_event_age = excluded.maximum_event_age,
         on_success = excluded.on_success, on_failure = excluded.on_failure, last_modified = excluded.last_modified`,
    );
    this.#get = db.prepare("SELECT * FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?");
    this.#list = db.prepare("SELECT * FROM event_invoke_configs WHERE function_name = ? ORDER BY qualifier");
    this.#delete = db.prepare("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?");
    this.#deleteAll = db.prepare("DELETE FROM event_invoke_configs WHERE function_name = ?");
  }

  put(config: Omit<EventInvokeConfig, "lastModified">): EventInvokeConfig {
    this.#put.run(
      config.functionName,
      config.qualifier,
      config.maximumRetryAttempts ?? null,
      config.maximumEventAgeInSeconds ?? null,
      config.onSuccess ?? null,
      config.onFailure ?? null,
      Math.floor(Date.now() / 1000),
    );
    return this.get(config.functionName, config.qualifier) as EventInvokeConfig;
  }

  get(functionName: string, qualifier: string): EventInvokeConfig | undefined {
    const row = this.#get.get(functionName, qualifier);
    return row === undefined ? undefined : toConfig(row);
  }

  list(functionName: string): EventInvokeConfig[] {
    return this.#list.all(functionName).map(toConfig);
  }

  delete(functionName: string, qualifier: string): boolean {
    return this.#delete.run(functionName, qualifier).changes > 0;
  }

  deleteAll(functionName: string): void {
    this.#deleteAll.run(functionName);
  }
}
