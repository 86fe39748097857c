/** Registry records in the Lambda API's wire shape, and as the sandbox's environment config. */

import { functionArn } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import type { FunctionVersion } from "../registry/types.js";
import type { EnvironmentConfig } from "../sandbox/index.js";
import type { ApiDeps } from "./deps.js";

/** FunctionConfiguration as GetFunctionConfiguration returns it. */
export function toConfiguration(deps: ApiDeps, v: FunctionVersion): Record<string, unknown> {
  return {
    FunctionName: v.functionName,
    FunctionArn: functionArn(deps, v.functionName, v.version === "$LATEST" ? undefined : v.version),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.codeSize,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.codeSha256,
    Version: v.version,
    Environment: { Variables: v.environment },
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: v.revisionId,
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: ["x86_64"],
    // Lambda leaves Layers out of a function that has none.
    ...(v.layers.length > 0 ? { Layers: v.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
    EphemeralStorage: { Size: v.ephemeralStorageMB },
    ...(v.deadLetterTarget === "" ? {} : { DeadLetterConfig: { TargetArn: v.deadLetterTarget } }),
    SnapStart: { ApplyOn: v.snapStartApplyOn, OptimizationStatus: snapStartApplies(deps, v) ? "On" : "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${v.functionName}` },
  };
}

/**
 * SnapStart.ApplyOn PublishedVersions: published versions of the Node.js runtimes start from a
 * snapshot (AWS offers no SnapStart for Node.js; isolambda does, its environments being QuickJS).
 */
export function snapStartApplies(deps: Pick<ApiDeps, "snapStartEverywhere">, v: FunctionVersion): boolean {
  if (!v.runtime.startsWith("nodejs")) return false;
  return deps.snapStartEverywhere === true || (v.version !== "$LATEST" && v.snapStartApplyOn === "PublishedVersions");
}

/** Where a stored package is unpacked: the registry's code store, or Invoke's cache of it. */
export type CodeDirOf = (codeSha256: string) => string | undefined;

export function environmentConfig(deps: ApiDeps, v: FunctionVersion, dirOf: CodeDirOf): EnvironmentConfig {
  const dir = (sha: string) => {
    const found = dirOf(sha);
    if (found === undefined)
      throw new LambdaError("ServiceException", `The code of ${v.functionName}:${v.version} is missing from the data directory`);
    return found;
  };
  const own = deps.functionCredentials.mint({ functionName: v.functionName, role: v.role });
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
    region: deps.region,
    accountId: deps.accountId,
    credentials: deps.credentials ?? own,
    endpointUrl: deps.endpointUrl,
    egress: {
      rules: deps.egress ?? { deny: [], allow: [] },
      api: deps.endpointUrl === undefined ? undefined : { port: Number(new URL(deps.endpointUrl).port), caller: own.sessionToken },
    },
    snapStart: snapStartApplies(deps, v),
  };
}
