/**
 * Checks a function-supplied response head against what Node's http module will write, before a
 * door or the Invoke route writes anything. Node throws ERR_INVALID_CHAR or ERR_INVALID_HTTP_TOKEN
 * from writeHead on a bad status line or header, after it has kept the status message (so the 502
 * sent next throws too), and a throw from a callback ends the process. AWS's front doors refuse
 * such a response instead: ELB and function URLs with a 502, CloudFront with a LambdaValidationError.
 */
import { type OutgoingHttpHeaders, validateHeaderName, validateHeaderValue } from "node:http";
import type { FunctionError } from "../../sandbox/index.js";

/** Caps on a response head, as a front door documents them (ELB: "single header 16K, entire response header 32K"). */
export interface HeadLimits {
  headerMaxBytes: number;
  headMaxBytes: number;
}

/** A value short enough for a log line, with its control characters visible. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * A final status: Node writes any of 100–999, but 1xx are interim responses (a client keeps waiting
 * for the real one) and HTTP defines no class above 5xx.
 */
export function statusProblem(status: number): string | undefined {
  return Number.isInteger(status) && status >= 200 && status <= 599 ? undefined : `status ${status} is not a final HTTP status (200–599)`;
}

/** Node's own checks: a name is an RFC 9110 token; a value has no CR, LF, NUL or other control, and is Latin-1. */
export function headerProblem(name: string, value: string): string | undefined {
  try {
    validateHeaderName(name);
  } catch {
    return `header name ${shown(name)} is not an HTTP token`;
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    return `header ${name} has a value with a control character or a character outside Latin-1: ${shown(value)}`;
  }
  return undefined;
}

/** The reason phrase goes on the status line, under the same rule as a header value. */
export function reasonProblem(reason: string): string | undefined {
  return headerProblem("reason", reason) === undefined
    ? undefined
    : `status description has a control character or a character outside Latin-1: ${shown(reason)}`;
}

/**
 * Why Node cannot write this response head as it is (or a front door with these limits would
 * refuse it), or `undefined` when it can.
 */
export function headProblem(
  status: number,
  reason: string | undefined,
  headers: OutgoingHttpHeaders,
  bodyBytes: number,
  limits?: HeadLimits,
): string | undefined {
  const problem = statusProblem(status) ?? (reason === undefined ? undefined : reasonProblem(reason));
  if (problem !== undefined) return problem;
  // RFC 9110 §15.3.5 and §15.4.5: a 204 or 304 response ends with its header section.
  if ((status === 204 || status === 304) && bodyBytes > 0) return `status ${status} has no body, and the response has ${bodyBytes} bytes`;
  let headBytes = 0;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) {
      const wrong = headerProblem(name, one);
      if (wrong !== undefined) return wrong;
      // Valid values are Latin-1: one byte per character on the wire, as Node writes them.
      const bytes = name.length + one.length + 4;
      if (limits === undefined) continue;
      if (bytes > limits.headerMaxBytes)
        return `header ${name} is ${bytes} bytes, over the ${limits.headerMaxBytes}-byte limit for one header`;
      headBytes += bytes;
      if (headBytes > limits.headMaxBytes) return `the response headers are over the ${limits.headMaxBytes}-byte limit`;
    }
  }
  return undefined;
}

/**
 * The function error Lambda reports for a streamed response whose content type no header may carry:
 * the Node.js runtime sends it as the Content-Type header of its response to the Runtime API, so
 * Node's http client throws this from the handler's first write, before any byte of the stream leaves.
 */
export function contentTypeError(contentType: string): FunctionError | undefined {
  if (headerProblem("content-type", contentType) === undefined) return undefined;
  return { errorType: "TypeError", errorMessage: 'Invalid character in header content ["Content-Type"]', trace: [] };
}
