/**
 * The API port is not a website: with or without SigV4 a browser page must not drive it. A page
 * elsewhere can send a "simple" request cross-site without asking (a form post, a text/plain
 * fetch), and a page on a DNS name rebound to 127.0.0.1 is same-origin to the browser; both are
 * told apart here by the headers browsers always send (Origin, Sec-Fetch-Site, Host).
 */
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import type { Protocol } from "./operations.js";
import { Refusal } from "./refusals.js";

/** The content types a browser may post cross-site without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

function hostAndPort(host: string): { name: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed !== null) return { name: bracketed[1] as string, port: Number(bracketed[2] ?? 80) };
  const colon = host.lastIndexOf(":");
  return colon === -1 ? { name: host, port: 80 } : { name: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
}

/**
 * A Host the server answers as: its port, and a name no one else's DNS can point here (an address,
 * localhost), or the --host it was told to listen on.
 */
export function foreignHost(host: string | undefined, listenHost: string, port: number): Refusal | undefined {
  const given = hostAndPort((host ?? "").toLowerCase());
  const own = given.name === "localhost" || isIP(given.name) !== 0 || given.name === listenHost.toLowerCase().replace(/^\[|\]$/g, "");
  if (own && given.port === port) return undefined;
  return new Refusal(
    "denied",
    `Host '${host ?? ""}' is not an address this server listens as: use http://127.0.0.1:${port} or http://localhost:${port} (a DNS name other than --host is refused, against DNS rebinding)`,
  );
}

/** A header a browser sends cross-site only after a preflight, which this API never grants. */
function needsPreflight(headers: IncomingHttpHeaders): boolean {
  if (headers.authorization !== undefined) return true;
  for (const name in headers) if (name.startsWith("x-")) return true;
  return false;
}

/** The request came from a page of another origin, or is one a page could have sent without asking. */
export function crossSite(headers: IncomingHttpHeaders, protocol: Protocol): Refusal | undefined {
  const site = headers["sec-fetch-site"];
  const origin = headers.origin;
  if ((site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== `http://${headers.host}`)) {
    return new Refusal(
      "denied",
      `Cross-site request refused (Origin ${origin ?? "absent"}, Sec-Fetch-Site ${site ?? "absent"}): the API takes no requests from web pages`,
    );
  }
  // SQS's query protocol is a form post by design; its clients send no Origin.
  if (protocol !== "lambda" || needsPreflight(headers)) return undefined;
  const type = headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type === undefined || !SIMPLE_CONTENT_TYPES.has(type)) return undefined;
  return new Refusal(
    "denied",
    `Content-Type ${type} is refused on the Lambda API (a web page can send it cross-site): send application/json, or sign the request`,
  );
}
