/**
 * The API port is not a website: with or without SigV4 a browser page must not drive it. A page
 * elsewhere can send a "simple" request cross-site without asking (a form post, a text/plain
 * fetch), and a page on a DNS name rebound to 127.0.0.1 is same-origin to the browser; both are
 * told apart here by the headers browsers always send (Origin, Sec-Fetch-Site, Host). Browsers send
 * Origin with every cross-origin request but GET and HEAD (the Fetch standard), so a content type
 * proves nothing more, and `curl -d` or a plain fetch from a script keeps working.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { Refusal } from "./refusals.js";

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

/** The request came from a page of another origin. */
export function crossSite(headers: IncomingHttpHeaders): Refusal | undefined {
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
  return undefined;
}
