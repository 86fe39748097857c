/**
 * The Registry on SQLite: one `functions` row per version ($LATEST, then published numbers), the
 * function's tags, and a reference to the stored code package. Every write is one IMMEDIATE
 * transaction, so a check (exists? revision matches?) and the change it guards are atomic even
 * with several processes on one data dir.
 */
import { randomUUID } from "node:crypto";
import type Sqlite from "better-sqlite3";
import { AwsError } from "../api/errors.js";
import { lambdaTimestamp } from "./timestamp.js";
import type { FunctionSettings, FunctionVersion, ListOptions, NewFunction, Page, Registry, StoredCode } from "./types.js";

export const LATEST = "$LATEST";
/** ListFunctions' default page size, and the largest MaxItems it accepts. */
export const DEFAULT_MAX_ITEMS = 50;
export const MAX_ITEMS_LIMIT = 10_000;

export interface RegistryOptions {
  /** For the ARNs in error messages; default us-east-1. */
  region?: string;
  /** For the ARNs in error messages; default 000000000000. */
  accountId?: string;
}

interface VersionRow {
  name: string;
  version: string;
  version_number: number;
  runtime: string;
  handler: string;
  memory_size: number;
  timeout: number;
  description: string;
  environment: string;
  role: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: string;
}

function toVersion(row: VersionRow): FunctionVersion {
  return {
    functionName: row.name,
    version: row.version,
    runtime: row.runtime,
    handler: row.handler,
    memorySize: row.memory_size,
    timeout: row.timeout,
    description: row.description,
    environment: JSON.parse(row.environment) as Record<string, string>,
    role: row.role,
    codeSha256: row.code_sha256,
    codeSize: row.code_size,
    revisionId: row.revision_id,
    lastModified: row.last_modified,
  };
}

/** A published version's number, or undefined for anything else (an alias name, `$LATEST`, junk). */
function versionNumber(qualifier: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(qualifier)) return undefined;
  const n = Number(qualifier);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The opaque ListFunctions marker: the last (name, version number) a page returned. */
function encodeMarker(name: string, version: number): string {
  return Buffer.from(JSON.stringify([name, version])).toString("base64url");
}

function decodeMarker(marker: string): [string, number] {
  try {
    const value: unknown = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && Number.isSafeInteger(value[1])) {
      return [value[0], value[1] as number];
    }
  } catch {
    // falls through to the error below
  }
  throw new AwsError("InvalidParameterValueException", `Invalid Marker: ${marker}`);
}

/** Every setting, once: the record type makes adding one to FunctionSettings fail here until listed. */
const SETTING_KEYS = Object.keys({
  runtime: true,
  handler: true,
  memorySize: true,
  timeout: true,
  description: true,
  environment: true,
  role: true,
} satisfies Record<keyof FunctionSettings, true>) as Array<keyof FunctionSettings>;

const SELECT_VERSION = `
  SELECT f.name, f.version, f.version_number, f.runtime, f.handler, f.memory_size, f.timeout, f.description,
         f.environment, f.role, f.code_sha256, c.size AS code_size, f.revision_id, f.last_modified
  FROM functions f JOIN code c ON c.sha256 = f.code_sha256`;

