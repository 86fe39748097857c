/**
 * Aliases on SQLite, in the registry's database: one `aliases` row per (function, alias name), its
 * RoutingConfig weights as JSON. Every write is one IMMEDIATE transaction, like the registry's.
 */
import { randomUUID } from "node:crypto";
import type Sqlite from "better-sqlite3";
import { LambdaError } from "../lambda/errors.js";
import { type Arns, decodeMarker, LATEST, pageOf, pageSize, preconditionFailed, versionNumber } from "./common.js";
import type { Alias, AliasInput, Page } from "./types.js";

const NAME_PATTERN = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)";
const NAME = new RegExp(`^${NAME_PATTERN}$`);
const NAME_MAX_LENGTH = 128;

interface AliasRow {
  function_name: string;
  name: string;
  function_version: string;
  description: string;
  weights: string;
  revision_id: string;
}

function toAlias(row: AliasRow): Alias {
  return {
    functionName: row.function_name,
    name: row.name,
    functionVersion: row.function_version,
    description: row.description,
    additionalVersionWeights: JSON.parse(row.weights) as Record<string, number>,
    revisionId: row.revision_id,
  };
}

function invalidName(name: string, constraint: string): LambdaError {
  return new LambdaError(
    "InvalidParameterValueException",
    `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must ${constraint}`,
  );
}

/** The `$LATEST`-with-weights refusal, as Lambda words it. */
const LATEST_WEIGHTED = "$LATEST is not supported for an alias pointing to more than 1 version";

function prepareStatements(db: Sqlite.Database) {
  return {
    functionExists: db.prepare<[string], number>("SELECT 1 FROM functions WHERE name = ? AND version_number = 0").pluck(),
    versionExists: db.prepare<[string, number], number>("SELECT 1 FROM functions WHERE name = ? AND version_number = ?").pluck(),
    get: db.prepare<[string, string], AliasRow>("SELECT * FROM aliases WHERE function_name = ? AND name = ?"),
    all: db.prepare<[string], AliasRow>("SELECT * FROM aliases WHERE function_name = ? ORDER BY name"),
    list: db.prepare<{ fn: string; version: string | null; after: string; limit: number }, AliasRow>(
      `SELECT * FROM aliases WHERE function_name = :fn AND (:version IS NULL OR function_version = :version) AND name > :after
       ORDER BY name LIMIT :limit`,
    ),
    upsert: db.prepare<AliasRow>(
      `INSERT INTO aliases (function_name, name, function_version, description, weights, revision_id)
       VALUES (:function_name, :name, :function_version, :description, :weights, :revision_id)
       ON CONFLICT (function_name, name) DO UPDATE SET function_version = excluded.function_version,
         description = excluded.description, weights = excluded.weights, revision_id = excluded.revision_id`,
    ),
    delete: db.prepare<[string, string]>("DELETE FROM aliases WHERE function_name = ? AND name = ?"),
    deleteAll: db.prepare<[string]>("DELETE FROM aliases WHERE function_name = ?"),
  };
}

export class AliasStore {
  readonly #db: Sqlite.Database;
  readonly #arns: Arns;
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(db: Sqlite.Database, arns: Arns) {
    this.#db = db;
    this.#arns = arns;
    this.#statements = prepareStatements(db);
  }

  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  #requireFunction(functionName: string): void {
    if (this.#statements.functionExists.get(functionName) === undefined) throw this.#arns.functionNotFound(functionName);
  }

