/**
 * Concurrency settings on SQLite: one `concurrency` row per function with a reservation, one
 * `provisioned` row per provisioned version or alias. The methods run inside the registry's write
 * transactions.
 */
import type Sqlite from "better-sqlite3";
import { lambdaTimestamp } from "./timestamp.js";
import type { ProvisionedConfig } from "./types.js";

interface ProvisionedRow {
  function_name: string;
  qualifier: string;
  requested: number;
  last_modified: string;
}

const toProvisioned = (row: ProvisionedRow): ProvisionedConfig => ({
  functionName: row.function_name,
  qualifier: row.qualifier,
  requested: row.requested,
  lastModified: row.last_modified,
});

export class ProvisionedStore {
  readonly #put: Sqlite.Statement<[string, string, number, string]>;
  readonly #get: Sqlite.Statement<[string, string], ProvisionedRow>;
  readonly #delete: Sqlite.Statement<[string, string]>;
  readonly #deleteAll: Sqlite.Statement<[string]>;
  readonly #list: Sqlite.Statement<[string], ProvisionedRow>;
  readonly #all: Sqlite.Statement<[], ProvisionedRow>;

  constructor(db: Sqlite.Database) {
    this.#put = db.prepare(
      "INSERT INTO provisioned (function_name, qualifier, requested, last_modified) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET requested = excluded.requested, last_modified = excluded.last_modified",
    );
    this.#get = db.prepare("SELECT * FROM provisioned WHERE function_name = ? AND qualifier = ?");
    this.#delete = db.prepare("DELETE FROM provisioned WHERE function_name = ? AND qualifier = ?");
    this.#deleteAll = db.prepare("DELETE FROM provisioned WHERE function_name = ?");
    this.#list = db.prepare("SELECT * FROM provisioned WHERE function_name = ? ORDER BY qualifier");
    this.#all = db.prepare("SELECT * FROM provisioned ORDER BY function_name, qualifier");
  }

  put(functionName: string, qualifier: string, requested: number): ProvisionedConfig {
    this.#put.run(functionName, qualifier, requested, lambdaTimestamp());
    return this.get(functionName, qualifier) as ProvisionedConfig;
  }

  get(functionName: string, qualifier: string): ProvisionedConfig | undefined {
    const row = this.#get.get(functionName, qualifier);
    return row === undefined ? undefined : toProvisioned(row);
  }

  /** Whether there was one to delete. */
  delete(functionName: string, qualifier: string): boolean {
    return this.#delete.run(functionName, qualifier).changes > 0;
  }

  deleteAll(functionName: string): void {
    this.#deleteAll.run(functionName);
  }

  list(functionName?: string): ProvisionedConfig[] {
    return (functionName === undefined ? this.#all.all() : this.#list.all(functionName)).map(toProvisioned);
  }
}

export class ConcurrencyStore {
  readonly #get: Sqlite.Statement<[string], { reserved: number }>;
  readonly #put: Sqlite.Statement<[string, number]>;
  readonly #delete: Sqlite.Statement<[string]>;
  readonly #totalExcept: Sqlite.Statement<[string], { total: number }>;

  constructor(db: Sqlite.Database) {
    this.#get = db.prepare("SELECT reserved FROM concurrency WHERE function_name = ?");
    this.#put = db.prepare(
      "INSERT INTO concurrency (function_name, reserved) VALUES (?, ?) ON CONFLICT DO UPDATE SET reserved = excluded.reserved",
    );
    this.#delete = db.prepare("DELETE FROM concurrency WHERE function_name = ?");
    this.#totalExcept = db.prepare("SELECT COALESCE(SUM(reserved), 0) AS total FROM concurrency WHERE function_name <> ?");
  }

  get(functionName: string): number | undefined {
    return this.#get.get(functionName)?.reserved;
  }

  put(functionName: string, reserved: number): void {
    this.#put.run(functionName, reserved);
  }

  delete(functionName: string): void {
    this.#delete.run(functionName);
  }

  /** The sum of the reservations of every function but `functionName`. */
  totalExcept(functionName: string): number {
    return this.#totalExcept.get(functionName)?.total ?? 0;
  }
}
