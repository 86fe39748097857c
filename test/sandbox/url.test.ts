/**
 * URL and URLSearchParams inside the sandbox against the host's Node (WHATWG URL, ada): the same
 * function source runs in both, over inputs that exercise every parser state and every setter.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** Runs `source` (a function of the event) in the sandbox and in this process; both answers are returned. */
async function both(source: string, event: unknown): Promise<{ guest: unknown; node: unknown }> {
  const guest = resultOf(await invokeOnce(sandbox, { "index.js": `exports.handler = async (event) => (${source})(event);` }, event));
  const node = JSON.parse(JSON.stringify(await (new Function(`return (${source})`)() as (e: unknown) => unknown)(event)));
  return { guest, node };
}

const PARTS = `["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]`;

const INPUTS: [string, string?][] = [
  ["http://127.0.0.1:9000/2015-03-31/functions/hello/invocations?Qualifier=live"],
  ["https://user:p%40ss@sqs.us-east-1.amazonaws.com:443/000000000000/queue#frag"],
  ["HTTP://EXAMPLE.com:80/a/./b/../c?x=1&y=%zz"],
  ["../up/one?q", "http://h/a/b/c"],
  ["//other.host/p", "https://h/"],
  ["?only=query", "http://h/path/file"],
  ["#only-hash", "http://h/path?q"],
  ["http://[::1]:8080/ipv6"],
  ["http://0x7f.1/hex-ipv4"],
  ["http://bücher.example/ünïcode path/?q=ü#ä"],
  ["file:///var/task/index.js"],
  ["data:text/plain,hello world"],
  ["mailto:someone@example.com"],
  ["custom-scheme://host/path with space"],
  ["http://h/a\tb\nc"],
  ["  http://h/trim  "],
  ["http://h/nul\u0000byte"],
  ["http://h/lone\ud800surrogate"],
  ["not a url"],
  ["http://"],
  ["http://h:99999/"],
  ["relative/path"],
  ["", "http://h/base"],
];

describe("URL against Node's", () => {
  it("parses every input (and base) to the same parts, or fails alike with ERR_INVALID_URL", async () => {
    const { guest, node } = await both(
      `(inputs) => inputs.map(([input, base]) => {
        try { const url = new URL(input, base); return ${PARTS}.map((part) => url[part]); }
        catch (error) { return [error.name, error.code, error.message, error.input, URL.canParse(input, base)]; }
      })`,
      INPUTS,
    );
    expect(guest).toEqual(node);
    expect((guest as unknown[]).length).toBe(INPUTS.length);
  });

  it("applies every setter as Node does, ignoring what a setter cannot apply", async () => {
    const { guest, node } = await both(
      `() => {
        const url = new URL("https://user:pw@example.com:8443/a/b?x=1#h");
        const seen = [];
        const steps = [["protocol", "http"], ["protocol", "mailto"], ["username", "me@you"], ["password", "p:w"], ["host", "other.org:81"],
          ["hostname", "x.y"], ["port", "99999"], ["port", "8080"], ["port", ""], ["pathname", "/new path/ü"], ["search", "?a=b c&d"],
          ["search", ""], ["hash", "#frag ment"], ["hash", ""], ["href", "http://h/reset?z=1"]];
        for (const [part, value] of steps) { url[part] = value; seen.push(${PARTS}.map((p) => url[p])); }
        let bad; try { url.href = "no scheme"; } catch (e) { bad = [e.code, url.href]; }
        return { seen, bad, json: JSON.stringify({ url }), string: String(url), tag: Object.prototype.toString.call(url),
          parsed: URL.parse("x:/y") && URL.parse("x:/y").href, notParsed: URL.parse("nope") };
      }`,
      {},
    );
    expect(guest).toEqual(node);
  });
});

describe("URLSearchParams against Node's", () => {
  it("parses, edits, sorts, iterates and serializes as Node does", async () => {
    const { guest, node } = await both(
      `() => {
        const p = new URLSearchParams("?a=1&b=x+y&a=2&c=%F0%9F%98%80&d=%zz&&e&=empty&f=a=b");
        const out = { parsed: [...p], size: p.size, get: [p.get("a"), p.get("zz"), p.getAll("a")], has: [p.has("a"), p.has("a", "2"), p.has("a", "3")] };
        p.append("sp ace", "!'()~*-._ é");
        p.set("a", "one");
        p.delete("b");
        p.delete("e", "nope");
        p.sort();
        out.edited = p.toString();
        out.keys = [...p.keys()];
        out.values = [...p.values()];
        const each = []; p.forEach((v, k) => each.push(k + "=" + v)); out.each = each;
        out.fromPairs = new URLSearchParams([["x", 1], ["y", "z"]]).toString();
        out.fromRecord = new URLSearchParams({ r: "1", s: "a&b" }).toString();
        out.copied = new URLSearchParams(p).toString() === p.toString();
        try { new URLSearchParams([["only-one"]]); } catch (e) { out.badTuple = [e.name, e.code]; }
        out.lone = new URLSearchParams([["k", "\\ud800"]]).toString();
        return out;
      }`,
      {},
    );
    expect(guest).toEqual(node);
  });

  it("stays linked to its URL both ways", async () => {
    const { guest, node } = await both(
      `() => {
        const url = new URL("http://h/p?x=1&y=2");
        const params = url.searchParams;
        params.append("z", "a b");
        const afterAppend = url.href;
        url.search = "?w=9";
        const afterSearch = [...params];
        params.delete("w");
        const emptied = url.href;
        url.href = "http://other/?q=1";
        return { same: url.searchParams === params, afterAppend, afterSearch, emptied, relinked: [...params] };
      }`,
      {},
    );
    expect(guest).toEqual(node);
  });
});
