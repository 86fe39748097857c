/**
 * The WHATWG URL parser for the guest's URL class: the host's Node (ada) parses and applies a
 * setter in one crossing each. A URL polyfill in QuickJS (whatwg-url with punycode and
 * webidl-conversions) took 55–150 ms to evaluate before the first `new URL()` of an environment,
 * which every AWS SDK client makes; a crossing is a few µs.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostImplementation } from "../guest-host.js";
import { dataOf, guarded } from "./guest-values.js";

/** The parts the guest reads, in this order, joined by "\n" (which a serialized URL never holds). */
const PARTS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"] as const;
const SETTABLE = new Set(["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]);

const partsOf = (url: URL): string => PARTS.map((part) => url[part]).join("\n");

/** A string the guest sent as itself, or as its UTF-8 bytes when a C string could not carry it (a NUL). */
function textOf(ctx: QuickJSContext, handle: QuickJSHandle | undefined): string | undefined {
  const data = dataOf(ctx, handle);
  return typeof data === "string" || data === undefined ? data : data.toString("utf8");
}

export function urlFunctions(ctx: QuickJSContext) {
  return {
    /** (input, base?) → the parts, or undefined where Node's `new URL` would throw. */
    urlParse: (input, base) =>
      guarded(ctx, () => {
        const url = URL.parse(textOf(ctx, input) ?? "", textOf(ctx, base));
        return url === null ? undefined : ctx.newString(partsOf(url));
      }),
    /** (href, part, value) → the parts after Node's setter for `part` (which ignores what it cannot apply). */
    urlSet: (href, part, value) =>
      guarded(ctx, () => {
        const url = new URL(ctx.getString(href));
        const name = ctx.getString(part);
        if (!SETTABLE.has(name)) throw new TypeError(`URL has no settable part ${name}`);
        (url as unknown as Record<string, string>)[name] = textOf(ctx, value) ?? "";
        return ctx.newString(partsOf(url));
      }),
  } satisfies Partial<HostImplementation>;
}
