/** How the async box runs a stored event: resolved like an Invoke at the time it is delivered. */
import type { QueuedEvent } from "../async/types.js";
import type { Completed } from "../invoke/index.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { resolveFunction } from "./resolve.js";
import { environmentConfig } from "./shapes.js";

export async function invokeStoredEvent(deps: ApiDeps, event: QueuedEvent, payload: string): Promise<Completed> {
  const qualifier = event.qualifier === "$LATEST" ? undefined : event.qualifier;
  const fn = resolveFunction(deps, { name: event.functionName, qualifier }, true).version;
  return deps.invoker.invoke({
    config: environmentConfig(deps, fn, (sha) => deps.code.get(sha)?.dir),
    resource: event.qualifier,
    event: payload,
    options: {
      requestId: event.requestId,
      invocationType: "Event",
      clientContext: event.clientContext === undefined ? undefined : JSON.parse(event.clientContext),
      traceId: event.traceId,
      invokedFunctionArn: functionArn(deps, fn.functionName, qualifier),
    },
  });
}
