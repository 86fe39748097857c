/**
 * The configuration an execution environment starts from: a version's settings, where its code and
 * layers are unpacked, and what Lambda injects (the Region, the execution role's credentials, the
 * endpoint the function reaches isolambda's APIs at).
 */
import type { FunctionVersion } from "../registry/types.js";
import type { AwsCredentials, EgressRules, EnvironmentConfig } from "../sandbox/index.js";
import type { Account } from "./arn.js";
import { LambdaError } from "./errors.js";

/** Who a function's credentials (or its requests, stamped by the sandbox's fetch) speak for. */
export interface FunctionCaller {
  functionName: string;
  /** The execution role ARN the function had when its environment started. */
  role: string;
}

/** Mints each function's own temporary credentials; the API's auth (src/api/auth) recognizes them. */
export interface CredentialMinter {
  mint(caller: FunctionCaller): AwsCredentials;
}

/** What every environment shares: the account, credentials, egress rules and the endpoint. */
export interface EnvironmentSettings extends Account {
  /** The operator's credentials for every function, instead of each function's own. */
  credentials?: AwsCredentials;
  functionCredentials: CredentialMinter;
  /** Where handlers' outbound requests may go, beyond the built-in refusal of link-local addresses. */
  egress?: EgressRules;
  /** The Lambda API's URL, known once it listens: functions reach isolambda's APIs there. */
  endpointUrl?: string;
  /** SnapStart for every version of every Node.js function, $LATEST included (benchmarks); off by default. */
  snapStartEverywhere?: boolean;
}

/**
 * SnapStart.ApplyOn PublishedVersions: published versions of the Node.js runtimes start from a
 * snapshot (AWS offers no SnapStart for Node.js; isolambda does, its environments being QuickJS).
 */
export function snapStartApplies(settings: Pick<EnvironmentSettings, "snapStartEverywhere">, v: FunctionVersion): boolean {
  if (!v.runtime.startsWith("nodejs")) return false;
  return settings.snapStartEverywhere === true || (v.version !== "$LATEST" && v.snapStartApplyOn === "PublishedVersions");
}

/** LoggingConfig.LogGroup, or Lambda's default: the function's own group. */
export function logGroupOf(v: FunctionVersion): string {
  return v.logging.logGroup ?? `/aws/lambda/${v.functionName}`;
}

/** Where a stored package is unpacked: the registry's code store, or Invoke's cache of it. */
export type CodeDirOf = (codeSha256: string) => string | undefined;

export function environmentConfig(settings: EnvironmentSettings, v: FunctionVersion, dirOf: CodeDirOf): EnvironmentConfig {
  const dir = (sha: string) => {
    const found = dirOf(sha);
    if (found === undefined)
      throw new LambdaError("ServiceException", `The code of ${v.functionName}:${v.version} is missing from the data directory`);
    return found;
  };
  const own = settings.functionCredentials.mint({ functionName: v.functionName, role: v.role });
  return {
    functionName: v.functionName,
    functionVersion: v.version,
    // $LATEST changes in place: its revision makes each state a version of its own for the pool.
    versionKey: `${v.functionName}:${v.version}:${v.revisionId}`,
    handler: v.handler,
    runtime: v.runtime,
    memorySizeMB: v.memorySize,
    timeoutSeconds: v.timeout,
    codeDir: dir(v.codeSha256),
    layerDirs: v.layers.map((l) => dir(l.codeSha256)),
    ephemeralStorageMB: v.ephemeralStorageMB,
    environment: v.environment,
    logGroup: logGroupOf(v),
    jsonLogging:
      v.logging.logFormat === "JSON"
        ? { applicationLogLevel: v.logging.applicationLogLevel, systemLogLevel: v.logging.systemLogLevel }
        : undefined,
    region: settings.region,
    accountId: settings.accountId,
    credentials: settings.credentials ?? own,
    endpointUrl: settings.endpointUrl,
    egress: {
      rules: settings.egress ?? { deny: [], allow: [] },
      api: settings.endpointUrl === undefined ? undefined : { port: Number(new URL(settings.endpointUrl).port), caller: own.sessionToken },
    },
    snapStart: snapStartApplies(settings, v),
  };
}
