/**
 * The host half of the guest's fetch and node:http: undici, bounded by the invocation's remaining
 * time, through the egress policy's Agents (src/sandbox/shared/egress.ts).
 */
import { fetch } from "undici";
import { CALLER_HEADER, type EgressSettings, egressPolicy } from "../shared/egress.js";
import type { FetchMode, FetchSettled } from "../shared/guest-protocol.js";

export type { FetchMode, FetchSettled };

export async function performFetch(
  url: string,
  method: string,
  headersJson: string,
  body: Uint8Array | undefined,
  deadline: number,
  maxBytes: number,
  redirect: FetchMode = "follow",
  egress?: EgressSettings,
): Promise<FetchSettled> {
  try {
    const policy = egressPolicy(egress);
    // The stamp is the host's to set: whatever the guest put there is dropped.
    const headers = (JSON.parse(headersJson) as [string, string][]).filter(([name]) => name.toLowerCase() !== CALLER_HEADER);
    const target = new URL(url);
    const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
    const api = egress?.api;
    const toApi = api !== undefined && port === api.port;
    if (toApi) headers.push([CALLER_HEADER, api.caller]);
    const dispatcher = toApi ? policy.stamped : policy.plain;
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    if (redirect === "raw") {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method,
        headers: headers.flat(),
        body,
        signal,
      });
      const bytes = await answer.body.arrayBuffer();
      if (bytes.byteLength > maxBytes) return [`response body of ${bytes.byteLength} bytes exceeds the function's memory`];
      // Flat, as node:http's rawHeaders are: the guest takes the array as it is.
      const raw: string[] = [];
      for (const [name, value] of Object.entries(answer.headers)) {
        for (const one of Array.isArray(value) ? value : [value ?? ""]) raw.push(name, one);
      }
      return [undefined, answer.statusCode, "", url, JSON.stringify(raw), bytes];
    }
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect,
      dispatcher,
      signal,
    });
    const bytes = await response.arrayBuffer();
    // The body has to fit in the function's memory anyway; refuse it before copying it in.
    if (bytes.byteLength > maxBytes) return [`response body of ${bytes.byteLength} bytes exceeds the function's memory`];
    return [undefined, response.status, response.statusText, response.url, JSON.stringify([...response.headers]), bytes];
  } catch (error) {
    // Node's fetch says only "fetch failed"; the cause names what happened (ECONNREFUSED, ...).
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    const code = (reason as NodeJS.ErrnoException | undefined)?.code;
    const cause =
      reason === undefined ? "" : `: ${reason.message}${code !== undefined && !reason.message.includes(code) ? ` (${code})` : ""}`;
    return [`${error instanceof Error ? error.message : String(error)}${cause}`];
  }
}
