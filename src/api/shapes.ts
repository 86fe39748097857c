/** Registry records in the Lambda API's wire shape. */

import { functionArn } from "../lambda/arn.js";
import { logGroupOf, snapStartApplies } from "../lambda/environment.js";
import type { FunctionVersion } from "../registry/types.js";
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
    LoggingConfig: loggingConfig(v),
  };
}

/** Lambda names the levels only for JSON; every function has a log group, its own by default. */
function loggingConfig(v: FunctionVersion): Record<string, string> {
  const { logging } = v;
  const LogGroup = logGroupOf(v);
  if (logging.logFormat === "Text") return { LogFormat: "Text", LogGroup };
  return { LogFormat: "JSON", ApplicationLogLevel: logging.applicationLogLevel, SystemLogLevel: logging.systemLogLevel, LogGroup };
}
