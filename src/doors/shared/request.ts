/**
 * What a door reads of an HTTP request, taken from Node's IncomingMessage rather than a Fetch
 * Request: the raw header list keeps repeated headers and their order (ELB's "last value wins",
 * multi-value lists), and the raw URL keeps the query string exactly as sent.
 */
import type { IncomingMessage } from "node:http";

export interface DoorRequest {
  method: string;
  /** Path as sent, still percent-encoded. */
  path: string;
  /** Query string as sent, without the `?`; empty when there is none. */
  query: string;
  /** Node's rawHeaders: name, value, name, value, ... in the order received. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** The listener's port, for x-forwarded-port. */
  port: number;
}

const EMPTY = Buffer.alloc(0);

/** Splits `/path?query` without decoding anything. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf("?");
  if (q === -1) return { path: url, query: "" };
  return { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** The client address without the IPv4-mapped IPv6 prefix Node reports on dual-stack sockets. */
export function sourceIpOf(incoming: IncomingMessage): string {
  const address = incoming.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * Reads the whole body, or answers `undefined` as soon as it is known to exceed `limit`.
 * A request that announces no body is answered without waiting for the stream.
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // Already read by the API's auth layer to check its signature (@hono/node-server's convention).
  const read = (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody;
  if (read !== undefined) return Promise.resolve(read.length > limit ? undefined : read);
  const declared = incoming.headers["content-length"];
  if (incoming.headers["transfer-encoding"] === undefined) {
    if (declared === undefined || declared === "0") return Promise.resolve(EMPTY);
    if (Number(declared) > limit) return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.off("data", onData);
        incoming.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    incoming.on("data", onData);
    incoming.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    incoming.once("error", reject);
  });
}

/** Reads a request for a door: method, raw path and query, raw headers, body within `limit`. */
export async function readDoorRequest(incoming: IncomingMessage, port: number, limit: number): Promise<DoorRequest | undefined> {
  const body = await readBody(incoming, limit);
  if (body === undefined) return undefined;
  const { path, query } = splitUrl(incoming.url ?? "/");
  return { method: incoming.method ?? "GET", path, query, rawHeaders: incoming.rawHeaders, body, sourceIp: sourceIpOf(incoming), port };
}

/**
 * ELB and API Gateway pass these bodies as text and anything else base64-encoded (ELB: "text/*,
 * application/json, application/javascript, and application/xml").
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(";");
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type.startsWith("text/") || type === "application/json" || type === "application/javascript" || type === "application/xml";
}

/** The last value of a header in a raw header list (names compared case-insensitively). */
export function lastHeader(rawHeaders: string[], lowerName: string): string | undefined {
  for (let i = rawHeaders.length - 2; i >= 0; i -= 2) {
    if ((rawHeaders[i] as string).toLowerCase() === lowerName) return rawHeaders[i + 1];
  }
  return undefined;
}
