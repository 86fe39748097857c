/**
 * Invoking a function by reference, as the doors, the async box and the pollers do: the name and
 * qualifier resolved at the moment it runs (an alias routed by its weights), the environment's
 * configuration built, the invocation run through the invoker. Every way it can end is an Outcome.
 */
import type { FunctionVersion } from "../registry/types.js";
import type { EnvironmentConfig, InvocationType, InvokeOptions as SandboxInvokeOptions } from "../sandbox/index.js";
import { type Account, type FunctionRef, functionArn } from "./arn.js";
import type { Invoker, Outcome } from "./invoker.js";
import { functionNotFoundMessage, type Lookup, resolve } from "./resolve.js";

export interface InvokeCore extends Account {
  lookup: Lookup;
  /** The environment configuration a version runs with. */
  configOf(version: FunctionVersion): EnvironmentConfig;
  invoker: Invoker;
}

export type InvokeOptions = Omit<SandboxInvokeOptions, "invokedFunctionArn" | "identity"> & {
  requestId: string;
  invocationType: InvocationType;
};

/** Async so that a failure building the invocation (its code missing from disk) rejects rather than throws. */
export async function invoke(core: InvokeCore, ref: FunctionRef, payload: string, options: InvokeOptions): Promise<Outcome> {
  const resolved = resolve(core.lookup, ref, true);
  if (resolved === undefined) return { kind: "not-found", message: functionNotFoundMessage(core, ref) };
  const { version } = resolved;
  return core.invoker.invoke({
    config: core.configOf(version),
    resource: ref.qualifier ?? "$LATEST",
    event: payload,
    // Field by field, as the invoker reads them: a spread of the options was measurably slow there.
    options: {
      requestId: options.requestId,
      invocationType: options.invocationType,
      clientContext: options.clientContext,
      traceId: options.traceId,
      onChunk: options.onChunk,
      invokedFunctionArn: functionArn(core, version.functionName, ref.qualifier),
    },
  });
}