function prepareStatements(db: Sqlite.Database) {
  return {
    byNumber: db.prepare<[string, number], VersionRow>(`${SELECT_VERSION} WHERE f.name = ? AND f.version_number = ?`),
    listFirst: db.prepare<{ all: number; limit: number }, VersionRow>(
      `${SELECT_VERSION} WHERE (:all = 1 OR f.version_number = 0) ORDER BY f.name, f.version_number LIMIT :limit`,
    ),
    listAfter: db.prepare<{ all: number; limit: number; name: string; number: number }, VersionRow>(
      `${SELECT_VERSION} WHERE (:all = 1 OR f.version_number = 0) AND (f.name, f.version_number) > (:name, :number)
       ORDER BY f.name, f.version_number LIMIT :limit`,
    ),
    addCode: db.prepare<[string, number, string]>("INSERT INTO code (sha256, size, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
    insertLatest: db.prepare(
      `INSERT INTO functions (name, version, version_number, runtime, handler, memory_size, timeout, description, environment,
                              role, code_sha256, revision_id, last_modified)
       VALUES (:name, '${LATEST}', 0, :runtime, :handler, :memorySize, :timeout, :description, :environment,
               :role, :codeSha256, :revisionId, :lastModified)`,
    ),
    setCode: db.prepare<[string, string, string, string]>(
      "UPDATE functions SET code_sha256 = ?, revision_id = ?, last_modified = ? WHERE name = ? AND version_number = 0",
    ),
    setSettings: db.prepare(
      `UPDATE functions SET runtime = :runtime, handler = :handler, memory_size = :memorySize, timeout = :timeout,
         description = :description, environment = :environment, role = :role, revision_id = :revisionId,
         last_modified = :lastModified
       WHERE name = :name AND version_number = 0`,
    ),
    deleteFunction: db.prepare<[string]>("DELETE FROM functions WHERE name = ?"),
    deleteVersion: db.prepare<[string, number]>("DELETE FROM functions WHERE name = ? AND version_number = ?"),
    deleteTags: db.prepare<[string]>("DELETE FROM tags WHERE function_name = ?"),
    insertTag: db.prepare<[string, string, string]>("INSERT INTO tags (function_name, key, value) VALUES (?, ?, ?)"),
    tags: db.prepare<[string], { key: string; value: string }>("SELECT key, value FROM tags WHERE function_name = ? ORDER BY key"),
    codeBytes: db
      .prepare<[], number>("SELECT COALESCE(SUM(size), 0) FROM code WHERE sha256 IN (SELECT code_sha256 FROM functions)")
      .pluck(),
  };
}

export class SqliteRegistry implements Registry {
  readonly #db: Sqlite.Database;
  readonly #region: string;
  readonly #accountId: string;
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(db: Sqlite.Database, options: RegistryOptions = {}) {
    this.#db = db;
    this.#region = options.region ?? "us-east-1";
    this.#accountId = options.accountId ?? "000000000000";
    this.#statements = prepareStatements(db);
  }

  #arn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.#region}:${this.#accountId}:function:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;
  }

  #notFound(name: string, qualifier?: string): AwsError {
    return new AwsError("ResourceNotFoundException", `Function not found: ${this.#arn(name, qualifier)}`);
  }

  /** Runs `fn` in a write transaction that holds the lock from its first statement. */
  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  #latest(name: string): VersionRow | undefined {
    return this.#statements.byNumber.get(name, 0);
  }

  /** $LATEST for a change: it must exist, and a given revision id must be its current one. */
  #latestForChange(name: string, revisionId: string | undefined): VersionRow {
    const row = this.#latest(name);
    if (row === undefined) throw this.#notFound(name);
    if (revisionId !== undefined && revisionId !== row.revision_id) {
      throw new AwsError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      );
    }
    return row;
  }

  #addCode(code: StoredCode): void {
    this.#statements.addCode.run(code.codeSha256, code.codeSize, lambdaTimestamp());
  }

  #reread(name: string): FunctionVersion {
    const row = this.#latest(name);
    if (row === undefined) throw new Error(`registry: ${name} vanished inside its own transaction`);
    return toVersion(row);
  }

  createFunction(input: NewFunction): FunctionVersion {
    return this.#write(() => {
      const name = input.functionName;
      if (this.#latest(name) !== undefined) {
        throw new AwsError("ResourceConflictException", `Function already exist: ${name}`);
      }
      this.#addCode(input.code);
      this.#statements.insertLatest.run({
        name,
        runtime: input.runtime,
        handler: input.handler,
        memorySize: input.memorySize,
        timeout: input.timeout,
        description: input.description,
        environment: JSON.stringify(input.environment),
        role: input.role,
        codeSha256: input.code.codeSha256,
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
      });
      this.#statements.deleteTags.run(name);
      for (const [key, value] of Object.entries(input.tags ?? {})) this.#statements.insertTag.run(name, key, value);
      return this.#reread(name);
    });
  }

  getVersion(functionName: string, qualifier?: string): FunctionVersion | undefined {
    const number = qualifier === undefined || qualifier === LATEST ? 0 : versionNumber(qualifier);
    if (number === undefined) return undefined;
    const row = this.#statements.byNumber.get(functionName, number);
    return row === undefined ? undefined : toVersion(row);
  }

  listFunctions(options: ListOptions): Page<FunctionVersion> {
    const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
      );
    }
    const all = options.allVersions ? 1 : 0;
    // One row more than the page tells whether another page follows.
    const limit = maxItems + 1;
    let rows: VersionRow[];
    if (options.marker === undefined || options.marker === "") {
      rows = this.#statements.listFirst.all({ all, limit });
    } else {
      const [name, number] = decodeMarker(options.marker);
      rows = this.#statements.listAfter.all({ all, limit, name, number });
    }
    const items = rows.slice(0, maxItems);
    const last = items.at(-1);
    return {
      items: items.map(toVersion),
      ...(rows.length > maxItems && last ? { nextMarker: encodeMarker(last.name, last.version_number) } : {}),
    };
  }

  updateCode(functionName: string, code: StoredCode, revisionId?: string): FunctionVersion {
    return this.#write(() => {
      this.#latestForChange(functionName, revisionId);
      this.#addCode(code);
      this.#statements.setCode.run(code.codeSha256, randomUUID(), lambdaTimestamp(), functionName);
      return this.#reread(functionName);
    });
  }

  updateSettings(functionName: string, patch: Partial<FunctionSettings>, revisionId?: string): FunctionVersion {
    return this.#write(() => {
      const current = toVersion(this.#latestForChange(functionName, revisionId));
      const next: FunctionSettings = {
        runtime: current.runtime,
        handler: current.handler,
        memorySize: current.memorySize,
        timeout: current.timeout,
        description: current.description,
        environment: current.environment,
        role: current.role,
      };
      // Only the settings the patch names (and gives a value) change.
      for (const key of SETTING_KEYS) {
        if (patch[key] !== undefined) Object.assign(next, { [key]: patch[key] });
      }
      this.#statements.setSettings.run({
        ...next,
        environment: JSON.stringify(next.environment),
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
        name: functionName,
      });
      return this.#reread(functionName);
    });
  }

  deleteFunction(functionName: string, qualifier?: string): void {
    if (qualifier === LATEST) {
      throw new AwsError("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
    }
    this.#write(() => {
      if (qualifier === undefined) {
        if (this.#statements.deleteFunction.run(functionName).changes === 0) throw this.#notFound(functionName);
        this.#statements.deleteTags.run(functionName);
        return;
      }
      const number = versionNumber(qualifier);
      if (number === undefined || this.#statements.deleteVersion.run(functionName, number).changes === 0) {
        throw this.#notFound(functionName, qualifier);
      }
    });
  }

  /** The function's tags (ListTags), or undefined when the function does not exist. */
  listTags(functionName: string): Record<string, string> | undefined {
    if (this.#latest(functionName) === undefined) return undefined;
    return Object.fromEntries(this.#statements.tags.all(functionName).map((t) => [t.key, t.value]));
  }

  codeStorageBytes(): number {
    return this.#statements.codeBytes.get() ?? 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
