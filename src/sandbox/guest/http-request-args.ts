// What http.request is given: its `(url | URL | options)[, options][, callback]` as one URL and
// options; and what crosses to the host: the headers as pairs, the body's chunks as one buffer.

import { arrayBufferOf } from "./host-values.js";

export type ResponseCallback = (response: never) => unknown;

/** http.request's options, the ones used here. */
export interface RequestOptions {
  protocol?: string;
  hostname?: string;
  host?: string;
  port?: string | number;
  path?: string;
  auth?: string;
  method?: unknown;
  headers?: Record<string, unknown>;
  agent?: unknown;
  timeout?: number;
  signal?: GuestSignal;
  setHost?: boolean;
}

/** `(url | URL | options)[, options][, callback]` as http.request takes them, as one URL and options. */
export function normalize(defaultProtocol: string, input: unknown, options: unknown, callback: ResponseCallback | undefined) {
  if (typeof options === "function") [options, callback] = [undefined, options as ResponseCallback];
  let merged: RequestOptions;
  if (typeof input === "string" || input instanceof URL) {
    const url = new URL(String(input));
    merged = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: `${url.pathname}${url.search}`,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      ...(options as RequestOptions),
    };
  } else {
    // Read, never kept or changed: one options object (the SDK's case) is used as it is.
    merged = options === undefined ? ((input ?? {}) as RequestOptions) : { ...(input as RequestOptions), ...(options as RequestOptions) };
  }
  const protocol = merged.protocol ?? defaultProtocol;
  // `host` may carry a port ("example.com:8080"), which an IPv6 address's colons are not.
  const hostPort =
    (merged.hostname === undefined || !merged.port) && merged.host?.includes(":") ? /^([^:]*):(\d+)$/.exec(merged.host) : null;
  const hostname = merged.hostname ?? hostPort?.[1] ?? merged.host ?? "localhost";
  const port = merged.port || (hostPort?.[2] ?? "");
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `${protocol}//${host}${port ? `:${port}` : ""}${merged.path ?? "/"}`;
  return { merged, callback, url, hostname, host, port };
}

/** The bytes of a body chunk as written. */
export const bytesOf = (chunk: string | Uint8Array, encoding: string | undefined): Uint8Array =>
  typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;

/** One ArrayBuffer of exactly the body's bytes, for the crossing. */
export const bodyBuffer = (chunks: Uint8Array[]): ArrayBuffer | undefined =>
  chunks.length === 0 ? undefined : arrayBufferOf(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks));

/** OutgoingMessage's headers as set: lowercased name → the name as given and its value (one, or several). */
export type OutHeaders = Record<string, [string, unknown]>;

/**
 * The headers as set, one pair per value, as they are sent. Indexed loops over Object.values (one
 * C call), where for-in and destructuring cost QuickJS an enumerator and an iterator.
 */
export function pairsOf(headers: OutHeaders | null): [string, string][] {
  const pairs: [string, string][] = [];
  const entries = headers === null ? [] : Object.values(headers);
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e] as [string, unknown];
    const name = entry[0];
    const value = entry[1];
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) pairs.push([name, String(value[i])]);
    else pairs.push([name, String(value)]);
  }
  return pairs;
}
