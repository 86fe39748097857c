/** Lambda's reserved environment variables, as a Node.js function sees them in process.env. */
import { randomBytes } from "node:crypto";
import type { EnvironmentConfig } from "./types.js";

/** The Node.js version each runtime reports in process.version. */
const NODE_VERSIONS: Record<string, string> = {
  "nodejs18.x": "v18.20.8",
  "nodejs20.x": "v20.19.5",
  "nodejs22.x": "v22.20.0",
  "nodejs24.x": "v24.10.0",
};

export function nodeVersionOf(runtime: string): string {
  return NODE_VERSIONS[runtime] ?? "v20.19.5";
}

/** Lambda's NODE_PATH for a runtime: layers (version-specific first), the runtime's modules, the package. */
export function nodePathOf(runtime: string): string[] {
  const nodeMajor = nodeVersionOf(runtime).slice(1).split(".")[0];
  return [
    `/opt/nodejs/node${nodeMajor}/node_modules`,
    "/opt/nodejs/node_modules",
    "/var/runtime/node_modules",
    "/var/runtime",
    "/var/task",
  ];
}

/** `2024/01/31/[$LATEST]0123...`: one stream per execution environment, as in CloudWatch Logs. */
export function logStreamName(config: EnvironmentConfig, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${config.functionVersion}]${randomBytes(16).toString("hex")}`;
}

export function lambdaEnvironment(config: EnvironmentConfig, streamName: string): Record<string, string> {
  const aws: Record<string, string> = {};
  if (config.credentials !== undefined) {
    aws.AWS_ACCESS_KEY_ID = config.credentials.accessKeyId;
    aws.AWS_SECRET_ACCESS_KEY = config.credentials.secretAccessKey;
    aws.AWS_SESSION_TOKEN = config.credentials.sessionToken;
  }
  // The SDKs read it (AWS_ENDPOINT_URL, "service-specific endpoints"); a function's own value wins.
  if (config.endpointUrl !== undefined && config.environment.AWS_ENDPOINT_URL === undefined) aws.AWS_ENDPOINT_URL = config.endpointUrl;
  // Lambda sets them for JSON logging only; the runtime (guest/bootstrap.ts) reads them as the runtime interface client does.
  if (config.jsonLogging !== undefined) {
    aws.AWS_LAMBDA_LOG_FORMAT = "JSON";
    aws.AWS_LAMBDA_LOG_LEVEL = config.jsonLogging.applicationLogLevel;
  }
  return {
    ...config.environment,
    ...aws,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: config.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMB),
    AWS_LAMBDA_LOG_GROUP_NAME: config.logGroup ?? `/aws/lambda/${config.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: streamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: config.initializationType ?? "on-demand",
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    _HANDLER: config.handler,
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    LD_LIBRARY_PATH: "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    NODE_PATH: nodePathOf(config.runtime).join(":"),
  };
}
