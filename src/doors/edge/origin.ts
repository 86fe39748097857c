/**
 * Origins of a cache behavior: an HTTP server reached with undici under the behavior's response
 * timeout (an origin that cannot be reached is a 502, one that does not answer in time a 504, as
 * CloudFront reports them), or a folder served as S3 would serve a bucket. undici's request() is
 * used rather than fetch: a fifth of fetch's CPU per call, and it passes a compressed body through
 * untouched, as a proxy must. Each door has its own undici Agent (keep-alive connections per
 * origin): through the global dispatcher a request cost ~15 µs more of the main thread.
 */
import { readFile, stat } from "node:fs/promises";
import { STATUS_CODES } from "node:http";
import path from "node:path";
import { getMimeType } from "hono/utils/mime";
import { type Dispatcher, errors } from "undici";
import type { CfCustomOrigin, CfRequest } from "./event.js";
import { type CfHeaders, canonicalKey, cfHeadersFromResponse, toRequestHeaders } from "./headers.js";

export interface OriginAnswer {
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  body: Buffer;
}

export class OriginError extends Error {
  constructor(
    readonly status: 502 | 504,
    message: string,
  ) {
    super(message);
  }
}

/** Not forwarded to an origin: hop-by-hop headers, and those the client computes itself (Host is the origin's). */
const NOT_FORWARDED = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "te", "upgrade"]);

/** The `origin.custom` object of an origin-request event for an origin URL. */
export function customOrigin(url: URL, readTimeoutSeconds: number): CfCustomOrigin {
  const protocol = url.protocol === "https:" ? "https" : "http";
  return {
    customHeaders: {},
    domainName: url.hostname,
    keepaliveTimeout: 5,
    path: url.pathname.replace(/\/+$/, ""),
    port: url.port === "" ? (protocol === "https" ? 443 : 80) : Number(url.port),
    protocol,
    readTimeout: readTimeoutSeconds,
    sslProtocols: ["TLSv1.2"],
  };
}

export async function fetchOrigin(
  agent: Dispatcher,
  origin: CfCustomOrigin,
  request: CfRequest,
  body: Buffer | undefined,
  timeoutMs: number,
  requestId: string,
): Promise<OriginAnswer> {
  const host = origin.domainName.includes(":") ? `[${origin.domainName}]` : origin.domainName;
  const base = `${origin.protocol}://${host}:${origin.port}`;
  const target = `${origin.path}${request.uri}${request.querystring === "" ? "" : `?${request.querystring}`}`;
  const url = `${base}${target}`;
  const headers = toRequestHeaders(request.headers, NOT_FORWARDED);
  toRequestHeaders(origin.customHeaders, NOT_FORWARDED, headers);
  headers.push("X-Amz-Cf-Id", requestId);
  try {
    // CloudFront's response timeout: how long to wait for the response, and between its packets.
    const response = await agent.request({
      origin: base,
      path: target,
      method: request.method as "GET",
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      statusDescription: STATUS_CODES[response.statusCode] ?? "",
      headers: cfHeadersFromResponse(response.headers),
      body: bytes,
    };
  } catch (error) {
    if (
      error instanceof errors.HeadersTimeoutError ||
      error instanceof errors.BodyTimeoutError ||
      error instanceof errors.ConnectTimeoutError
    )
      throw new OriginError(504, `the origin ${url} did not answer within ${timeoutMs / 1000} s`);
    const code = (error as { code?: string }).code;
    throw new OriginError(502, `the origin ${url} could not be reached (${code ?? (error as Error).message})`);
  }
}

function answer(status: number, headers: Record<string, string>, body: Buffer): OriginAnswer {
  const cf: CfHeaders = {};
  for (const [name, value] of Object.entries(headers)) cf[name] = [{ key: canonicalKey(name), value }];
  return { status, statusDescription: STATUS_CODES[status] ?? "", headers: cf, body };
}

/** A folder as a bucket behind CloudFront: GET and HEAD of files, index.html for a path ending in /. */
export async function readFolder(root: string, request: CfRequest): Promise<OriginAnswer> {
  if (request.method !== "GET" && request.method !== "HEAD")
    return answer(405, { "content-type": "text/plain", allow: "GET, HEAD" }, Buffer.from("Method Not Allowed"));
  let relative: string;
  try {
    relative = decodeURIComponent(request.uri);
  } catch {
    return answer(400, { "content-type": "text/plain" }, Buffer.from("Bad Request"));
  }
  if (relative.endsWith("/")) relative += "index.html";
  const file = path.resolve(root, `.${relative}`);
  // Nothing outside the folder, whatever the URI says.
  if (file !== root && !file.startsWith(`${root}${path.sep}`))
    return answer(404, { "content-type": "text/plain" }, Buffer.from("Not Found"));
  try {
    const info = await stat(file);
    if (!info.isFile()) return answer(404, { "content-type": "text/plain" }, Buffer.from("Not Found"));
    const body = request.method === "HEAD" ? Buffer.alloc(0) : await readFile(file);
    return answer(
      200,
      { "content-type": getMimeType(file) ?? "application/octet-stream", "last-modified": info.mtime.toUTCString() },
      body,
    );
  } catch {
    return answer(404, { "content-type": "text/plain" }, Buffer.from("Not Found"));
  }
}
