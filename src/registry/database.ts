/**
 * The registry's SQLite file: `<dataDir>/registry.db`, in WAL mode so readers never wait for the
 * writer, with a busy timeout so a second process on the same data dir waits for the write lock
 * instead of failing at once. Opening it brings the schema up to date.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { migrate } from "./migrations.js";

export const DATABASE_FILE = "registry.db";
/** How long a write waits for another connection's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(dataDir: string): Sqlite.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Sqlite(path.join(dataDir, DATABASE_FILE), { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL loses no integrity on a crash, only the last commits on power loss.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
