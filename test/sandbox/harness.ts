/** Shortcuts shared by the sandbox behaviour suites: one-shot environments and result decoding. */
import { afterAll, beforeAll, expect } from "vitest";
import type {
  Environment,
  EnvironmentConfig,
  FunctionError,
  InvocationType,
  InvokeOptions,
  InvokeResult,
  Sandbox,
} from "../../src/sandbox/index.js";
import { Sandbox as SandboxClass } from "../../src/sandbox/index.js";
import { configFor, removePackages, writePackage } from "./fixtures.js";

export type Files = Record<string, string>;

/** One sandbox (one executor) for the suite, disposed with the suite's packages at the end. */
export function useSandbox(onStarted: (sandbox: Sandbox) => void): void {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await SandboxClass.start({ executors: 1 });
    onStarted(sandbox);
  });
  afterAll(async () => {
    await sandbox?.dispose();
    removePackages();
  });
}
export type InvokeArgs = InvokeOptions & { invocationType?: InvocationType };

/** Writes `files` as a package and creates an environment for it (INIT runs here). */
export function environmentFor(sandbox: Sandbox, files: Files, overrides: Partial<EnvironmentConfig> = {}): Promise<Environment> {
  return sandbox.createEnvironment(configFor(writePackage(files), overrides));
}

/** A cold start and one invocation; the environment is disposed afterwards. */
export async function invokeOnce(
  sandbox: Sandbox,
  files: Files,
  event: unknown = {},
  overrides: Partial<EnvironmentConfig> = {},
  options: InvokeArgs = {},
): Promise<InvokeResult> {
  const env = await environmentFor(sandbox, files, overrides);
  try {
    return await env.invoke(JSON.stringify(event), options);
  } finally {
    env.dispose();
  }
}

/** The handler's result, asserting the invocation succeeded. */
export function resultOf(result: InvokeResult): unknown {
  expect(result.functionError, result.payload).toBeUndefined();
  return JSON.parse(result.payload);
}

/**
 * Runs `source` as index.js with a 1 s timeout beside another environment of the suite's one
 * executor: the run must time out and the neighbour keep its state, its executor not terminated.
 */
export async function expectTimeoutBesideNeighbour(sandbox: Sandbox, source: string, memorySizeMB = 128): Promise<void> {
  const neighbour = await environmentFor(sandbox, { "index.js": "let calls = 0; exports.handler = async () => ({ calls: ++calls });" });
  expect(resultOf(await neighbour.invoke("{}"))).toEqual({ calls: 1 });
  const result = await invokeOnce(sandbox, { "index.js": source }, {}, { timeoutSeconds: 1, memorySizeMB });
  expect(errorOf(result).errorType).toBe("Sandbox.Timedout");
  expect(resultOf(await neighbour.invoke("{}"))).toEqual({ calls: 2 });
  neighbour.dispose();
}

/** The function error, asserting the invocation failed. */
export function errorOf(result: InvokeResult): FunctionError {
  expect(result.functionError, result.payload).toBe("Unhandled");
  const error = JSON.parse(result.payload) as FunctionError;
  expect(Object.keys(error).sort()).toEqual(["errorMessage", "errorType", "trace"]);
  return error;
}

/** Log lines' messages (timestamp, request id and level stripped) at `level`. */
export function messagesAt(logs: string, level: string): string[] {
  return logs
    .split("\n")
    .map((line) => line.split("\t"))
    .filter((parts) => parts[2] === level)
    .map((parts) => parts.slice(3).join("\t"));
}

export const HELLO: Files = { "index.js": `exports.handler = async (event) => ({ hello: event.name ?? "world" });` };

/** A brand-new environment for a hello-world function answers correctly: the sandbox survived. */
export async function expectHealthy(sandbox: Sandbox): Promise<void> {
  const result = await invokeOnce(sandbox, HELLO, { name: "again" });
  expect(resultOf(result)).toEqual({ hello: "again" });
  expect(result.environmentGone).toBe(false);
}

/** A handler's `failure(make)`, as source: what `make` throws as [name, code, message], or "no error". */
export const FAILURE_SOURCE =
  "const failure = (make) => { try { make(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };";

/** The same, run here by the host's Node, to compare with a handler's. */
export function hostFailure(make: () => unknown): "no error" | [string, string | undefined, string] {
  try {
    make();
    return "no error";
  } catch (e) {
    const error = e as Error & { code?: string };
    return [error.name, error.code, error.message];
  }
}
