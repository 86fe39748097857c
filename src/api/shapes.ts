/** Registry records in the Lambda API's wire shape, and as the sandbox's environment config. */
import type { FunctionVersion } from "../registry/types.js";
import type { EnvironmentConfig } from "../sandbox/index.js";
import { type ApiDeps, functionArn } from "./deps.js";

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
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${v.functionName}` },
  };
}

export function environmentConfig(deps: ApiDeps, v: FunctionVersion, codeDir: string): EnvironmentConfig {
  return {
    functionName: v.functionName,
    functionVersion: v.version,
    // $LATEST changes in place: its revision makes each state a version of its own for the pool.
    versionKey: `${v.functionName}:${v.version}:${v.revisionId}`,
    handler: v.handler,
    runtime: v.runtime,
    memorySizeMB: v.memorySize,
    timeoutSeconds: v.timeout,
    codeDir,
    environment: v.environment,
    region: deps.region,
    accountId: deps.accountId,
    credentials: deps.credentials,
    endpointUrl: deps.endpointUrl,
  };
}
