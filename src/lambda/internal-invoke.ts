/**
 * How the boxes that invoke on their own (stored async events, event source pollers) run a
 * function: resolved like an Invoke at the moment it runs, through the same invoker.
 */
import { randomUUID } from "node:crypto";
import type { InvocationType } from "../sandbox/index.js";
import type { LambdaCore } from "./core.js";
import { environmentConfig } from "./environment.js";
import { type InvokeCore, invoke } from "./invoke.js";
import type { Outcome } from "./invoker.js";

export interface InternalInvocation {
  functionName: string;
  /** Undefined or `$LATEST` for the unqualified function. */
  qualifier?: string;
  payload: string;
  invocationType: InvocationType;
  requestId?: string;
  clientContext?: unknown;
  traceId?: string;
}

/** The core as these boxes see it: the registry itself, not Invoke's cache of it. */
function coreOf(deps: LambdaCore): InvokeCore {
  return {
    region: deps.region,
    accountId: deps.accountId,
    lookup: deps.registry,
    configOf: (version) => environmentConfig(deps, version, (sha) => deps.code.get(sha)?.dir),
    invoker: deps.invoker,
  };
}

export function invokeInternally(deps: LambdaCore, invocation: InternalInvocation): Promise<Outcome> {
  const qualifier = invocation.qualifier === "$LATEST" ? undefined : invocation.qualifier;
  return invoke(coreOf(deps), { name: invocation.functionName, qualifier }, invocation.payload, {
    requestId: invocation.requestId ?? randomUUID(),
    invocationType: invocation.invocationType,
    clientContext: invocation.clientContext,
    traceId: invocation.traceId,
  });
}
