/**
 * The embedded registry: SQLite in `<dataDir>/registry.db` for functions, versions, aliases and tags, and the code
 * packages under `<dataDir>/code/`, sharing one connection.
 */
import type Sqlite from "better-sqlite3";
import { FileCodeStore } from "./code-store.js";
import { openDatabase } from "./database.js";
import { type RegistryOptions, SqliteRegistry } from "./sqlite-registry.js";

export { FileCodeStore } from "./code-store.js";
export type { RegistryOptions } from "./sqlite-registry.js";
export { SqliteRegistry } from "./sqlite-registry.js";
export type * from "./types.js";

export interface OpenedRegistry {
  /** Closing it closes the database the code store uses too. */
  registry: SqliteRegistry;
  code: FileCodeStore;
  /** The one connection, for the other boxes that keep state in the same store (async events, queues). */
  db: Sqlite.Database;
}

export function openRegistry(dataDir: string, options: RegistryOptions = {}): OpenedRegistry {
  const db = openDatabase(dataDir);
  try {
    return { registry: new SqliteRegistry(db, options), code: new FileCodeStore(db, dataDir), db };
  } catch (error) {
    db.close();
    throw error;
  }
}
