/** The host half of the guest's fetch: Node's fetch, bounded by the invocation's remaining time. */

export type FetchSettled = [
  failure: string | undefined,
  status?: number,
  statusText?: string,
  url?: string,
  headersJson?: string,
  body?: ArrayBuffer,
];

export async function performFetch(
  url: string,
  method: string,
  headersJson: string,
  body: Uint8Array | undefined,
  deadline: number,
  maxBytes: number,
  /** `manual` for node:http, which hands redirects to the caller as Node does. */
  redirect: "follow" | "manual" = "follow",
): Promise<FetchSettled> {
  try {
    const headers = JSON.parse(headersJson) as [string, string][];
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect,
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
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
