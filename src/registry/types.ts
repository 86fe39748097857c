/**
 * The registry's vocabulary: what a function is ($LATEST and its published versions), as the
 * Lambda API returns it. Storage backends implement `Registry` and `CodeStore`; SQLite is the
 * embedded default, so a shared backend can follow without touching the API.
 */

/** The settings CreateFunction and UpdateFunctionConfiguration accept. */
export interface FunctionSettings {
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  description: string;
  environment: Record<string, string>;
  role: string;
}

/** One function version's configuration: `$LATEST` (mutable) or a published number (immutable). */
export interface FunctionVersion extends FunctionSettings {
  functionName: string;
  /** `$LATEST` or "1", "2", ... */
  version: string;
  /** Base64 SHA-256 of the deployment package (the zip), as Lambda reports CodeSha256. */
  codeSha256: string;
  codeSize: number;
  /** Changes on every update of $LATEST; a mismatching RevisionId is PreconditionFailedException. */
  revisionId: string;
  /** Lambda's format: 2024-01-31T12:00:00.000+0000 */
  lastModified: string;
}

/** A stored deployment package: the zip kept once per sha, unpacked once into `dir`. */
export interface StoredCode {
  codeSha256: string;
  codeSize: number;
  /** Host directory holding the unpacked package; the sandbox's /var/task. */
  dir: string;
}

export interface NewFunction extends FunctionSettings {
  functionName: string;
  code: StoredCode;
  tags?: Record<string, string>;
}

export interface ListOptions {
  /** Opaque paging token from a previous page's nextMarker. */
  marker?: string;
  /** 1–10000; Lambda's default page is 50. */
  maxItems?: number;
  /** FunctionVersion=ALL: every version, not only $LATEST. */
  allVersions?: boolean;
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

/**
 * Registry operations throw the API's AwsError (src/api/errors.ts) for AWS-defined failures:
 * ResourceNotFoundException, ResourceConflictException, PreconditionFailedException.
 */
export interface Registry {
  createFunction(input: NewFunction): FunctionVersion;
  /** `$LATEST` when qualifier is undefined; undefined when the function or version does not exist. */
  getVersion(functionName: string, qualifier?: string): FunctionVersion | undefined;
  listFunctions(options: ListOptions): Page<FunctionVersion>;
  updateCode(functionName: string, code: StoredCode, revisionId?: string): FunctionVersion;
  updateSettings(functionName: string, patch: Partial<FunctionSettings>, revisionId?: string): FunctionVersion;
  /** Without qualifier: the function with all its versions. With one: only that published version. */
  deleteFunction(functionName: string, qualifier?: string): void;
  /** Total bytes of stored code, for CodeStorageExceededException (ERRATA 4). */
  codeStorageBytes(): number;
  close(): void;
}

export interface CodeStore {
  /**
   * Validates and stores a zip (base64 CodeSha256 computed here), unpacking it once per sha.
   * Throws AwsError: InvalidParameterValueException for a corrupt zip, entries escaping the
   * package root, or an unzipped size over 262144000 bytes (unpacking stops at that limit).
   */
  put(zip: Uint8Array): Promise<StoredCode>;
  /** Stores a folder as if it were zipped (used for function folders under --functions). */
  putFolder(dir: string): Promise<StoredCode>;
  /** The stored package for a sha, if present. */
  get(codeSha256: string): StoredCode | undefined;
}
