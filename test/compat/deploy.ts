/** Deploys a handler zipped with real npm packages through the Lambda API, and invokes it. */

import { CreateFunctionCommand, InvokeCommand, type Runtime } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import type { TestServer } from "../api/server.js";
import { packageFiles } from "./package-closure.js";

export interface PackagedFunction {
  /** The packages the handler imports; their dependency closure comes along. */
  packages: readonly string[];
  /** The handler's own files (e.g. `index.js` or `index.mjs`). */
  files: Record<string, string>;
  /** Defaults to `index.handler`. */
  handler?: string;
  /** Defaults to nodejs22.x, Lambda's current default Node.js runtime. */
  runtime?: Runtime;
  environment?: Record<string, string>;
}

/**
 * Loading a large package is interpreted JavaScript inside WebAssembly, on a machine shared with other
 * test suites: a generous timeout and memory keep that from flaking without changing what is proved.
 */
const TIMEOUT_SECONDS = 30;
const MEMORY_MB = 512;

export async function deployPackaged(api: TestServer, name: string, fn: PackagedFunction): Promise<void> {
  const own = Object.fromEntries(Object.entries(fn.files).map(([file, text]) => [file, strToU8(text)]));
  await api.client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: fn.runtime ?? "nodejs22.x",
      Handler: fn.handler ?? "index.handler",
      Role: "arn:aws:iam::000000000000:role/compat",
      Timeout: TIMEOUT_SECONDS,
      MemorySize: MEMORY_MB,
      Environment: fn.environment === undefined ? undefined : { Variables: fn.environment },
      Code: { ZipFile: zipSync({ ...packageFiles(fn.packages), ...own }) },
    }),
  );
}

export interface Invoked {
  payload: unknown;
  functionError?: string;
  /** The last 4 KB of the invocation's log (LogType Tail). */
  logTail: string;
}

export async function invoke(api: TestServer, name: string, event: unknown): Promise<Invoked> {
  const out = await api.client.send(
    new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  return {
    payload: JSON.parse(new TextDecoder().decode(out.Payload)),
    functionError: out.FunctionError,
    logTail: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

/** The handler's answer; a function error fails the test with the error the handler raised. */
export async function invokeOk(api: TestServer, name: string, event: unknown): Promise<unknown> {
  const out = await invoke(api, name, event);
  if (out.functionError !== undefined) throw new Error(`${name} failed: ${JSON.stringify(out.payload)}\n${out.logTail}`);
  return out.payload;
}
