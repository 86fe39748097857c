/**
 * Invoke on node:http, ahead of the Lambda API's Hono app: the API's one hot route. It spares each
 * invocation Hono's and @hono/node-server's request, context and response objects (~6 µs of the main
 * thread and ~5 KB of garbage per invocation, A/B); what it answers is src/api/invoke.ts's.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { send } from "../doors/shared/response.js";
import type { RegistryCache } from "../lambda/registry-cache.js";
import type { ApiDeps } from "./deps.js";
import { errorAnswer } from "./errors.js";
import { answerInvoke, nodeInvokeRequest } from "./invoke.js";

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?(.*))?$/;

/** As Hono decodes a path parameter: a malformed escape stays as sent. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Takes POST …/invocations and answers it; false for any other request, which goes on to the app. */
export function invokeRoute(deps: ApiDeps, cache: RegistryCache): (incoming: IncomingMessage, outgoing: ServerResponse) => boolean {
  return (incoming, outgoing) => {
    if (incoming.method !== "POST") return false;
    const match = INVOKE_PATH.exec(incoming.url ?? "");
    if (match === null) return false;
    const query = match[2];
    const qualifier = query === undefined ? undefined : (new URLSearchParams(query).get("Qualifier") ?? undefined);
    const request = nodeInvokeRequest(incoming, decodePathPart(match[1] as string), qualifier);
    answerInvoke(request, deps, cache)
      .then(({ status, headers, body }) => {
        // A client that went away has nothing to read.
        if (!outgoing.destroyed) send(outgoing, status, headers, body ?? "");
      })
      .catch((error: unknown) => {
        // What the function returned is checked before it gets here: this is a bug of ours, and
        // the client gets Lambda's 500 rather than the process an unhandled rejection.
        console.error(`isolambda: Invoke of ${request.name} failed:`, error);
        if (outgoing.headersSent) return void outgoing.destroy();
        const { status, headers, body } = errorAnswer(error, randomUUID());
        send(outgoing, status, headers, body);
      });
    return true;
  };
}
