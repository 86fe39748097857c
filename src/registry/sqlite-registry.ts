/**
 * The Registry on SQLite: one `functions` row per version ($LATEST, then published numbers), the
 * function's tags and aliases (aliases.ts), and a reference to the stored code package. Every
 * write is one IMMEDIATE transaction, so a check (exists? revision matches?) and the change it
 * guards are atomic even with several processes on one data dir.
 */
import { randomUUID } from "node:crypto";
import type Sqlite from "better-sqlite3";
import { LambdaError } from "../lambda/errors.js";
import { AliasStore } from "./aliases.js";
import { Arns, decodeMarker, LATEST, pageOf, pageSize, preconditionFailed, versionNumber } from "./common.js";
import { ConcurrencyStore, ProvisionedStore } from "./concurrency.js";
import { SETTING_KEYS, toVersion, unchangedSince, type VersionRow, versionKey } from "./function-rows.js";
import { type FunctionStatements, prepareFunctionStatements } from "./function-statements.js";
import { LayerStore } from "./layers.js";
import { TagStore } from "./tags.js";
import { lambdaTimestamp } from "./timestamp.js";
import type {
  Alias,
  AliasInput,
  FunctionSettings,
  FunctionVersion,
  LayerFilter,
  LayerVersion,
  ListOptions,
  NewFunction,
  NewLayerVersion,
  Page,
  ProvisionedConfig,
  Registry,
  StoredCode,
} from "./types.js";

export { DEFAULT_MAX_ITEMS, LATEST, MAX_ITEMS_LIMIT } from "./common.js";

export interface RegistryOptions {
  /** For the ARNs in error messages; default us-east-1. */
  region?: string;
  /** For the ARNs in error messages; default 000000000000. */
  accountId?: string;
}

export class SqliteRegistry implements Registry {
  readonly #db: Sqlite.Database;
  readonly #arns: Arns;
  readonly #statements: FunctionStatements;
  readonly #aliases: AliasStore;
  readonly #tags: TagStore;
  readonly #concurrency: ConcurrencyStore;
  readonly #provisioned: ProvisionedStore;
  readonly #layers: LayerStore;

  constructor(db: Sqlite.Database, options: RegistryOptions = {}) {
    this.#db = db;
    this.#arns = new Arns(options.region ?? "us-east-1", options.accountId ?? "000000000000");
    this.#statements = prepareFunctionStatements(db);
    this.#aliases = new AliasStore(db, this.#arns);
    this.#tags = new TagStore(db);
    this.#concurrency = new ConcurrencyStore(db);
    this.#provisioned = new ProvisionedStore(db);
    this.#layers = new LayerStore(db);
  }

