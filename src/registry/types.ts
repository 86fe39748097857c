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
  /** Layers, in the order their content is merged under /opt (a later one overrides an earlier one). */
  layers: LayerRef[];
  /** EphemeralStorage.Size: the MB the function's /tmp may hold (512–10240). */
  ephemeralStorageMB: number;
  /** DeadLetterConfig.TargetArn: an SQS queue or SNS topic ARN, "" when none. */
  deadLetterTarget: string;
  /** SnapStart.ApplyOn: published versions of a Node.js function start from a snapshot taken at publish. */
  snapStartApplyOn: SnapStartApplyOn;
  /** LoggingConfig: the format of the function's logs, and with JSON the levels kept. */
  logging: LoggingSettings;
}

export type SnapStartApplyOn = "None" | "PublishedVersions";

export type ApplicationLogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
export type SystemLogLevel = "DEBUG" | "INFO" | "WARN";

/** LoggingConfig as stored: levels only with JSON (Lambda refuses them with Text). */
export type LoggingSettings = (
  | { logFormat: "Text" }
  | { logFormat: "JSON"; applicationLogLevel: ApplicationLogLevel; systemLogLevel: SystemLogLevel }
) & {
  /** LogGroup when one was given; Lambda's default is /aws/lambda/<function name>. */
  logGroup?: string;
};

/**
 * A layer version a function uses, pinned when it was attached: as in Lambda, deleting the layer
 * version later changes nothing for the functions (and published versions) that use it.
 */
export interface LayerRef {
  /** The layer version ARN. */
  arn: string;
  codeSha256: string;
  /** Bytes of the layer's zip, as GetFunction reports Layers[].CodeSize. */
  codeSize: number;
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
  /** Bytes of the package unpacked: a function and its layers together may take 262144000. */
  unzippedSize: number;
  /** Host directory holding the unpacked package; the sandbox's /var/task (or a layer's share of /opt). */
  dir: string;
}

/** A published layer version (PublishLayerVersion): immutable, numbered 1, 2, ... per layer name. */
export interface LayerVersion {
  layerName: string;
  version: number;
  description: string;
  /** Undefined when PublishLayerVersion gave none (Lambda then leaves LicenseInfo out). */
  licenseInfo?: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  codeSha256: string;
  codeSize: number;
  /** Lambda's format: 2024-01-31T12:00:00.000+0000 */
  createdDate: string;
}

export interface NewLayerVersion {
  layerName: string;
  description: string;
  licenseInfo?: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  code: StoredCode;
}

/** ListLayers and ListLayerVersions: only versions that declare this runtime / architecture. */
export interface LayerFilter {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
  marker?: string;
  /** 1–50 (Lambda's MaxLayerListItems); 50 by default. */
  maxItems?: number;
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

/** An alias: a name for a published version (or $LATEST), optionally sharing traffic with a second one. */
export interface Alias {
  functionName: string;
  name: string;
  /** `$LATEST` or a published version number. */
  functionVersion: string;
  description: string;
  /** RoutingConfig.AdditionalVersionWeights: at most one other published version, weight 0–1. */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
}

export interface AliasInput {
  functionVersion: string;
  description?: string;
  additionalVersionWeights?: Record<string, number>;
}

/** A provisioned concurrency configuration, as stored (what is allocated lives in the pool). */
export interface ProvisionedConfig {
  functionName: string;
  /** A published version number or an alias name. */
  qualifier: string;
  requested: number;
  lastModified: string;
}

/**
 * Registry operations throw LambdaError (src/lambda/errors.ts) for AWS-defined failures:
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
  /**
   * PublishVersion: snapshots $LATEST into the next version number, or returns the newest published
   * version when neither code nor configuration changed since it. `codeSha256`, when given, must
   * match $LATEST's (InvalidParameterValueException); `revisionId` must match $LATEST's
   * (PreconditionFailedException).
   */
  publishVersion(functionName: string, options?: { description?: string; codeSha256?: string; revisionId?: string }): FunctionVersion;
  /** ListVersionsByFunction: $LATEST first, then 1, 2, ... */
  listVersions(functionName: string, options: Omit<ListOptions, "allVersions">): Page<FunctionVersion>;

