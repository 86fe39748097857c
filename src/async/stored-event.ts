/** A stored Event invocation run as the dispatcher delivers it, through the core as the other boxes invoke. */
import type { LambdaCore } from "../lambda/core.js";
import { invokeInternally } from "../lambda/internal-invoke.js";
import type { Outcome } from "../lambda/invoker.js";
import { resolveFunction } from "../lambda/resolve.js";
import type { QueuedEvent } from "./types.js";

export function invokeStoredEvent(deps: LambdaCore, event: QueuedEvent, payload: string): Promise<Outcome> {
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
export function deadLetterTargetOf(deps: LambdaCore, event: QueuedEvent): string | undefined {
  try {
    const qualifier = event.qualifier === "$LATEST" ? undefined : event.qualifier;
    const target = resolveFunction(deps, { name: event.functionName, qualifier }).version.deadLetterTarget;
    return target === "" ? undefined : target;
  } catch {
    return undefined; // the function is gone: nowhere to send
  }
}
