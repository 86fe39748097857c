/**
 * How the boxes that invoke on their own (stored async events, event source pollers) run a
 * function: resolved like an Invoke at the moment it runs, through the same invoker.
 */
import { randomUUID } from "node:crypto";
import type { QueuedEvent } from "../async/types.js";
import { environmentConfig } from "../lambda/environment.js";
import { type InvokeCore, invoke } from "../lambda/invoke.js";
import type { Outcome } from "../lambda/invoker.js";
import { resolveFunction } from "../lambda/resolve.js";
import type { InvocationType } from "../sandbox/limits.js";
import type { ApiDeps } from "./deps.js";

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
function coreOf(deps: ApiDeps): InvokeCore {
  return {
    region: deps.region,
    accountId: deps.accountId,
    lookup: deps.registry,
    configOf: (version) => environmentConfig(deps, version, (sha) => deps.code.get(sha)?.dir),
    invoker: deps.invoker,
  };
}

export function invokeInternally(deps: ApiDeps, invocation: InternalInvocation): Promise<Outcome> {
  const qualifier = invocation.qualifier === "$LATEST" ? undefined : invocation.qualifier;
  return invoke(coreOf(deps), { name: invocation.functionName, qualifier }, invocation.payload, {
    requestId: invocation.requestId ?? randomUUID(),
    invocationType: invocation.invocationType,
    clientContext: invocation.clientContext,
    traceId: invocation.traceId,
  });
}

export function invokeStoredEvent(deps: ApiDeps, event: QueuedEvent, payload: string): Promise<Outcome> {
  return invokeInternally(deps, {
    functionName: event.functionName,
    qualifier: event.qualifier,
    payload,
    invocationType: "Event",
    requestId: event.requestId,
    clientContext: event.clientContext === undefined ? undefined : JSON.parse(event.clientContext),
    traceId: event.traceId,
  });
}

/** The dead-letter queue of the version an event runs (DeadLetterConfig.TargetArn), if any. */
export function deadLetterTargetOf(deps: ApiDeps, event: QueuedEvent): string | undefined {
  try {
    const qualifier = event.qualifier === "$LATEST" ? undefined : event.qualifier;
    const target = resolveFunction(deps, { name: event.functionName, qualifier }).version.deadLetterTarget;
    return target === "" ? undefined : target;
  } catch {
    return undefined; // the function is gone: nowhere to send
  }
}
