/**
 * How the boxes that invoke on their own (stored async events, event source pollers) run a
 * function: resolved like an Invoke at the moment it runs, through the same invoker.
 */
import { randomUUID } from "node:crypto";
import type { QueuedEvent } from "../async/types.js";
import type { Completed } from "../invoke/index.js";
import type { InvocationType } from "../sandbox/limits.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { resolveFunction } from "./resolve.js";
import { environmentConfig } from "./shapes.js";

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

/** Rejects with AwsError when the function is gone (ResourceNotFoundException) or throttled (TooManyRequestsException). */
export async function invokeInternally(deps: ApiDeps, invocation: InternalInvocation): Promise<Completed> {
  const qualifier = invocation.qualifier === "$LATEST" ? undefined : invocation.qualifier;
  const fn = resolveFunction(deps, { name: invocation.functionName, qualifier }, true).version;
  return deps.invoker.invoke({
    config: environmentConfig(deps, fn, (sha) => deps.code.get(sha)?.dir),
    resource: qualifier ?? "$LATEST",
    event: invocation.payload,
    options: {
      requestId: invocation.requestId ?? randomUUID(),
      invocationType: invocation.invocationType,
      clientContext: invocation.clientContext,
      traceId: invocation.traceId,
      invokedFunctionArn: functionArn(deps, fn.functionName, qualifier),
    },
  });
}

export function invokeStoredEvent(deps: ApiDeps, event: QueuedEvent, payload: string): Promise<Completed> {
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