  #notFound(name: string, qualifier?: string): LambdaError {
    return this.#arns.functionNotFound(name, qualifier);
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
    if (revisionId !== undefined && revisionId !== row.revision_id) throw preconditionFailed();
    return row;
  }

  #addCode(code: StoredCode): void {
    this.#statements.addCode.run(code.codeSha256, code.codeSize, code.unzippedSize, lambdaTimestamp());
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
        throw new LambdaError("ResourceConflictException", `Function already exist: ${name}`);
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
        layers: JSON.stringify(input.layers),
        ephemeralStorageMB: input.ephemeralStorageMB,
        deadLetterTarget: input.deadLetterTarget,
        snapStartApplyOn: input.snapStartApplyOn,
        logging: JSON.stringify(input.logging),
        codeSha256: input.code.codeSha256,
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
      });
      // A new function starts without anything a former one of that name left behind.
      this.#tags.deleteAll(name);
      this.#aliases.deleteAll(name);
      this.#tags.merge(name, input.tags ?? {});
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
    const size = pageSize(options.maxItems);
    const all = options.allVersions ? 1 : 0;
    const limit = size + 1;
    let rows: VersionRow[];
    if (options.marker === undefined || options.marker === "") {
      rows = this.#statements.listFirst.all({ all, limit });
    } else {
      const [name, number] = decodeMarker(options.marker, "number");
      rows = this.#statements.listAfter.all({ all, limit, name, number });
    }
    return pageOf(rows, size, toVersion, versionKey);
  }

  listVersions(functionName: string, options: Omit<ListOptions, "allVersions">): Page<FunctionVersion> {
    const size = pageSize(options.maxItems);
    const after = options.marker === undefined || options.marker === "" ? -1 : decodeMarker(options.marker, "number")[1];
    if (this.#latest(functionName) === undefined) throw this.#notFound(functionName);
    return pageOf(this.#statements.versionsAfter.all(functionName, after, size + 1), size, toVersion, versionKey);
  }

  publishVersion(functionName: string, options: { description?: string; codeSha256?: string; revisionId?: string } = {}): FunctionVersion {
    return this.#write(() => {
      const latest = this.#latestForChange(functionName, options.revisionId);
      if (options.codeSha256 !== undefined && options.codeSha256 !== latest.code_sha256) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.code_sha256}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
      const newest = this.#statements.newestPublished.get(functionName);
      if (newest !== undefined && unchangedSince(newest, latest)) return toVersion(newest);
      // Numbers are never reused: the next one follows the highest ever published, deleted or not.
      const number = (this.#statements.lastPublished.get(functionName) ?? 0) + 1;
      this.#statements.insertPublished.run({
        name: functionName,
        version: String(number),
        number,
        description: options.description ?? null,
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
      });
      this.#statements.setLastPublished.run(number, functionName);
      const row = this.#statements.byNumber.get(functionName, number);
      if (row === undefined) throw new Error(`registry: ${functionName}:${number} vanished inside its own transaction`);
      return toVersion(row);
    });
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
        layers: current.layers,
        ephemeralStorageMB: current.ephemeralStorageMB,
        deadLetterTarget: current.deadLetterTarget,
        snapStartApplyOn: current.snapStartApplyOn,
        logging: current.logging,
      };
      // Only the settings the patch names (and gives a value) change.
      for (const key of SETTING_KEYS) {
        if (patch[key] !== undefined) Object.assign(next, { [key]: patch[key] });
      }
      this.#statements.setSettings.run({
        ...next,
        environment: JSON.stringify(next.environment),
        layers: JSON.stringify(next.layers),
        logging: JSON.stringify(next.logging),
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
        name: functionName,
      });
      return this.#reread(functionName);
    });
  }

  deleteFunction(functionName: string, qualifier?: string): void {
    if (qualifier === LATEST) {
      throw new LambdaError("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
    }
    this.#write(() => {
      if (qualifier === undefined) {
        if (this.#statements.deleteFunction.run(functionName).changes === 0) throw this.#notFound(functionName);
        this.#tags.deleteAll(functionName);
        this.#aliases.deleteAll(functionName);
        this.#concurrency.delete(functionName);
        this.#provisioned.deleteAll(functionName);
        return;
      }
      const number = versionNumber(qualifier);
      if (number === undefined || this.#statements.byNumber.get(functionName, number) === undefined) {
        throw this.#notFound(functionName, qualifier);
      }
      const aliases = this.#aliases.referencing(functionName, qualifier);
      if (aliases.length > 0) {
        throw new LambdaError(
          "ResourceConflictException",
          `Unable to delete version because the following aliases reference it: [${aliases.join(", ")}]`,
        );
      }
      this.#statements.deleteVersion.run(functionName, number);
    });
  }

  createAlias(functionName: string, aliasName: string, input: AliasInput): Alias {
    return this.#aliases.create(functionName, aliasName, input);
  }

  getAlias(functionName: string, aliasName: string): Alias | undefined {
    return this.#aliases.get(functionName, aliasName);
  }

  updateAlias(functionName: string, aliasName: string, patch: Partial<AliasInput>, revisionId?: string): Alias {
    return this.#aliases.update(functionName, aliasName, patch, revisionId);
  }

  deleteAlias(functionName: string, aliasName: string): void {
    this.#aliases.delete(functionName, aliasName);
  }

  listAliases(functionName: string, options: { functionVersion?: string; marker?: string; maxItems?: number }): Page<Alias> {
    return this.#aliases.list(functionName, options);
  }

  /** The function's tags, {} when it has none. */
  listTags(functionName: string): Record<string, string> {
    if (this.#latest(functionName) === undefined) throw this.#notFound(functionName);
    return this.#tags.list(functionName);
  }

  /** TagResource: merges the tags into the function's (a given key's value replaces the old one). */
  tagResource(functionName: string, tags: Record<string, string>): void {
    this.#write(() => this.#tags.merge(this.#latestForChange(functionName, undefined).name, tags));
  }

  /** UntagResource: removes the keys; a key the function does not have is no error. */
  untagResource(functionName: string, keys: string[]): void {
    this.#write(() => this.#tags.remove(this.#latestForChange(functionName, undefined).name, keys));
  }

  putReservedConcurrency(functionName: string, reserved: number, maxTotal: number): void {
    this.#write(() => {
      const name = this.#latestForChange(functionName, undefined).name;
      if (this.#concurrency.totalExcept(name) + reserved > maxTotal) {
        throw new LambdaError(
          "InvalidParameterValueException",
          "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value.",
        );
      }
      this.#concurrency.put(name, reserved);
    });
  }

  getReservedConcurrency(functionName: string): number | undefined {
    if (this.#latest(functionName) === undefined) throw this.#notFound(functionName);
    return this.#concurrency.get(functionName);
  }

  deleteReservedConcurrency(functionName: string): void {
    this.#write(() => this.#concurrency.delete(this.#latestForChange(functionName, undefined).name));
  }

  putProvisioned(functionName: string, qualifier: string, requested: number): ProvisionedConfig {
    return this.#write(() => this.#provisioned.put(this.#latestForChange(functionName, undefined).name, qualifier, requested));
  }

  getProvisioned(functionName: string, qualifier: string): ProvisionedConfig | undefined {
    return this.#provisioned.get(functionName, qualifier);
  }

  deleteProvisioned(functionName: string, qualifier: string): void {
    this.#write(() => {
      if (!this.#provisioned.delete(functionName, qualifier)) {
        throw new LambdaError("ProvisionedConcurrencyConfigNotFoundException", `No Provisioned Concurrency Config found for this function`);
      }
    });
  }

  listProvisioned(functionName?: string): ProvisionedConfig[] {
    return this.#provisioned.list(functionName);
  }

  publishLayerVersion(input: NewLayerVersion): LayerVersion {
    return this.#write(() => {
      this.#addCode(input.code);
      return this.#layers.publish(input);
    });
  }

  getLayerVersion(layerName: string, version: number): LayerVersion | undefined {
    return this.#layers.get(layerName, version);
  }

  listLayerVersions(layerName: string, filter: LayerFilter): Page<LayerVersion> {
    return this.#layers.listVersions(layerName, filter);
  }

  listLayers(filter: LayerFilter): Page<LayerVersion> {
    return this.#layers.listLatest(filter);
  }

  deleteLayerVersion(layerName: string, version: number): void {
    this.#write(() => this.#layers.delete(layerName, version));
  }

  reservedConcurrencyTotal(): number {
    return this.#concurrency.totalExcept("");
  }

  codeStorageBytes(): number {
    return this.#statements.codeBytes.get() ?? 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
