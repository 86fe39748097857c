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

/** The name in a Host header, without its port or an IPv6 address's brackets. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed !== null) return bracketed[1] as string;
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Whether a Host is one the server answers as: a name no one else's DNS can point here (an
 * address, localhost), or the --host it was told to listen on. The port does not matter to
 * rebinding, and a forwarded port keeps working.
 */
export function hostCheck(listenHost: string): (host: string | undefined) => Refusal | undefined {
  const listening = listenHost.toLowerCase().replace(/^\[|\]$/g, "");
  // Clients keep to one Host: the last good one answers at the cost of a comparison.
  let lastGood: string | undefined;
  return (host) => {
    if (host === lastGood) return undefined;
    const name = hostName((host ?? "").toLowerCase());
    if (name === "localhost" || isIP(name) !== 0 || name === listening) {
      lastGood = host;
      return undefined;
    }
    return new Refusal(
      "denied",
      `Host '${host ?? ""}' is not a name this server answers as: use 127.0.0.1 or localhost (a DNS name other than --host is refused, against DNS rebinding)`,
    );
  };
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
  if (
    (site !== undefined && site !== "same-origin" && site !== "none") ||
    (origin !== undefined && origin !== `http://${headers.host?.toLowerCase()}`)
  ) {
    return new Refusal(
      "denied",
      `Cross-site request refused (Origin ${origin ?? "absent"}, Sec-Fetch-Site ${site ?? "absent"}): the API takes no requests from web pages`,
    );
  }
  const contentType = headers["content-type"];
  const semicolon = contentType?.indexOf(";") ?? -1;
  const type = (semicolon === -1 ? contentType : contentType?.slice(0, semicolon))?.trim().toLowerCase();
  // SQS's query protocol is a form post by design; its clients send no Origin.
  if (type === undefined || !SIMPLE_CONTENT_TYPES.has(type) || protocol !== "lambda" || needsPreflight(headers)) return undefined;
  return new Refusal(
    "denied",
    `Content-Type ${type} is refused on the Lambda API (a web page can send it cross-site): send application/json, or sign the request`,
  );
}
