/**
 * The CloudFront door's cache, for behaviors with a cache policy. What CloudFront documents:
 * - only GET and HEAD responses are cached (OPTIONS optionally, not here): "How CloudFront processes
 *   HTTP 4xx and 5xx status codes from your origin", .../DeveloperGuide/HTTPStatusCodes.html;
 * - the cache key is the URL path plus the query strings, headers and cookies the policy names:
 *   .../cloudfront/latest/APIReference/API_CachePolicyConfig.html;
 * - how long: s-maxage, else max-age, else Expires, clamped to [minTtl, maxTtl], defaultTtl when the
 *   origin sends none; no-cache/no-store/private mean "not cached" unless minTtl > 0, which wins:
 *   .../DeveloperGuide/Expiration.html;
 * - errors: some 4xx/5xx always, some only with max-age/s-maxage, for at least the error caching
 *   minimum TTL (10 s): .../DeveloperGuide/custom-error-pages-expiration.html.
 * What the origin stage produced is stored (after the origin-response hook, or an origin-request
 * hook's generated response), so a hit skips the origin and both origin hooks.
 */
import { LRUCache } from "lru-cache";
import type { CachePolicy } from "./config.js";
import type { CfRequest, CfResponse } from "./event.js";
import { type CfHeaders, headerBytes } from "./headers.js";

export interface CachedResponse {
  response: CfResponse;
  body: Buffer;
  storedAt: number;
}

/** "CloudFront always caches the following HTTP 4xx and 5xx status codes returned by your origin." */
const ERRORS_ALWAYS_CACHED = new Set([404, 405, 410, 414, 500, 501, 502, 503, 504]);
/** Cached "only ... if your origin returns a Cache-Control max-age or Cache-Control s-maxage header". */
const ERRORS_CACHED_WITH_MAX_AGE = new Set([400, 403, 412, 415]);
/** Errors for which no-store, no-cache or private keep CloudFront from caching; for the rest it ignores them. */
const ERRORS_HONOURING_NO_STORE = new Set([404, 410, 414, 501]);

interface Freshness {
  /** no-store, no-cache or private. */
  uncacheable: boolean;
  hasCacheControl: boolean;
  sMaxAge?: number;
  maxAge?: number;
  /** Seconds until the Expires date (0 for a date in the past or one that does not parse, as RFC 9111 says). */
  expires?: number;
}

function directiveSeconds(directive: string): number | undefined {
  const value = Number(directive.slice(directive.indexOf("=") + 1).replace(/"/g, ""));
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

function freshness(headers: CfHeaders, now: number): Freshness {
  const cacheControl = headers["cache-control"];
  const out: Freshness = { uncacheable: false, hasCacheControl: cacheControl !== undefined };
  for (const { value } of cacheControl ?? [])
    for (const raw of value.split(",")) {
      const directive = raw.trim().toLowerCase();
      if (directive === "no-store" || directive === "no-cache" || directive === "private") out.uncacheable = true;
      else if (directive.startsWith("s-maxage=")) out.sMaxAge = directiveSeconds(directive);
      else if (directive.startsWith("max-age=")) out.maxAge = directiveSeconds(directive);
    }
  const expires = headers.expires?.[0]?.value;
  if (expires !== undefined) {
    const at = Date.parse(expires);
    out.expires = Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000));
  }
  return out;
}

/** Seconds CloudFront keeps a response for, 0 for one it does not cache. */
export function ttlSeconds(status: number, headers: CfHeaders, policy: CachePolicy, now: number): number {
  const f = freshness(headers, now);
  // "If you specify values both for Cache-Control max-age and for Expires, CloudFront uses only max-age"; s-maxage wins over both.
  const fromOrigin = f.sMaxAge ?? f.maxAge ?? f.expires;
  if (status >= 400) {
    // Error responses: the larger of the error caching minimum TTL and the origin's max-age, which cannot exceed maxTtl.
    const errorTtl = (seconds: number | undefined) => Math.max(policy.errorCachingMinTtl, Math.min(seconds ?? 0, policy.maxTtl));
    if (ERRORS_ALWAYS_CACHED.has(status)) return f.uncacheable && ERRORS_HONOURING_NO_STORE.has(status) ? 0 : errorTtl(fromOrigin);
    const maxAge = f.sMaxAge ?? f.maxAge;
    return ERRORS_CACHED_WITH_MAX_AGE.has(status) && maxAge !== undefined ? errorTtl(maxAge) : 0;
  }
  // isolambda never asks the origin for ranges or revalidation: a 206 or 304 answers one viewer's own conditions.
  if (status === 206 || status === 304) return 0;
  // "CloudFront caches 307 and 308 responses only when you include the Cache-Control header" (http-3xx-status-codes.html).
  if ((status === 307 || status === 308) && !f.hasCacheControl) return 0;
  if (f.uncacheable) return policy.minTtl;
  if (fromOrigin === undefined) return policy.defaultTtl;
  return Math.min(Math.max(fromOrigin, policy.minTtl), policy.maxTtl);
}

function selectQuery(querystring: string, names: readonly string[]): string {
  const kept: string[] = [];
  for (const part of querystring.split("&")) {
    const eq = part.indexOf("=");
    const raw = eq === -1 ? part : part.slice(0, eq);
    let name = raw;
    try {
      name = decodeURIComponent(raw.replace(/\+/g, " "));
    } catch {}
    if (names.includes(name)) kept.push(part);
  }
  return kept.join("&");
}

function selectCookies(headers: CfHeaders, which: "all" | readonly string[]): string {
  const kept: string[] = [];
  for (const { value } of headers.cookie ?? [])
    for (const raw of value.split(";")) {
      const pair = raw.trim();
      const name = pair.slice(0, pair.indexOf("=") === -1 ? pair.length : pair.indexOf("="));
      if (pair !== "" && (which === "all" || which.includes(name))) kept.push(pair);
    }
  return kept.join("; ");
}

/**
 * The cache key of a request after the viewer-request hook (which may rewrite it), or undefined when
 * the method is never cached. Behaviors keep their own entries; GET and HEAD are kept apart.
 */
export function cacheKey(behavior: number, request: CfRequest, policy: CachePolicy): string | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const { queryStrings, cookies } = policy;
  const query =
    queryStrings === "none" ? "" : queryStrings === "all" ? request.querystring : selectQuery(request.querystring, queryStrings);
  let key = `${behavior} ${request.method} ${request.uri}?${query}`;
  for (const name of policy.headers) key += `\n${name}: ${(request.headers[name] ?? []).map((h) => h.value).join(", ")}`;
  if (cookies !== "none") key += `\ncookie: ${selectCookies(request.headers, cookies)}`;
  return key;
}

/** Responses by cache key, bounded in bytes (least recently used go first), each with its own TTL. */
export class EdgeCache {
  readonly #entries: LRUCache<string, CachedResponse>;

  constructor(maxBytes: number) {
    this.#entries = new LRUCache<string, CachedResponse>({
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => Math.max(1, key.length + entry.body.length + headerBytes(entry.response.headers)),
    });
  }

  get(key: string): CachedResponse | undefined {
    return this.#entries.get(key);
  }

  /** Keeps a response for as long as CloudFront would; one it would not cache is left out. */
  store(key: string, response: CfResponse, body: Buffer, policy: CachePolicy): void {
    const now = Date.now();
    const ttl = ttlSeconds(Number(response.status), response.headers, policy, now);
    if (ttl > 0) this.#entries.set(key, { response, body, storedAt: now }, { ttl: ttl * 1000 });
  }
}
