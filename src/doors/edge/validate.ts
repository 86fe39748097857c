/**
 * CloudFront's validation of what a Lambda@Edge function returns. Anything it refuses is a
 * LambdaValidationError: the viewer gets a 502 and the log names the rule that was broken. Header
 * names and values, and the status description, must also be what HTTP (and Node) can send.
 */
import { headerProblem, reasonProblem } from "../shared/http-validate.js";
import { isRecord } from "../shared/target.js";
import type { CfBody, CfOrigin, CfRequest, CfResponse } from "./event.js";
import { type CfHeaders, canonicalKey, type EdgeEventType, headerBytes, isDisallowed, READ_ONLY } from "./headers.js";

export class ValidationError extends Error {}

const KB = 1024;
const MB = 1024 * KB;

/** Quotas that differ by event type: the size of a generated response, headers and body included. */
export const GENERATED_RESPONSE_MAX: Record<EdgeEventType, number> = {
  "viewer-request": 40 * KB,
  "origin-request": 1 * MB,
  "origin-response": 1 * MB,
  "viewer-response": 40 * KB,
};

/** Include-body: the body a request function sees is truncated at 40 KB (viewer) or 1 MB (origin). */
export const EXPOSED_BODY_MAX = { "viewer-request": 40 * KB, "origin-request": 1 * MB } as const;

/** Include-body: a replaced request body may be 40 KB / 53.2 KB (viewer) or 1 MB / 1.33 MB (origin), text / base64. */
const REPLACED_BODY_MAX = {
  "viewer-request": { text: 40 * KB, base64: 53.2 * KB },
  "origin-request": { text: 1 * MB, base64: 1.33 * MB },
} as const;

/** "The total length of the URI including the query string must be less than 8,192 characters." */
const URI_AND_QUERY_MAX = 8192;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBody(body: unknown, encoding: unknown, where: string): Buffer {
  if (typeof body !== "string") throw new ValidationError(`${where}.body is not a string`);
  if (encoding === undefined || encoding === "text") return Buffer.from(body, "utf8");
  if (encoding !== "base64") throw new ValidationError(`${where}.bodyEncoding "${String(encoding)}" is neither text nor base64`);
  // "If you specify bodyEncoding as base64 but the body is not valid base64, CloudFront returns an error."
  if (body.length % 4 !== 0 || !BASE64.test(body)) throw new ValidationError(`${where}.body is not valid base64`);
  return Buffer.from(body, "base64");
}

/** The shape of a headers object; a missing `key` gets the canonical one, as Lambda@Edge inserts it. */
export function readHeaders(value: unknown, where: string): CfHeaders {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ValidationError(`${where}.headers is not an object`);
  const headers: CfHeaders = {};
  for (const name in value) {
    const list = value[name];
    if (name !== name.toLowerCase()) throw new ValidationError(`${where}.headers key "${name}" is not lower-case`);
    if (!Array.isArray(list)) throw new ValidationError(`${where}.headers["${name}"] is not a list of {key, value}`);
    headers[name] = list.map((entry, i) => {
      if (!isRecord(entry) || typeof entry.value !== "string")
        throw new ValidationError(`${where}.headers["${name}"][${i}] has no string value`);
      const problem = headerProblem(name, entry.value);
      if (problem !== undefined) throw new ValidationError(`${where}: ${problem}`);
      if (entry.key !== undefined && (typeof entry.key !== "string" || entry.key.toLowerCase() !== name))
        throw new ValidationError(`${where}.headers["${name}"][${i}].key "${String(entry.key)}" does not name the header ${name}`);
      return { key: (entry.key as string | undefined) ?? canonicalKey(name), value: entry.value };
    });
  }
  return headers;
}

const valuesOf = (headers: CfHeaders, name: string) => JSON.stringify((headers[name] ?? []).map((h) => h.value));

