/**
 * A door's target: a function (with an optional version or alias) resolved on every request
 * through Invoke's registry cache, so an alias moved or a function updated through the Lambda API
 * takes effect on the next request, as behind a real ALB or function URL.
 */

import { type FunctionRef, functionArn, parseFunctionName } from "../../lambda/arn.js";
import { type InvokeCore, invoke } from "../../lambda/invoke.js";
import type { Completed } from "../../lambda/invoker.js";
import type { DoorDeps } from "./deps.js";
import { contentTypeError } from "./http-validate.js";

/** How one invocation through a door ended, in the terms the doors map to HTTP statuses. */
export type Outcome =
  | { kind: "ok"; completed: Completed; version: string }
  | { kind: "function-error"; completed: Completed; errorType: string; errorMessage: string; version: string }
  | { kind: "throttled"; reason: string }
  | { kind: "not-found"; message: string };

/** Lambda's runtime reports a handler that ran out of time with this error type. */
export const TIMED_OUT = "Sandbox.Timedout";

export class FunctionTarget {
  readonly ref: FunctionRef;
  readonly arn: string;
  readonly #core: InvokeCore;

  constructor(deps: DoorDeps, spec: string) {
    const { core, cache } = deps;
    this.ref = parseFunctionName(spec);
    this.arn = functionArn(core, this.ref.name, this.ref.qualifier);
    this.#core = {
      region: core.region,
      accountId: core.accountId,
      lookup: cache,
      configOf: (version) => cache.environmentConfig(core, version),
      invoker: core.invoker,
    };
  }

  toString(): string {
    return this.ref.qualifier === undefined ? this.ref.name : `${this.ref.name}:${this.ref.qualifier}`;
  }

  /** Invokes synchronously; a handler's error is told apart by its type and message. */
  async invoke(
    event: string,
    requestId: string,
    traceId: string | undefined,
    onChunk?: (bytes: Uint8Array, contentType: string) => void,
  ): Promise<Outcome> {
    const outcome = await invoke(this.#core, this.ref, event, { requestId, invocationType: "RequestResponse", traceId, onChunk });
    if (outcome.kind === "throttled" || outcome.kind === "not-found") return outcome;
    const { completed } = outcome;
    const { result, executedVersion: version } = completed;
    const refused = result.streamed === undefined ? undefined : contentTypeError(result.streamed.contentType);
    if (refused !== undefined)
      return { kind: "function-error", completed, errorType: refused.errorType, errorMessage: refused.errorMessage, version };
    if (outcome.kind === "ok") return { kind: "ok", completed, version };
    const error = parseError(result.payload);
    return { kind: "function-error", completed, errorType: error.errorType, errorMessage: error.errorMessage, version };
  }
}

function parseError(payload: string): { errorType: string; errorMessage: string } {
  try {
    const error = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: String(error.errorType ?? "Unhandled"), errorMessage: String(error.errorMessage ?? "") };
  } catch {
    return { errorType: "Unhandled", errorMessage: payload };
  }
}

/** A streamed result's bytes as the payload a buffered caller sees, else the JSON payload. */
export function payloadText(completed: Completed): string {
  const body = completed.result.streamed?.body;
  return body === undefined ? completed.result.payload : body.toString("utf8");
}

/** Parses a handler's JSON payload; `undefined` when it is not JSON. */
export function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
