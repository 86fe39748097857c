/**
 * CustomEvent and Web Crypto's classes (Crypto, SubtleCrypto, CryptoKey) as globals: each source runs
 * in the handler and in the host's Node, and the answers must be the same.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const both = async (body: string) => {
  const files = {
    "index.js": `${FAILURE_SOURCE}
exports.handler = async () => {${body}};`,
  };
  return answersAsNode(sandbox, files);
};

describe("CustomEvent", () => {
  it("carries its detail through an EventTarget, as an Event", async () => {
    const node = await both(`
      const target = new EventTarget();
      const seen = [];
      target.addEventListener("order", (e) => seen.push([e.type, e.detail, e.cancelable, e instanceof CustomEvent, e instanceof Event]));
      const event = new CustomEvent("order", { detail: { id: 7 }, cancelable: true });
      target.dispatchEvent(event);
      return { seen, plain: new CustomEvent("x").detail, tag: Object.prototype.toString.call(event), length: CustomEvent.length,
        own: Object.getOwnPropertyNames(CustomEvent.prototype).sort(), parent: Object.getPrototypeOf(CustomEvent) === Event,
        missing: failure(() => new CustomEvent()) };`);
    expect((node as { seen: unknown[] }).seen).toEqual([["order", { id: 7 }, true, true, true]]);
  });
});

describe("Web Crypto's classes", () => {
  it("are the classes of crypto, crypto.subtle and its keys, and cannot be constructed", async () => {
    const node = await both(`
      const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
      const aes = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
      const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
      const { getRandomValues } = crypto;
      return {
        instances: [crypto instanceof Crypto, crypto.subtle instanceof SubtleCrypto, require("node:crypto").webcrypto instanceof Crypto,
          ...[hmac, aes, privateKey, publicKey].map((key) => key instanceof CryptoKey)],
        tags: [crypto, crypto.subtle, hmac].map((v) => Object.prototype.toString.call(v)),
        own: [Object.getOwnPropertyNames(crypto), Object.getOwnPropertyNames(hmac), Object.getOwnPropertyNames(Crypto.prototype).sort(),
          Object.getOwnPropertyNames(CryptoKey.prototype).sort()],
        key: [hmac.type, hmac.extractable, hmac.algorithm, hmac.usages, privateKey.type, publicKey.usages],
        construct: [failure(() => new Crypto()), failure(() => new SubtleCrypto()), failure(() => new CryptoKey())],
        unbound: failure(() => getRandomValues(new Uint8Array(4))),
        nodeUnbound: require("node:crypto").getRandomValues(new Uint8Array(4)).length,
        values: [failure(() => crypto.getRandomValues(new Float64Array(2))), failure(() => crypto.getRandomValues(new DataView(new ArrayBuffer(2)))),
          failure(() => crypto.getRandomValues(new Uint8Array(65537))), crypto.getRandomValues(new Uint32Array(3)).length],
      };`);
    expect((node as { instances: boolean[] }).instances).toEqual([true, true, true, true, true, true, true]);
  });
});
