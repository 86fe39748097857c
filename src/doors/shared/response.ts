/**
 * Doors write their answers straight to Node's ServerResponse: it lets ELB's statusDescription
 * become the reason phrase, repeated headers stay repeated, and a streamed body leaves as written.
 */
import { type OutgoingHttpHeaders, type ServerResponse, STATUS_CODES } from "node:http";

/** Headers a proxy never forwards from a target (RFC 9110 hop-by-hop); the door computes Content-Length itself. */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

/**
 * Writes a whole response. Its head must have passed http-validate.ts's checks: Node throws on
 * anything else. The reason phrase is always given, so a status message Node kept from an earlier
 * writeHead that threw is replaced rather than sent (or thrown on) again.
 */
export function send(
  outgoing: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: Uint8Array | string,
  reason?: string,
): void {
  // RFC 9110: a 204 has no Content-Length, and neither carries a body (Node drops one given).
  if (status !== 204 && status !== 304) headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  outgoing.writeHead(status, reason ?? STATUS_CODES[status] ?? "unknown", headers);
  outgoing.end(body);
}

/** A short plain-text answer the door itself generates (errors, fixed responses). */
export function sendText(outgoing: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  if (outgoing.headersSent) {
    outgoing.destroy();
    return;
  }
  send(outgoing, status, { "content-type": "text/plain; charset=utf-8", ...headers }, text);
}

/** Adds one value to a header that may repeat (set-cookie, or any multi-value header). */
export function appendHeader(headers: OutgoingHttpHeaders, name: string, value: string): void {
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else headers[name] = [String(existing), value];
}
