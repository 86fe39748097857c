/**
 * A door's target: a function (with an optional version or alias) resolved on every request
 * through Invoke's registry cache, so an alias moved or a function updated through the Lambda API
 * takes effect on the next request, as behind a real ALB or function URL.
 */
import { functionArn } from "../../api/deps.js";
import { AwsError } from "../../api/errors.js";
import { type FunctionRef, parseFunctionName } from "../../api/function-name.js";
import { resolveFunction } from "../../api/resolve.js";
import type { Completed, Invocation } from "../../invoke/index.js";
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
  readonly #deps: DoorDeps;

  constructor(deps: DoorDeps, spec: string) {
    this.#deps = deps;
    this.ref = parseFunctionName(spec);
    this.arn = functionArn(deps.api, this.ref.name, this.ref.qualifier);
  }

  toString(): string {
    return this.ref.qualifier === undefined ? this.ref.name : `${this.ref.name}:${this.ref.qualifier}`;
  }

  /** Invokes synchronously; throttles and a missing function become outcomes, not exceptions. */
  async invoke(
    event: string,
    requestId: string,
    traceId: string | undefined,
    onChunk?: (bytes: Uint8Array, contentType: string) => void,
  ): Promise<Outcome> {
    let invocation: Invocation;
    try {
      invocation = this.#invocation(event, requestId, traceId, onChunk);
    } catch (error) {
      if (error instanceof AwsError && error.code === "ResourceNotFoundException") return { kind: "not-found", message: error.message };
      throw error;
    }
    try {
      const completed = await this.#deps.api.invoker.invoke(invocation);
      const version = invocation.config.functionVersion;
      const { result } = completed;
      const refused = result.streamed === undefined ? undefined : contentTypeError(result.streamed.contentType);
      if (refused !== undefined)
        return { kind: "function-error", completed, errorType: refused.errorType, errorMessage: refused.errorMessage, version };
      if (result.functionError === undefined) return { kind: "ok", completed, version };
      const error = parseError(result.payload);
      return { kind: "function-error", completed, errorType: error.errorType, errorMessage: error.errorMessage, version };
    } catch (error) {
      if (error instanceof AwsError && error.code === "TooManyRequestsException")
        return { kind: "throttled", reason: error.fields.Reason ?? "Rate Exceeded." };
      throw error;
    }
  }

  #invocation(
    event: string,
    requestId: string,
    traceId: string | undefined,
    onChunk: ((bytes: Uint8Array, contentType: string) => void) | undefined,
  ): Invocation {
    const { api, cache } = this.#deps;
    const version = resolveFunction(api, this.ref, true, cache).version;
    return {
      config: cache.environmentConfig(api, version),
      resource: this.ref.qualifier ?? "$LATEST",
      event,
      options: { requestId, invocationType: "RequestResponse", traceId, invokedFunctionArn: this.arn, onChunk },
    };
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
