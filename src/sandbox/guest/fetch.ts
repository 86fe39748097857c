// fetch is carried out by the host (bounded by the invocation's remaining time); this file holds
// the fetch function and hands out the WHATWG shapes around it (web-headers.js, web-body.js).
// Loaded on first use of any of them.

import type { Bytes, GuestEntries, HostCapabilities } from "../shared/guest-protocol.js";
import { NULL_BODY_STATUSES, RAW_HEADERS, Request, type RequestInit, Response } from "./web-body.js";
import { Headers } from "./web-headers.js";

export { RAW_HEADERS };

/** node:http's answer: the status, the headers as received (names and values in turn, as rawHeaders), the body's bytes. */
export interface RawAnswer {
  status: number;
  rawHeaders: string[];
  body: Bytes;
}

/** What fetch reads of a request's signal. */
interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener?(type: "abort", listener: () => void, options: { once: boolean }): void;
}

interface Pending {
  resolve(value: Response | RawAnswer): void;
  reject(error: unknown): void;
  url?: string;
  raw?: boolean;
}

export interface FetchApi {
  fetch(input: unknown, init?: RequestInit): Promise<Response>;
  exchange(
    url: string,
    method: string,
    headerPairs: [string, string][],
    bytes: Bytes | undefined,
    done: (error: unknown, answer?: RawAnswer) => void,
  ): void;
  Headers: typeof Headers;
  Request: typeof Request;
  Response: typeof Response;
  settled: GuestEntries["fetchSettled"];
}

export function createFetch(host: HostCapabilities): FetchApi {
  const pending = new Map<number, Pending>();
  let nextId = 1;

  const fetch = (input: unknown, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      // fetch's own steps: the same URL parsing, method and body rules (and implied content type) as a Request.
      const request = new Request(input, init);
      // As undici: an aborted signal rejects with its reason. The host's request is not cancelled: it
      // runs to its end, bounded by the invocation's time, and its answer is dropped.
      const signal = request.signal as AbortSignalLike | undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const bytes = request.peekBytes();
      const id = nextId++;
      pending.set(id, { resolve: resolve as Pending["resolve"], reject, url: request.url });
      signal?.addEventListener?.(
        "abort",
        () => {
          if (pending.delete(id)) reject(signal.reason);
        },
        { once: true },
      );
      const redirect = request.redirect === "manual" ? "manual" : "follow";
      host.fetch(
        id,
        request.url,
        request.method,
        JSON.stringify([...request.headers]),
        bytes === null ? undefined : (bytes.slice().buffer as Bytes),
        redirect,
      );
    });

  /**
   * node:http's exchange: the request as written, the answer as it came (status, raw headers,
   * body bytes), without fetch's Request and Response around them. `done` is called from the
   * host's answer itself, not a promise job later: node:http emits its events from the socket's.
   */
  const exchange: FetchApi["exchange"] = (url, method, headerPairs, bytes, done) => {
    const id = nextId++;
    pending.set(id, { resolve: (answer) => done(undefined, answer as RawAnswer), reject: done, raw: true });
    host.fetch(id, url, method, JSON.stringify(headerPairs), bytes, "raw");
  };

  const settled: GuestEntries["fetchSettled"] = (id, failure, status, statusText, url, headersJson, body) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (failure !== undefined) entry.reject(new TypeError(`fetch failed: ${failure}`));
    else if (entry.raw) entry.resolve({ status, rawHeaders: JSON.parse(headersJson as string), body } as RawAnswer);
    else {
      const pairs = JSON.parse(headersJson as string) as [string, string][];
      // A 204 or 304 arrives with an empty body, which a Response of that status must not be given.
      const content = NULL_BODY_STATUSES.has(status as number) ? null : body;
      const response = new Response(content, { status, statusText, url, headers: pairs, [RAW_HEADERS]: pairs });
      // The host answers with the final URL: one other than the request's (fragments are never sent) means a redirect was followed.
      response.redirected = url !== (entry.url as string).split("#")[0];
      entry.resolve(response);
    }
  };
  return { fetch, exchange, Headers, Request, Response, settled };
}
