/**
 * How function versions live in SQLite: the row shape, its mapping to FunctionVersion, and the
 * prepared statements the registry runs on them.
 */
import { isDeepStrictEqual } from "node:util";
import type { FunctionSettings, FunctionVersion, LayerRef, LoggingSettings } from "./types.js";

export interface VersionRow {
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
  /** On a published version: $LATEST's description when it was published (null before schema step 2). */
  source_description: string | null;
  /** JSON array of LayerRef. */
  layers: string;
  ephemeral_storage: number;
  dead_letter_target: string;
  snap_start: string;
  /** JSON of LoggingSettings. */
  logging: string;
}

export function toVersion(row: VersionRow): FunctionVersion {
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
    layers: JSON.parse(row.layers) as LayerRef[],
    ephemeralStorageMB: row.ephemeral_storage,
    deadLetterTarget: row.dead_letter_target,
    snapStartApplyOn: row.snap_start === "PublishedVersions" ? "PublishedVersions" : "None",
    logging: JSON.parse(row.logging) as LoggingSettings,
    codeSha256: row.code_sha256,
    codeSize: row.code_size,
    revisionId: row.revision_id,
    lastModified: row.last_modified,
  };
}

/** True when publishing $LATEST would give `published` again: same code, same configuration. */
export function unchangedSince(published: VersionRow, latest: VersionRow): boolean {
  return (
    published.code_sha256 === latest.code_sha256 &&
    published.runtime === latest.runtime &&
    published.handler === latest.handler &&
    published.memory_size === latest.memory_size &&
    published.timeout === latest.timeout &&
    published.role === latest.role &&
    published.layers === latest.layers &&
    published.ephemeral_storage === latest.ephemeral_storage &&
    published.dead_letter_target === latest.dead_letter_target &&
    published.snap_start === latest.snap_start &&
    published.logging === latest.logging &&
    (published.source_description ?? published.description) === latest.description &&
    isDeepStrictEqual(JSON.parse(published.environment), JSON.parse(latest.environment))
  );
}

export const versionKey = (row: VersionRow): [string, number] => [row.name, row.version_number];

/** Every setting, once: the record type makes adding one to FunctionSettings fail here until listed. */
export const SETTING_KEYS = Object.keys({
  runtime: true,
  handler: true,
  memorySize: true,
  timeout: true,
  description: true,
  environment: true,
  role: true,
  layers: true,
  ephemeralStorageMB: true,
  deadLetterTarget: true,
  snapStartApplyOn: true,
  logging: true,
} satisfies Record<keyof FunctionSettings, true>) as Array<keyof FunctionSettings>;

export const SELECT_VERSION = `
  SELECT f.name, f.version, f.version_number, f.runtime, f.handler, f.memory_size, f.timeout, f.description,
         f.environment, f.role, f.code_sha256, c.size AS code_size, f.revision_id, f.last_modified, f.source_description,
         f.layers, f.ephemeral_storage, f.dead_letter_target, f.snap_start, f.logging
  FROM functions f JOIN code c ON c.sha256 = f.code_sha256`;
