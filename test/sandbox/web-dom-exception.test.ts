/**
 * DOMException in the sandbox, and the runtime's own errors that are DOMExceptions in Node
 * (AbortSignal's reasons, an aborted fetch, structuredClone, atob and btoa, Web Crypto): each source
 * runs in the handler and in the host's Node, and the answers must be the same.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** A handler whose body is `body`; `fields(e)` describes an error as the tests compare it. */
const handler = (body: string) => ({
  "index.js": `const fields = (e) => [e instanceof DOMException, e instanceof Error, e.name, e.code, e.message];
exports.handler = async (event) => {${body}};`,
});

const both = async (body: string, event: unknown = {}) => {
  const files = handler(body);
  return answersAsNode(sandbox, files, event);
};

describe("DOMException", () => {
  it("has Node's name, code, message, legacy constants, prototype chain and own properties", async () => {
    const node = await both(`
      const named = ["AbortError", "TimeoutError", "DataCloneError", "NotSupportedError", "SyntaxError", "QuotaExceededError", "Custom"];
      const withCause = new DOMException("m", { name: "DataCloneError", cause: 1 });
      const stack = new DOMException("boom", "AbortError").stack.split("\\n")[0];
      let foreign;
      try { DOMException.prototype.name; } catch (e) { foreign = [e.name, e.code, e.message]; }
      return {
        named: named.map((name) => fields(new DOMException("boom", name))),
        plain: fields(new DOMException()),
        nameless: new DOMException("m", {}).name,
        withCause: [withCause.name, withCause.code, withCause.cause, Object.getOwnPropertyNames(withCause)],
        own: Object.getOwnPropertyNames(new DOMException("x")),
        keys: Object.keys(new DOMException("x")),
        shown: [String(new DOMException("boom", "AbortError")), Object.prototype.toString.call(new DOMException()), stack],
        constants: Object.keys(DOMException).map((k) => [k, DOMException[k], DOMException.prototype[k]]),
        prototype: [Object.getPrototypeOf(DOMException.prototype) === Error.prototype, Object.getPrototypeOf(DOMException) === Function.prototype,
          DOMException.name, DOMException.length, Object.getOwnPropertyNames(DOMException.prototype).sort()],
        foreign,
      };`);
    expect((node as { named: unknown[] }).named[0]).toEqual([true, true, "AbortError", 20, "boom"]);
  });

  it("is AbortSignal's reason, for abort(), a controller, timeout() and any()", async () => {
    await both(`
      const controller = new AbortController();
      controller.abort();
      const timeout = AbortSignal.timeout(1);
      // Its timer is unref'd in Node and here: a timer of the handler's keeps the loop alive meanwhile.
      const keep = setTimeout(() => {}, 5000);
      await new Promise((resolve) => timeout.addEventListener("abort", resolve));
      clearTimeout(keep);
      const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort()]);
      let thrown;
      try { AbortSignal.abort().throwIfAborted(); } catch (e) { thrown = fields(e); }
      const given = new AbortController();
      given.abort("mine");
      return { abort: fields(AbortSignal.abort().reason), controller: fields(controller.signal.reason), timeout: fields(timeout.reason),
        any: fields(any.reason), thrown, given: given.signal.reason, explicit: AbortSignal.abort(42).reason };`);
  });

  describe("an aborted fetch", () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      // Answers after 300 ms: long enough to abort the request while it waits.
      server = createServer((_req, res) => setTimeout(() => res.end("late"), 300));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("rejects with the signal's reason, before it is sent and while it waits", async () => {
      const node = await both(
        `
        const attempt = (signal) => fetch(event.base, { signal }).then(() => "answered", (e) => (e instanceof Error ? fields(e) : e));
        const inFlight = new AbortController();
        const waiting = attempt(inFlight.signal);
        setTimeout(() => inFlight.abort(), 20);
        const reasoned = new AbortController();
        reasoned.abort("why");
        return { before: await attempt(AbortSignal.abort()), reason: await attempt(reasoned.signal), inFlight: await waiting,
          timeout: await attempt(AbortSignal.timeout(20)), request: await fetch(new Request(event.base, { signal: AbortSignal.abort() })).catch((e) => e.name) };`,
        { base },
      );
      expect(node).toMatchObject({ before: [true, true, "AbortError", 20, "This operation was aborted"], reason: "why" });
    });
  });

  it("is what structuredClone, atob, btoa and Web Crypto throw", async () => {
    await both(`
      const failure = async (make) => { try { await make(); return "no error"; } catch (e) { return fields(e); } };
      const long = "*".repeat(100);
      return {
        fn: await failure(() => structuredClone({ a: [1, () => {}] })),
        symbol: await failure(() => structuredClone(new Map([[1, Symbol("s")]]))),
        atob: await failure(() => atob("*")),
        atobLength: await failure(() => atob("abcde")),
        atobLong: await failure(() => atob(long)),
        btoa: await failure(() => btoa("\\u0100")),
        btoaLong: await failure(() => btoa("\\u0100".repeat(100))),
        digest: await failure(() => crypto.subtle.digest("SHA-3", new Uint8Array(1))),
        usages: await failure(() => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, [])),
      };`);
  });
});
