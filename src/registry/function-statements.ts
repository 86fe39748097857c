/** The SQL of the `functions` table (a row per version) and of the code rows it references, prepared once. */
import type Sqlite from "better-sqlite3";
import { LATEST } from "./common.js";
import { SELECT_VERSION, type VersionRow } from "./function-rows.js";

type ListBinds = { all: number; limit: number };

/** Named, so that the registry's declarations can refer to the statements' types. */
export interface FunctionStatements {
  byNumber: Sqlite.Statement<[string, number], VersionRow>;
  listFirst: Sqlite.Statement<ListBinds, VersionRow>;
  listAfter: Sqlite.Statement<ListBinds & { name: string; number: number }, VersionRow>;
  versionsAfter: Sqlite.Statement<[string, number, number], VersionRow>;
  newestPublished: Sqlite.Statement<[string], VersionRow>;
  lastPublished: Sqlite.Statement<[string], number>;
  insertPublished: Sqlite.Statement<Record<"name" | "version" | "number" | "description" | "revisionId" | "lastModified", unknown>>;
  setLastPublished: Sqlite.Statement<[number, string]>;
  addCode: Sqlite.Statement<[string, number, number, string]>;
  insertLatest: Sqlite.Statement;
  setCode: Sqlite.Statement<[string, string, string, string]>;
  setSettings: Sqlite.Statement;
  deleteFunction: Sqlite.Statement<[string]>;
  deleteVersion: Sqlite.Statement<[string, number]>;
  codeBytes: Sqlite.Statement<[], number>;
}

/** Code in use: functions' packages, layer versions, and layers that functions still pin after their deletion. */
export const CODE_IN_USE = `
  SELECT code_sha256 FROM functions
  UNION SELECT code_sha256 FROM layer_versions
  UNION SELECT json_extract(l.value, '$.codeSha256') FROM functions f, json_each(f.layers) l`;

export function prepareFunctionStatements(db: Sqlite.Database): FunctionStatements {
  return {
    byNumber: db.prepare<[string, number], VersionRow>(`${SELECT_VERSION} WHERE f.name = ? AND f.version_number = ?`),
    listFirst: db.prepare<ListBinds, VersionRow>(
      `${SELECT_VERSION} WHERE (:all = 1 OR f.version_number = 0) ORDER BY f.name, f.version_number LIMIT :limit`,
    ),
    listAfter: db.prepare<ListBinds & { name: string; number: number }, VersionRow>(
      `${SELECT_VERSION} WHERE (:all = 1 OR f.version_number = 0) AND (f.name, f.version_number) > (:name, :number)
       ORDER BY f.name, f.version_number LIMIT :limit`,
    ),
    versionsAfter: db.prepare<[string, number, number], VersionRow>(
      `${SELECT_VERSION} WHERE f.name = ? AND f.version_number > ? ORDER BY f.version_number LIMIT ?`,
    ),
    newestPublished: db.prepare<[string], VersionRow>(
      `${SELECT_VERSION} WHERE f.name = ? AND f.version_number > 0 ORDER BY f.version_number DESC LIMIT 1`,
    ),
    /** The highest number ever published: $LATEST's counter, or a version row's if higher (rows from before PublishVersion). */
    lastPublished: db
      .prepare<[string], number>("SELECT max(MAX(last_published), MAX(version_number)) FROM functions WHERE name = ?")
      .pluck(),
    insertPublished: db.prepare<Record<"name" | "version" | "number" | "description" | "revisionId" | "lastModified", unknown>>(
      `INSERT INTO functions (name, version, version_number, runtime, handler, memory_size, timeout, description, environment,
                              role, code_sha256, revision_id, last_modified, source_description, layers, ephemeral_storage,
                              dead_letter_target, snap_start, logging)
       SELECT name, :version, :number, runtime, handler, memory_size, timeout, COALESCE(:description, description),
              environment, role, code_sha256, :revisionId, :lastModified, description, layers, ephemeral_storage, dead_letter_target, snap_start,
              logging
       FROM functions WHERE name = :name AND version_number = 0`,
    ),
    setLastPublished: db.prepare<[number, string]>("UPDATE functions SET last_published = ? WHERE name = ? AND version_number = 0"),
    addCode: db.prepare<[string, number, number, string]>(
      "INSERT INTO code (sha256, size, unzipped_size, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    insertLatest: db.prepare(
      `INSERT INTO functions (name, version, version_number, runtime, handler, memory_size, timeout, description, environment,
                              role, code_sha256, revision_id, last_modified, layers, ephemeral_storage, dead_letter_target, snap_start,
                              logging)
       VALUES (:name, '${LATEST}', 0, :runtime, :handler, :memorySize, :timeout, :description, :environment,
               :role, :codeSha256, :revisionId, :lastModified, :layers, :ephemeralStorageMB, :deadLetterTarget, :snapStartApplyOn,
               :logging)`,
    ),
    setCode: db.prepare<[string, string, string, string]>(
      "UPDATE functions SET code_sha256 = ?, revision_id = ?, last_modified = ? WHERE name = ? AND version_number = 0",
    ),
    setSettings: db.prepare(
      `UPDATE functions SET runtime = :runtime, handler = :handler, memory_size = :memorySize, timeout = :timeout,
         description = :description, environment = :environment, role = :role, layers = :layers,
         ephemeral_storage = :ephemeralStorageMB, dead_letter_target = :deadLetterTarget, snap_start = :snapStartApplyOn, logging = :logging,
         revision_id = :revisionId,
         last_modified = :lastModified
       WHERE name = :name AND version_number = 0`,
    ),
    deleteFunction: db.prepare<[string]>("DELETE FROM functions WHERE name = ?"),
    deleteVersion: db.prepare<[string, number]>("DELETE FROM functions WHERE name = ? AND version_number = ?"),
    codeBytes: db.prepare<[], number>(`SELECT COALESCE(SUM(size), 0) FROM code WHERE sha256 IN (${CODE_IN_USE})`).pluck(),
  };
}