/** Disallowed headers may not be added; read-only headers of the event may not change. */
export function checkHeaderRules(before: CfHeaders, after: CfHeaders, eventType: EdgeEventType, where: string): void {
  for (const name in after) if (isDisallowed(name)) throw new ValidationError(`${where} adds the disallowed header ${name}`);
  for (const name of READ_ONLY[eventType]) {
    if (valuesOf(before, name) !== valuesOf(after, name))
      throw new ValidationError(`${where} changes the read-only header ${name} in a ${eventType} event`);
  }
}

export interface Generated {
  status: number;
  statusDescription?: string;
  headers: CfHeaders;
  body: Buffer;
}

function readStatus(value: unknown, where: string): number {
  const status = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  // "If the status value isn't between 200 and 599, CloudFront returns an error to the viewer."
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599)
    throw new ValidationError(`${where}.status ${JSON.stringify(value)} is not between 200 and 599`);
  return status;
}

/** The reason phrase CloudFront sends on the status line, under a header value's rules. */
function readDescription(value: unknown, where: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const problem = reasonProblem(value);
  if (problem !== undefined) throw new ValidationError(`${where}: ${problem}`);
  return value;
}

/** A response a request function generates instead of letting the request continue. */
export function readGeneratedResponse(result: Record<string, unknown>, eventType: EdgeEventType): Generated {
  const where = "the generated response";
  const status = readStatus(result.status, where);
  const headers = readHeaders(result.headers, where);
  checkHeaderRules({}, headers, eventType, where);
  const body = result.body === undefined || result.body === null ? Buffer.alloc(0) : decodeBody(result.body, result.bodyEncoding, where);
  // Lambda@Edge applies RFC 2616's optional rule: a 204 has no body.
  if (status === 204 && result.body !== undefined && result.body !== null && eventType === "viewer-request")
    throw new ValidationError(`${where} has status 204 and a body`);
  const size = body.length + headerBytes(headers);
  const max = GENERATED_RESPONSE_MAX[eventType];
  if (size > max) throw new ValidationError(`${where} is ${size} bytes, over the ${max}-byte quota for ${eventType} events`);
  return { status, statusDescription: readDescription(result.statusDescription, where), headers, body };
}

function hasForbiddenQueryCharacter(querystring: string): boolean {
  for (let i = 0; i < querystring.length; i++) {
    const code = querystring.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x23) return true;
  }
  return false;
}

/** The request a request function lets continue, checked against the one it received. */
export function readRequest(
  result: Record<string, unknown>,
  original: CfRequest,
  eventType: "viewer-request" | "origin-request",
): CfRequest {
  const where = `the ${eventType} result`;
  if (typeof result.uri !== "string" || !result.uri.startsWith("/"))
    throw new ValidationError(`${where}.uri must be a string starting with /`);
  const querystring = result.querystring ?? "";
  if (typeof querystring !== "string") throw new ValidationError(`${where}.querystring is not a string`);
  // "The updated query string can't include spaces, control characters, or the fragment identifier (#)."
  if (hasForbiddenQueryCharacter(querystring)) throw new ValidationError(`${where}.querystring has a space, a control character or #`);
  if (result.uri.length + querystring.length >= URI_AND_QUERY_MAX)
    throw new ValidationError(
      `${where}: URI and query string are ${result.uri.length + querystring.length} characters, the quota is under ${URI_AND_QUERY_MAX}`,
    );
  if (result.method !== undefined && result.method !== original.method) throw new ValidationError(`${where} changes the read-only method`);
  if (result.clientIp !== undefined && result.clientIp !== original.clientIp)
    throw new ValidationError(`${where} changes the read-only clientIp`);
  const headers = readHeaders(result.headers, where);
  checkHeaderRules(original.headers, headers, eventType, where);
  const request: CfRequest = { clientIp: original.clientIp, headers, method: original.method, querystring, uri: result.uri };
  if (original.body !== undefined) request.body = readBody(result.body, original.body, eventType, where);
  if (original.origin !== undefined) request.origin = isRecord(result.origin) ? readOrigin(result.origin, where) : original.origin;
  return request;
}