  #requireAlias(functionName: string, aliasName: string): AliasRow {
    this.#requireFunction(functionName);
    const row = this.#statements.get.get(functionName, aliasName);
    if (row === undefined) {
      throw new LambdaError("ResourceNotFoundException", `Alias not found: ${this.#arns.function(functionName, aliasName)}`);
    }
    return row;
  }

  #requireVersion(functionName: string, version: string): void {
    if (version === LATEST) return;
    const number = versionNumber(version);
    if (number === undefined || this.#statements.versionExists.get(functionName, number) === undefined) {
      throw this.#arns.functionNotFound(functionName, version);
    }
  }

  /** Checks a whole alias (target, weights) and stores it with a new revision id. */
  #save(functionName: string, aliasName: string, alias: Required<AliasInput>): Alias {
    const primary = alias.functionVersion;
    this.#requireVersion(functionName, primary);
    const entries = Object.entries(alias.additionalVersionWeights);
    if (entries.length > 1) {
      throw new LambdaError("InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1");
    }
    for (const [version, weight] of entries) {
      if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) {
        throw new LambdaError(
          "ValidationException",
          `1 validation error detected: Value '{${version}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
        );
      }
      if (primary === LATEST || version === LATEST) throw new LambdaError("InvalidParameterValueException", LATEST_WEIGHTED);
      if (version === primary) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `Invalid function version ${primary}. Function version ${primary} is already included in routing configuration.`,
        );
      }
      if (versionNumber(version) === undefined) {
        throw new LambdaError(
          "ValidationException",
          `1 validation error detected: Value '{${version}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]`,
        );
      }
      this.#requireVersion(functionName, version);
    }
    const row: AliasRow = {
      function_name: functionName,
      name: aliasName,
      function_version: primary,
      description: alias.description,
      weights: JSON.stringify(Object.fromEntries(entries)),
      revision_id: randomUUID(),
    };
    this.#statements.upsert.run(row);
    return toAlias(row);
  }

  create(functionName: string, aliasName: string, input: AliasInput): Alias {
    if (aliasName.length < 1) throw invalidName(aliasName, "have length greater than or equal to 1");
    if (aliasName.length > NAME_MAX_LENGTH) throw invalidName(aliasName, `have length less than or equal to ${NAME_MAX_LENGTH}`);
    if (!NAME.test(aliasName)) throw invalidName(aliasName, `satisfy regular expression pattern: ${NAME_PATTERN}`);
    return this.#write(() => {
      this.#requireFunction(functionName);
      this.#requireVersion(functionName, input.functionVersion);
      if (this.#statements.get.get(functionName, aliasName) !== undefined) {
        throw new LambdaError("ResourceConflictException", `Alias already exists: ${this.#arns.function(functionName, aliasName)}`);
      }
      return this.#save(functionName, aliasName, {
        functionVersion: input.functionVersion,
        description: input.description ?? "",
        additionalVersionWeights: input.additionalVersionWeights ?? {},
      });
    });
  }

  get(functionName: string, aliasName: string): Alias | undefined {
    const row = this.#statements.get.get(functionName, aliasName);
    return row === undefined ? undefined : toAlias(row);
  }

  /** Changes what the patch gives (weights as a whole); every update makes a new revision id. */
  update(functionName: string, aliasName: string, patch: Partial<AliasInput>, revisionId?: string): Alias {
    return this.#write(() => {
      const current = toAlias(this.#requireAlias(functionName, aliasName));
      if (revisionId !== undefined && revisionId !== current.revisionId) throw preconditionFailed();
      return this.#save(functionName, aliasName, {
        functionVersion: patch.functionVersion ?? current.functionVersion,
        description: patch.description ?? current.description,
        additionalVersionWeights: patch.additionalVersionWeights ?? current.additionalVersionWeights,
      });
    });
  }

  delete(functionName: string, aliasName: string): void {
    this.#write(() => {
      this.#requireAlias(functionName, aliasName);
      this.#statements.delete.run(functionName, aliasName);
    });
  }

  list(functionName: string, options: { functionVersion?: string; marker?: string; maxItems?: number }): Page<Alias> {
    const size = pageSize(options.maxItems);
    const after = options.marker === undefined || options.marker === "" ? "" : decodeMarker(options.marker, "string")[1];
    this.#requireFunction(functionName);
    const rows = this.#statements.list.all({ fn: functionName, version: options.functionVersion ?? null, after, limit: size + 1 });
    return pageOf(rows, size, toAlias, (row) => [row.function_name, row.name]);
  }

  /** The names of the aliases that route to `version`, as primary or weighted version. */
  referencing(functionName: string, version: string): string[] {
    return this.#statements.all
      .all(functionName)
      .map(toAlias)
      .filter((alias) => alias.functionVersion === version || Object.hasOwn(alias.additionalVersionWeights, version))
      .map((alias) => alias.name);
  }

  /** Part of deleting (or re-creating) a function; runs inside the caller's transaction. */
  deleteAll(functionName: string): void {
    this.#statements.deleteAll.run(functionName);
  }
}
