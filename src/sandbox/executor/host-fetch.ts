/**
 * The host half of the guest's fetch and node:http: undici, bounded by the invocation's remaining
 * time, through the egress policy's Agents (src/sandbox/shared/egress.ts), its bodies held within
 * the function's memory as they go out and come in (host-requests.ts).
 */
import { fetch } from "undici";
import { CALLER_HEADER, type EgressSettings, egressPolicy } from "../shared/egress.js";
import type { FetchMode, FetchSettled } from "../shared/guest-protocol.js";
import type { Hold } from "./host-requests.js";

export type { FetchMode, FetchSettled };

export async function performFetch(
  url: string,
  method: string,
  headersJson: string,
  body: Uint8Array | undefined,
  deadline: number,
  hold: Hold,
  ended: AbortSignal,
  redirect: FetchMode = "follow",
  egress?: EgressSettings,
): Promise<FetchSettled> {
  try {
    if (body !== undefined && !hold.take(body.byteLength)) return [pastMemory("request", body.byteLength, hold)];
    const policy = egressPolicy(egress);
    // The stamp is the host's to set: whatever the guest put there is dropped.
    const headers = (JSON.parse(headersJson) as [string, string][]).filter(([name]) => name.toLowerCase() !== CALLER_HEADER);
    const target = new URL(url);
    const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
    const api = egress?.api;
    const toApi = api !== undefined && port === api.port;
    if (toApi) headers.push([CALLER_HEADER, api.caller]);
    const dispatcher = toApi ? policy.stamped : policy.plain;
    const signal = AbortSignal.any([AbortSignal.timeout(Math.max(1, deadline - Date.now())), ended]);
    if (redirect === "raw") {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method,
        headers: headers.flat(),
        body,
        signal,
      });
      // Leaving the loop early destroys the body, which ends the request.
      const bytes = await held(answer.body, hold);
      if (typeof bytes === "string") return [bytes];
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
    const bytes = response.body === null ? new ArrayBuffer(0) : await held(response.body, hold);
    if (typeof bytes === "string") return [bytes];
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

function pastMemory(what: string, bytes: number, hold: Hold): string {
  return `${what} body past ${bytes} bytes: with what the function holds (${hold.used()} bytes, ${hold.held()} of them its requests'), more than its memory (${hold.limit()} bytes)`;
}

/**
 * An answer's body as it arrives, each chunk taken from the function's memory first: an answer
 * past it is refused at the chunk that passes, not read whole and then measured. A string is the
 * refusal's message.
 */
async function held(body: AsyncIterable<Uint8Array>, hold: Hold): Promise<ArrayBuffer | string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (!hold.take(chunk.byteLength)) return pastMemory("response", size + chunk.byteLength, hold);
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out.buffer;
}
