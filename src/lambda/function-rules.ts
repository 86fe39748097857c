/**
 * The rules a function's settings and package meet beyond the shape of a request, with Lambda's
 * messages: checked alike when the API creates or updates a function and when a function folder is
 * deployed (a folder deploy is CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration).
 */
import type { ApplicationLogLevel, CodeStore, LayerRef, LoggingSettings, SystemLogLevel } from "../registry/types.js";
import { COMPONENT_RUNTIME, type ComponentCache, componentFile, InvalidComponentError } from "../sandbox/index.js";
import { LambdaError } from "./errors.js";
import { checkCombinedSize } from "./layers.js";

/** Keys Lambda sets itself and refuses in Environment.Variables. */
const RESERVED_KEYS = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);
/** Lambda: the environment variables of a function, serialised, may take 4 KB. */
const ENVIRONMENT_MAX_BYTES = 4096;

export function checkEnvironment(variables: Record<string, string> | undefined): Record<string, string> {
  const vars = variables ?? {};
  const reserved = Object.keys(vars).filter((key) => RESERVED_KEYS.has(key));
  if (reserved.length > 0) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(vars)) > ENVIRONMENT_MAX_BYTES) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.",
    );
  }
  return vars;
}

/** DeadLetterConfig.TargetArn: "" removes it; isolambda delivers to its own SQS queues. */
export function checkDeadLetterTarget(arn: string | undefined): string {
  if (arn === undefined || arn === "") return "";
  if (!/^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]{1,80}$/.test(arn)) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The provided DeadLetterConfig.TargetArn ${arn} is not supported: isolambda delivers dead letters to its SQS queues (arn:aws:sqs:...).`,
    );
  }
  return arn;
}

/** LoggingConfig as a request gives it: any field may be missing. */
export interface LoggingInput {
  logFormat?: "Text" | "JSON";
  applicationLogLevel?: ApplicationLogLevel;
  systemLogLevel?: SystemLogLevel;
  logGroup?: string;
}

/**
 * LoggingConfig after a request: what it names replaces what the function had. Levels exist only with
 * JSON (INFO and INFO unless named; Lambda refuses them with Text), so a function turned back to
 * Text drops its levels.
 */
export function resolveLogging(current: LoggingSettings | undefined, given: LoggingInput): LoggingSettings {
  const logGroup = given.logGroup ?? current?.logGroup;
  const group = logGroup === undefined ? {} : { logGroup };
  if ((given.logFormat ?? current?.logFormat ?? "Text") === "Text") {
    if (given.applicationLogLevel !== undefined || given.systemLogLevel !== undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and try again.',
      );
    }
    return { logFormat: "Text", ...group };
  }
  const kept = current?.logFormat === "JSON" ? current : undefined;
  return {
    logFormat: "JSON",
    applicationLogLevel: given.applicationLogLevel ?? kept?.applicationLogLevel ?? "INFO",
    systemLogLevel: given.systemLogLevel ?? kept?.systemLogLevel ?? "INFO",
    ...group,
  };
}

/** A WebAssembly component function is validated and transpiled once, before it is stored; jco's message on failure. */
async function checkComponent(components: ComponentCache, runtime: string, handler: string, codeDir: string): Promise<void> {
  if (runtime !== COMPONENT_RUNTIME) return;
  try {
    await components.prepare(componentFile(codeDir, handler));
  } catch (error) {
    if (error instanceof InvalidComponentError)
      throw new LambdaError("InvalidParameterValueException", `Invalid WebAssembly component: ${error.message}`);
    throw error;
  }
}

export interface PackageStore {
  code: Pick<CodeStore, "get">;
  /** Where a component function's component is validated and transpiled; without it, it is not checked. */
  components?: ComponentCache;
}

/** The package a function will run with its settings: unzipped with its layers within Lambda's limit, a component that loads. */
export interface FunctionPackage {
  codeSha256: string;
  /** Where the package is unpacked; the component check is skipped when it is missing from disk. */
  codeDir: string | undefined;
  runtime: string;
  handler: string;
  layers: LayerRef[];
}

export async function checkPackage(store: PackageStore, fn: FunctionPackage): Promise<void> {
  checkCombinedSize(store, fn.codeSha256, fn.layers);
  if (store.components !== undefined && fn.codeDir !== undefined)
    await checkComponent(store.components, fn.runtime, fn.handler, fn.codeDir);
}
