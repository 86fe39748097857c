/**
 * Reserved concurrency per function on SQLite: one `concurrency` row per function that has a
 * reservation. The methods run inside the registry's write transactions.
 */
import type Sqlite from "better-sqlite3";

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
