/**
 * Layers on SQLite, in the registry's database: one `layers` row per name keeping the highest
 * version ever published (numbers are never reused, as in Lambda), one `layer_versions` row per
 * version, its compatible runtimes and architectures as JSON arrays.
 */
import type Sqlite from "better-sqlite3";
import { decodeMarker, pageOf, pageSize } from "./common.js";
import { lambdaTimestamp } from "./timestamp.js";
import type { LayerFilter, LayerVersion, NewLayerVersion, Page } from "./types.js";

interface LayerVersionRow {
  layer_name: string;
  version: number;
  description: string;
  license_info: string | null;
  compatible_runtimes: string;
  compatible_architectures: string;
  code_sha256: string;
  code_size: number;
  created: string;
}

function toLayerVersion(row: LayerVersionRow): LayerVersion {
  return {
    layerName: row.layer_name,
    version: row.version,
    description: row.description,
    ...(row.license_info === null ? {} : { licenseInfo: row.license_info }),
    compatibleRuntimes: JSON.parse(row.compatible_runtimes) as string[],
    compatibleArchitectures: JSON.parse(row.compatible_architectures) as string[],
    codeSha256: row.code_sha256,
    codeSize: row.code_size,
    createdDate: row.created,
  };
}

const SELECT = `
  SELECT v.layer_name, v.version, v.description, v.license_info, v.compatible_runtimes, v.compatible_architectures,
         v.code_sha256, c.size AS code_size, v.created
  FROM layer_versions v JOIN code c ON c.sha256 = v.code_sha256`;

/** The filter as SQL over `v`: a version matches when its JSON arrays hold the runtime and the architecture asked for. */
const MATCHES = `
  (:runtime IS NULL OR EXISTS (SELECT 1 FROM json_each(v.compatible_runtimes) WHERE value = :runtime)) AND
  (:architecture IS NULL OR EXISTS (SELECT 1 FROM json_each(v.compatible_architectures) WHERE value = :architecture))`;

interface FilterParams {
  runtime: string | null;
  architecture: string | null;
  limit: number;
}

function prepareStatements(db: Sqlite.Database) {
  return {
    lastVersion: db.prepare<[string], number>("SELECT last_version FROM layers WHERE name = ?").pluck(),
    setLastVersion: db.prepare<[string, number]>(
      "INSERT INTO layers (name, last_version) VALUES (?, ?) ON CONFLICT DO UPDATE SET last_version = excluded.last_version",
    ),
    insert: db.prepare<Omit<LayerVersionRow, "code_size">>(
      `INSERT INTO layer_versions (layer_name, version, description, license_info, compatible_runtimes, compatible_architectures,
                                   code_sha256, created)
       VALUES (:layer_name, :version, :description, :license_info, :compatible_runtimes, :compatible_architectures,
               :code_sha256, :created)`,
    ),
    get: db.prepare<[string, number], LayerVersionRow>(`${SELECT} WHERE v.layer_name = ? AND v.version = ?`),
    versions: db.prepare<FilterParams & { name: string; before: number }, LayerVersionRow>(
      `${SELECT} WHERE v.layer_name = :name AND v.version < :before AND ${MATCHES} ORDER BY v.version DESC LIMIT :limit`,
    ),
    // Each layer's newest matching version: the row whose version is the highest matching one of its layer.
    latest: db.prepare<FilterParams & { after: string }, LayerVersionRow>(
      `${SELECT} WHERE v.layer_name > :after AND ${MATCHES} AND v.version = (
         SELECT MAX(w.version) FROM layer_versions w WHERE w.layer_name = v.layer_name AND ${MATCHES.replaceAll("v.", "w.")})
       ORDER BY v.layer_name LIMIT :limit`,
    ),
    delete: db.prepare<[string, number]>("DELETE FROM layer_versions WHERE layer_name = ? AND version = ?"),
  };
}

export class LayerStore {
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(db: Sqlite.Database) {
    this.#statements = prepareStatements(db);
  }

  /** Runs inside the registry's write transaction, which has stored the code row. */
  publish(input: NewLayerVersion): LayerVersion {
    const version = (this.#statements.lastVersion.get(input.layerName) ?? 0) + 1;
    this.#statements.setLastVersion.run(input.layerName, version);
    this.#statements.insert.run({
      layer_name: input.layerName,
      version,
      description: input.description,
      license_info: input.licenseInfo ?? null,
      compatible_runtimes: JSON.stringify(input.compatibleRuntimes),
      compatible_architectures: JSON.stringify(input.compatibleArchitectures),
      code_sha256: input.code.codeSha256,
      created: lambdaTimestamp(),
    });
    const row = this.#statements.get.get(input.layerName, version);
    if (row === undefined) throw new Error(`registry: layer ${input.layerName}:${version} vanished inside its own transaction`);
    return toLayerVersion(row);
  }

  get(layerName: string, version: number): LayerVersion | undefined {
    const row = this.#statements.get.get(layerName, version);
    return row === undefined ? undefined : toLayerVersion(row);
  }

  listVersions(layerName: string, filter: LayerFilter): Page<LayerVersion> {
    const size = pageSize(filter.maxItems);
    const before = filter.marker ? decodeMarker(filter.marker, "number")[1] : Number.MAX_SAFE_INTEGER;
    const rows = this.#statements.versions.all({ ...params(filter, size), name: layerName, before });
    return pageOf(rows, size, toLayerVersion, (row) => [row.layer_name, row.version]);
  }

  listLatest(filter: LayerFilter): Page<LayerVersion> {
    const size = pageSize(filter.maxItems);
    const after = filter.marker ? decodeMarker(filter.marker, "string")[1] : "";
    const rows = this.#statements.latest.all({ ...params(filter, size), after });
    return pageOf(rows, size, toLayerVersion, (row) => ["", row.layer_name]);
  }

  delete(layerName: string, version: number): void {
    this.#statements.delete.run(layerName, version);
  }
}

function params(filter: LayerFilter, size: number): FilterParams {
  return { runtime: filter.compatibleRuntime ?? null, architecture: filter.compatibleArchitecture ?? null, limit: size + 1 };
}