  /**
   * Aliases. AWS rules enforced here: the target version (and any weighted one) exists, the weighted
   * version differs from the primary, weights only between published versions (not $LATEST),
   * at most one weighted version, weights 0–1; name taken → ResourceConflictException
   * ("Alias already exists: <alias ARN>"); missing function/alias → ResourceNotFoundException.
   * Deleting a version an alias points to (primary or weighted) → ResourceConflictException.
   */
  createAlias(functionName: string, aliasName: string, input: AliasInput): Alias;
  getAlias(functionName: string, aliasName: string): Alias | undefined;
  updateAlias(functionName: string, aliasName: string, patch: Partial<AliasInput>, revisionId?: string): Alias;
  deleteAlias(functionName: string, aliasName: string): void;
  /** ListAliases, by name; `functionVersion` keeps only aliases pointing to that version. */
  listAliases(functionName: string, options: { functionVersion?: string; marker?: string; maxItems?: number }): Page<Alias>;

  /** Tags of a function (TagResource / UntagResource / ListTags); missing function → ResourceNotFoundException. */
  listTags(functionName: string): Record<string, string>;
  tagResource(functionName: string, tags: Record<string, string>): void;
  untagResource(functionName: string, keys: string[]): void;

  /** PutFunctionConcurrency; refused (InvalidParameterValueException) when all reservations would exceed `maxTotal`. */
  putReservedConcurrency(functionName: string, reserved: number, maxTotal: number): void;
  /** Undefined when the function has no reservation; missing function → ResourceNotFoundException. */
  getReservedConcurrency(functionName: string): number | undefined;
  deleteReservedConcurrency(functionName: string): void;
  /** The sum of all functions' reservations. */
  reservedConcurrencyTotal(): number;

  /** PutProvisionedConcurrencyConfig: the API checks the qualifier and the reservation first. */
  putProvisioned(functionName: string, qualifier: string, requested: number): ProvisionedConfig;
  getProvisioned(functionName: string, qualifier: string): ProvisionedConfig | undefined;
  deleteProvisioned(functionName: string, qualifier: string): void;
  /** One function's configurations, or every function's without a name. */
  listProvisioned(functionName?: string): ProvisionedConfig[];

  /**
   * Layers. A layer exists while it has versions; its version numbers are never reused, even after
   * every version was deleted. Deleting a version that does not exist is no error (as in Lambda).
   */
  publishLayerVersion(input: NewLayerVersion): LayerVersion;
  getLayerVersion(layerName: string, version: number): LayerVersion | undefined;
  /** ListLayerVersions: newest first. */
  listLayerVersions(layerName: string, filter: LayerFilter): Page<LayerVersion>;
  /** ListLayers: each layer's newest version matching the filter, by layer name. */
  listLayers(filter: LayerFilter): Page<LayerVersion>;
  deleteLayerVersion(layerName: string, version: number): void;

  /** Total bytes of stored code (functions and layers), for CodeStorageExceededException (an account-wide total, as in AWS). */
  codeStorageBytes(): number;
  close(): void;
}

export interface CodeStore {
  /**
   * Validates and stores a zip (base64 CodeSha256 computed here), unpacking it once per sha, and
   * holds it until release(): the caller writes the version that uses it meanwhile.
   * Throws LambdaError: InvalidParameterValueException for a corrupt zip, entries escaping the
   * package root, an entry whose content differs from its header (size or CRC-32), or an
   * unzipped size over 262144000 bytes.
   */
  put(zip: Uint8Array): Promise<StoredCode>;
  /** Stores a folder as if it were zipped (used for function folders under --functions), held as put() holds. */
  putFolder(dir: string): Promise<StoredCode>;
  /** Gives back one put's hold; the package goes unless a version uses it or another put holds it. */
  release(codeSha256: string): Promise<void>;
  /** Removes the packages that no function version or layer version uses (nor a function's pinned layers) and no put holds. */
  collect(): Promise<void>;
  /** The stored package for a sha, if present. */
  get(codeSha256: string): StoredCode | undefined;
  /** The host file holding the zip as uploaded, for downloads (a layer's Content.Location). */
  zipFile(codeSha256: string): string | undefined;
}
