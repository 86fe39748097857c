/**
 * A function's tags on SQLite, in the registry's database: one `tags` row per (function, key).
 * The methods run inside the registry's write transactions, which check that the function exists.
 */
import type Sqlite from "better-sqlite3";

function prepareStatements(db: Sqlite.Database) {
  return {
    all: db.prepare<[string], { key: string; value: string }>("SELECT key, value FROM tags WHERE function_name = ? ORDER BY key"),
    upsert: db.prepare<[string, string, string]>(
      "INSERT INTO tags (function_name, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
    ),
    delete: db.prepare<[string, string]>("DELETE FROM tags WHERE function_name = ? AND key = ?"),
    deleteAll: db.prepare<[string]>("DELETE FROM tags WHERE function_name = ?"),
  };
}

export class TagStore {
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(db: Sqlite.Database) {
    this.#statements = prepareStatements(db);
  }

  list(functionName: string): Record<string, string> {
    return Object.fromEntries(this.#statements.all.all(functionName).map((t) => [t.key, t.value]));
  }

  /** Adds the tags, replacing the values of keys already there. */
  merge(functionName: string, tags: Record<string, string>): void {
    for (const [key, value] of Object.entries(tags)) this.#statements.upsert.run(functionName, key, value);
  }

  /** Removes the keys; a key the function does not have is no error. */
  remove(functionName: string, keys: string[]): void {
    for (const key of keys) this.#statements.delete.run(functionName, key);
  }

  deleteAll(functionName: string): void {
    this.#statements.deleteAll.run(functionName);
  }
}
