/**
 * Lambda@Edge headers: lower-case names mapping to `[{key, value}]` lists, one entry per value,
 * and the header restrictions of "Restrictions on all edge functions": disallowed headers are
 * never exposed and may not be added; read-only headers may be read but not changed, per event.
 */
import type { OutgoingHttpHeaders } from "node:http";

export interface CfHeader {
  key?: string;
  value: string;
}
export type CfHeaders = Record<string, CfHeader[]>;

export type EdgeEventType = "viewer-request" | "origin-request" | "origin-response" | "viewer-response";

const DISALLOWED = new Set([
  "connection",
  "expect",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "trailer",
  "upgrade",
  "x-accel-buffering",
  "x-accel-charset",
  "x-accel-limit-rate",
  "x-accel-redirect",
  "x-amzn-auth",
  "x-amzn-cf-billing",
  "x-amzn-cf-id",
  "x-amzn-cf-xff",
  "x-amzn-errortype",
  "x-amzn-fle-profile",
  "x-amzn-header-count",
  "x-amzn-header-order",
  "x-amzn-lambda-integration-tag",
  "x-amzn-requestid",
  "x-cache",
  "x-forwarded-proto",
  "x-real-ip",
]);

export function isDisallowed(lowerName: string): boolean {
  return DISALLOWED.has(lowerName) || lowerName.startsWith("x-amz-cf-") || lowerName.startsWith("x-edge-");
}

export const READ_ONLY: Record<EdgeEventType, ReadonlySet<string>> = {
  "viewer-request": new Set(["content-length", "host", "transfer-encoding", "via"]),
  "origin-request": new Set([
    "accept-encoding",
    "content-length",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "transfer-encoding",
    "via",
  ]),
  "origin-response": new Set(["transfer-encoding", "via"]),
  "viewer-response": new Set(["content-encoding", "content-length", "transfer-encoding", "warning", "via"]),
};

/** Request headers as CloudFront exposes them: disallowed ones left out, every value its own entry. */
export function cfHeadersFromRaw(rawHeaders: string[]): CfHeaders {
  const headers: CfHeaders = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as string;
    const name = key.toLowerCase();
    if (isDisallowed(name)) continue;
    const entry = { key, value: rawHeaders[i + 1] as string };
    const list = headers[name];
    if (list === undefined) headers[name] = [entry];
    else list.push(entry);
  }
  return headers;
}

/** Response headers of an origin answer (lower-case names, repeated ones as lists), disallowed ones hidden. */
export function cfHeadersFromResponse(source: Record<string, string | string[] | undefined>): CfHeaders {
  const headers: CfHeaders = {};
  for (const name in source) {
    const value = source[name];
    if (value === undefined || isDisallowed(name)) continue;
    const key = canonicalKey(name);
    headers[name] = Array.isArray(value) ? value.map((v) => ({ key, value: v })) : [{ key, value }];
  }
  return headers;
}

/** "Lambda@Edge will automatically insert a header key ... with initial capitalization for each part." */
export function canonicalKey(lowerName: string): string {
  return lowerName.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** Headers for Node's ServerResponse, keeping repeated values; hop-by-hop and length are the door's. */
export function toOutgoing(headers: CfHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name === "content-length" || name === "transfer-encoding" || name === "connection" || name === "keep-alive") continue;
    const values = (headers[name] as CfHeader[]).map((h) => h.value);
    out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** Headers for the origin request as a flat name, value, ... list: every value its own header line. */
export function toRequestHeaders(headers: CfHeaders, drop: ReadonlySet<string>, out: string[] = []): string[] {
  for (const name in headers) {
    if (drop.has(name)) continue;
    for (const h of headers[name] as CfHeader[]) out.push(h.key ?? canonicalKey(name), h.value);
  }
  return out;
}

/** Bytes a header list takes on the wire, for the generated-response size quotas. */
export function headerBytes(headers: CfHeaders): number {
  let n = 0;
  for (const name in headers) for (const h of headers[name] as CfHeader[]) n += name.length + 2 + Buffer.byteLength(h.value) + 2;
  return n;
}
