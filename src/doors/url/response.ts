/**
 * Payload format 2.0 responses as function URLs interpret them ("Response payload format"): an
 * object with statusCode is taken field by field; any other valid JSON is a 200 application/json
 * response whose body is the function's output.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { statusProblem } from "../shared/http-validate.js";
import { appendHeader, HOP_BY_HOP } from "../shared/response.js";
import { isRecord, parsePayload } from "../shared/target.js";

export interface HttpAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer | string;
}

/** Why a response could not be used; the client sees a 502. */
export class InvalidResponse extends Error {}

/** Payload 2.0 header values are strings; a list is sent as one comma-separated value, as for requests. */
function headerValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(headerValue).join(",");
  return JSON.stringify(value);
}

/** Headers, cookies and status of a payload 2.0 response or a streamed prelude. */
export function responseHead(response: Record<string, unknown>): { status: number; headers: OutgoingHttpHeaders } {
  const status = typeof response.statusCode === "string" ? Number(response.statusCode) : response.statusCode;
  if (typeof status !== "number" || statusProblem(status) !== undefined)
    throw new InvalidResponse(`statusCode ${JSON.stringify(response.statusCode)} is not an HTTP status for a response (200–599)`);
  const headers: OutgoingHttpHeaders = {};
  if (response.headers !== undefined && response.headers !== null) {
    if (!isRecord(response.headers)) throw new InvalidResponse("headers is not an object");
    for (const name in response.headers) {
      const lower = name.toLowerCase();
      if (!HOP_BY_HOP.has(lower)) headers[lower] = headerValue(response.headers[name]);
    }
  }
  if (response.cookies !== undefined && response.cookies !== null) {
    if (!Array.isArray(response.cookies)) throw new InvalidResponse("cookies is not an array");
    // "Lambda automatically interprets this and adds them as set-cookie headers."
    for (const cookie of response.cookies) appendHeader(headers, "set-cookie", String(cookie));
  }
  return { status, headers };
}

export function translateUrlResponse(payload: string): HttpAnswer {
  const response = parsePayload(payload);
  if (response === undefined) throw new InvalidResponse("the function's response is not JSON");
  if (!isRecord(response) || !("statusCode" in response)) {
    return { status: 200, headers: { "content-type": "application/json" }, body: payload };
  }
  const { status, headers } = responseHead(response);
  const raw = response.body;
  let body: Buffer | string = "";
  if (raw !== undefined && raw !== null) {
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    body = response.isBase64Encoded === true ? Buffer.from(text, "base64") : text;
  }
  return { status, headers, body };
}
