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
): Promise<FetchSettled> {
  try {
    const headers = JSON.parse(headersJson) as [string, string][];
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect: "follow",
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
    });
    const bytes = await response.arrayBuffer();
    // The body has to fit in the function's memory anyway; refuse it before copying it in.
    if (bytes.byteLength > maxBytes) return [`response body of ${bytes.byteLength} bytes exceeds the function's memory`];
    return [undefined, response.status, response.statusText, response.url, JSON.stringify([...response.headers]), bytes];
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return [`${error instanceof Error ? error.message : String(error)}${cause}`];
  }
}
