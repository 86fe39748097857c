/** Event source mappings in the registry's SQLite database (schema step 7). */
import type Sqlite from "better-sqlite3";
import type { EventSourceMapping, MappingSettings } from "./types.js";

interface Row {
  uuid: string;
  function_name: string;
  qualifier: string | null;
  event_source_arn: string;
  settings: string;
  enabled: number;
  last_modified: number;
  last_processing_result: string;
}

const toMapping = (row: Row): EventSourceMapping => ({
  uuid: row.uuid,
  functionName: row.function_name,
  qualifier: row.qualifier ?? undefined,
  eventSourceArn: row.event_source_arn,
  settings: JSON.parse(row.settings) as MappingSettings,
  enabled: row.enabled === 1,
  lastModified: row.last_modified,
  lastProcessingResult: row.last_processing_result,
});

export class MappingStore {
  readonly #put: Sqlite.Statement<unknown[]>;
  readonly #get: Sqlite.Statement<[string], Row>;
  readonly #all: Sqlite.Statement<[], Row>;
  readonly #delete: Sqlite.Statement<[string]>;
  readonly #result: Sqlite.Statement<[string, string]>;

  constructor(db: Sqlite.Database) {
    this.#put = db.prepare(
      `INSERT INTO event_source_mappings (uuid, function_name, qualifier, event_source_arn, settings, enabled, last_modified)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET function_name = excluded.function_name, qualifier = excluded.qualifier, settings = excluded.settings,
         enabled = excluded.enabled, last_modified = excluded.last_modified`,
    );
    this.#get = db.prepare("SELECT * FROM event_source_mappings WHERE uuid = ?");
    this.#all = db.prepare("SELECT * FROM event_source_mappings ORDER BY uuid");
    this.#delete = db.prepare("DELETE FROM event_source_mappings WHERE uuid = ?");
    this.#result = db.prepare("UPDATE event_source_mappings SET last_processing_result = ? WHERE uuid = ?");
  }

  put(mapping: Omit<EventSourceMapping, "lastModified" | "lastProcessingResult">): EventSourceMapping {
    this.#put.run(
      mapping.uuid,
      mapping.functionName,
      mapping.qualifier ?? null,
      mapping.eventSourceArn,
      JSON.stringify(mapping.settings),
      mapping.enabled ? 1 : 0,
      Math.floor(Date.now() / 1000),
    );
    return this.get(mapping.uuid) as EventSourceMapping;
  }

  get(uuid: string): EventSourceMapping | undefined {
    const row = this.#get.get(uuid);
    return row === undefined ? undefined : toMapping(row);
  }

  all(): EventSourceMapping[] {
    return this.#all.all().map(toMapping);
  }

  delete(uuid: string): boolean {
    return this.#delete.run(uuid).changes > 0;
  }

  recordResult(uuid: string, result: string): void {
    this.#result.run(result, uuid);
  }
}
