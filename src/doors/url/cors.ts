/**
 * A function URL's CORS, as Lambda applies it (Lambda Developer Guide, "Creating and managing
 * Lambda function URLs" › "Cross-origin resource sharing (CORS)"; API reference "Cors"):
 * - a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered by Lambda
 *   itself, 200 with an empty body and the configured headers only; the function never sees it;
 * - every other response gets Access-Control-Allow-Origin (and -Allow-Credentials,
 *   -Expose-Headers) added to what the function sent: for non-preflight requests "Lambda returns
 *   both the configured CORS headers on the function URL, as well as the CORS headers returned
 *   by the function", so a header both set is sent twice;
 * - the allowed origin is echoed back with `Vary: Origin`, for a `*` list too (what Lambda was
 *   seen answering; a literal `*` next to Allow-Credentials: true is one browsers refuse); an
 *   origin not on the list gets no Access-Control-* header, which is the browser's refusal.
 * Without a cors config nothing here runs: OPTIONS reaches the function, its headers go out as sent.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { appendHeader } from "../shared/response.js";
import type { CorsConfig } from "./config.js";

/** What a browser needs before a cross-origin request it may not send blind (Fetch standard, CORS preflight). */
export function isPreflight(method: string, origin: string | undefined, requestMethod: string | undefined): boolean {
  return method === "OPTIONS" && origin !== undefined && requestMethod !== undefined;
}

export class UrlCors {
  readonly #anyOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #credentials: boolean;
  readonly #allowMethods: string | undefined;
  readonly #allowHeaders: string | undefined;
  readonly #exposeHeaders: string | undefined;
  readonly #maxAge: string | undefined;

  constructor(config: CorsConfig) {
    const origins = config.allowOrigins ?? [];
    this.#anyOrigin = origins.includes("*");
    this.#origins = new Set(origins);
    this.#credentials = config.allowCredentials === true;
    this.#allowMethods = list(config.allowMethods);
    this.#allowHeaders = list(config.allowHeaders);
    this.#exposeHeaders = list(config.exposeHeaders);
    // MaxAge 0, the default, "means that the browser doesn't cache results": no header, as Lambda sends none.
    this.#maxAge = config.maxAge ? String(config.maxAge) : undefined;
  }

  #allows(origin: string | undefined): origin is string {
    return origin !== undefined && (this.#anyOrigin || this.#origins.has(origin));
  }

  /** The whole header set of Lambda's own answer to a preflight. */
  preflight(origin: string | undefined, requestId: string): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { "content-type": "application/json", "x-amzn-requestid": requestId, vary: "Origin" };
    if (!this.#allows(origin)) return headers;
    headers["access-control-allow-origin"] = origin;
    if (this.#allowHeaders !== undefined) headers["access-control-allow-headers"] = this.#allowHeaders;
    if (this.#allowMethods !== undefined) headers["access-control-allow-methods"] = this.#allowMethods;
    if (this.#credentials) headers["access-control-allow-credentials"] = "true";
    if (this.#maxAge !== undefined) headers["access-control-max-age"] = this.#maxAge;
    return headers;
  }

  /** Adds the configured headers to a response, next to any the function set itself. */
  addTo(headers: OutgoingHttpHeaders, origin: string | undefined): void {
    appendHeader(headers, "vary", "Origin");
    if (!this.#allows(origin)) return;
    appendHeader(headers, "access-control-allow-origin", origin);
    if (this.#credentials) appendHeader(headers, "access-control-allow-credentials", "true");
    if (this.#exposeHeaders !== undefined) appendHeader(headers, "access-control-expose-headers", this.#exposeHeaders);
  }
}

/** Lambda sends a configured list as one comma-separated value; an empty list sends nothing. */
function list(values: string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values.join(",");
}
