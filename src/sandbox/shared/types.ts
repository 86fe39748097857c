/** The sandbox's public vocabulary, shared by the main thread and the executor workers. */

import type { EgressSettings } from "./egress.js";

/** Lambda's error payload, as the Node.js runtime serialises it. */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface EnvironmentConfig {
  functionName: string;
  /** `$LATEST` or a published version number. */
  functionVersion: string;
  /**
   * Identifies the code + configuration this environment runs. Environments with the same key
   * share a QuickJS module instance; different keys never share WebAssembly memory.
   */
  versionKey: string;
  /** `path/file.export`, as in CreateFunction. */
  handler: string;
  runtime: string;
  memorySizeMB: number;
  timeoutSeconds: number;
  /** Host directory holding the unpacked package, seen by the handler as /var/task. */
  codeDir: string;
  /**
   * Host directories of the function's layers, in the function's order: merged under /opt, a later
   * layer's file overriding an earlier one's, as Lambda extracts them. None by default.
   */
  layerDirs?: string[];
  /** EphemeralStorage.Size: what the environment's /tmp may hold, in MB; 512 by default. */
  ephemeralStorageMB?: number;
  /** LoggingConfig.LogGroup: AWS_LAMBDA_LOG_GROUP_NAME; /aws/lambda/<functionName> by default. */
  logGroup?: string;
  /**
   * LoggingConfig with LogFormat JSON: the runtime writes each console call as a JSON record and
   * drops those below `applicationLogLevel`; START/END/REPORT become platform records kept at
   * `systemLogLevel`. Text (every line, Lambda's tab-separated format) without it.
   */
  jsonLogging?: JsonLogging;
  /** The function's own variables; Lambda's reserved ones are added by the sandbox. */
  environment: Record<string, string>;
  region: string;
  accountId: string;
  initializationType?: "on-demand" | "provisioned-concurrency";
  /** The execution role's stand-in credentials, as Lambda puts them in the environment. */
  credentials?: AwsCredentials;
  /** AWS_ENDPOINT_URL: where the function's AWS SDK clients go (isolambda itself). */
  endpointUrl?: string;
  /** Where the handler's outbound requests may go, and how it reaches isolambda's API as itself. */
  egress?: EgressSettings;
  /**
   * SnapStart: the environment is restored from a snapshot of the version's initialised
   * environment (made by the first such create) instead of running INIT.
   */
  snapStart?: boolean;
}

/** Lambda's ApplicationLogLevel (TRACE ... FATAL) and SystemLogLevel (DEBUG, INFO, WARN). */
export interface JsonLogging {
  applicationLogLevel: string;
  systemLogLevel: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Per-invocation facts the caller knows and the handler's `context` exposes. */
export interface InvokeOptions {
  requestId?: string;
  invokedFunctionArn?: string;
  /** Decoded ClientContext JSON (the API receives it base64-encoded). */
  clientContext?: unknown;
  identity?: unknown;
  traceId?: string;
  /**
   * Receives a streaming handler's bytes as they are written (InvokeWithResponseStream, function
   * URLs in RESPONSE_STREAM mode). Without it they are collected into `InvokeResult.streamed`.
   */
  onChunk?: (bytes: Uint8Array, contentType: string) => void;
}

/** Every key is required, undefined ones too: the warm pool copies them field by field (a spread cost ~5 µs a request). */
export interface InvokeResult {
  requestId: string;
  /** JSON text: the handler's result, or a FunctionError when `functionError` is set. */
  payload: string;
  /** Set when the handler streamed its response; `body` holds the bytes unless an onChunk took them. */
  streamed: { contentType: string; body?: Buffer } | undefined;
  functionError: "Unhandled" | undefined;
  /** Log lines in Lambda's text format, START/END/REPORT excluded. */
  logs: string;
  durationMs: number;
  /** True when the environment ended with this invocation (timeout, out of memory, crash). */
  environmentGone: boolean;
  /**
   * Never started: it waited behind another invocation's long turn on the same executor and was
   * taken back; the environment is unharmed, and the invocation is to run in another one.
   */
  takenBack?: boolean;
}