/**
 * An origin-request function may send the request to another origin (dynamic origin selection).
 * A custom origin is checked as CloudFront documents its fields; an S3 origin is kept as given
 * (a folder origin here; a bucket cannot be reached).
 */
function readOrigin(value: Record<string, unknown>, where: string): CfOrigin {
  if (isRecord(value.custom) && value.s3 !== undefined)
    throw new ValidationError(`${where}.origin has both custom and s3; a request has one origin`);
  if (!isRecord(value.custom)) {
    if (!isRecord(value.s3)) throw new ValidationError(`${where}.origin has neither custom nor s3`);
    return value as unknown as CfOrigin;
  }
  const c = value.custom;
  const at = `${where}.origin.custom`;
  if (typeof c.domainName !== "string" || c.domainName === "" || c.domainName.length > 253 || c.domainName.includes(":"))
    throw new ValidationError(`${at}.domainName must be a host name of up to 253 characters`);
  if (c.protocol !== "http" && c.protocol !== "https") throw new ValidationError(`${at}.protocol must be http or https`);
  const port = c.port;
  if (typeof port !== "number" || !Number.isInteger(port) || !(port === 80 || port === 443 || (port >= 1024 && port <= 65535)))
    throw new ValidationError(`${at}.port must be 80, 443 or 1024–65535`);
  const path = c.path ?? "";
  if (typeof path !== "string" || (path !== "" && (!path.startsWith("/") || path.endsWith("/"))))
    throw new ValidationError(`${at}.path must start with / and not end with one`);
  const readTimeout = typeof c.readTimeout === "number" ? c.readTimeout : 30;
  // "The restrictions for request.headers also apply to custom headers."
  const customHeaders = readHeaders(c.customHeaders, at);
  checkHeaderRules({}, customHeaders, "origin-request", `${at}.customHeaders`);
  return {
    custom: {
      customHeaders,
      domainName: c.domainName,
      keepaliveTimeout: typeof c.keepaliveTimeout === "number" ? c.keepaliveTimeout : 5,
      path,
      port,
      protocol: c.protocol,
      readTimeout,
      sslProtocols: Array.isArray(c.sslProtocols) ? c.sslProtocols.map(String) : ["TLSv1.2"],
    },
  };
}

function readBody(value: unknown, original: CfBody, eventType: "viewer-request" | "origin-request", where: string): CfBody {
  if (!isRecord(value) || value.action !== "replace") return original;
  const encoding = value.encoding === "base64" ? "base64" : "text";
  if (typeof value.data !== "string") throw new ValidationError(`${where}.body.data is not a string`);
  const max = REPLACED_BODY_MAX[eventType][encoding];
  if (value.data.length > max)
    throw new ValidationError(`${where}.body.data is over the ${max}-byte quota for a replaced ${encoding} body`);
  decodeBody(value.data, encoding, `${where}.body`);
  return { inputTruncated: false, action: "replace", encoding, data: value.data };
}

export interface UpdatedResponse {
  response: CfResponse;
  /** Set when the function replaced the body. */
  body?: Buffer;
}

/** A response function's result: status, headers and optionally a new body. */
export function readUpdatedResponse(
  result: Record<string, unknown>,
  original: CfResponse,
  eventType: "origin-response" | "viewer-response",
): UpdatedResponse {
  const where = `the ${eventType} result`;
  const status = readStatus(result.status ?? original.status, where);
  const headers = readHeaders(result.headers, where);
  checkHeaderRules(original.headers, headers, eventType, where);
  const response: CfResponse = {
    headers,
    status: String(status),
    statusDescription: readDescription(result.statusDescription, where) ?? original.statusDescription,
  };
  if (result.body === undefined || result.body === null) return { response };
  const body = decodeBody(result.body, result.bodyEncoding, where);
  const size = body.length + headerBytes(headers);
  const max = GENERATED_RESPONSE_MAX[eventType];
  if (size > max) throw new ValidationError(`${where} is ${size} bytes, over the ${max}-byte quota for ${eventType} events`);
  return { response, body };
}
