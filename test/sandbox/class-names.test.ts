/**
 * Node's classes keep their names in the sandbox (the built-ins' bundles are minified with their
 * names kept): `constructor.name`, util.inspect's prefix and "an instance of X" in Node's errors.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** The body of a function of `require`: the constructor names of objects of Node's classes. */
const NAMES = `
  const crypto = require("node:crypto");
  const stream = require("node:stream");
  const zlib = require("node:zlib");
  const http = require("node:http");
  const { EventEmitter } = require("node:events");
  const key = Buffer.alloc(16);
  const objects = [
    new TextEncoder(), new TextDecoder(), new URL("http://x"), new URLSearchParams(), Buffer.alloc(1),
    new EventEmitter(), new stream.Readable(), new stream.Writable(), new stream.Transform(), new stream.PassThrough(),
    crypto.createHash("sha256"), crypto.createHmac("sha256", "k"), crypto.createCipheriv("aes-128-cbc", key, key),
    crypto.createDecipheriv("aes-128-cbc", key, key), crypto.createSign("sha256"), crypto.createVerify("sha256"),
    crypto.createECDH("prime256v1"), crypto.createSecretKey(key), new AbortController(), new Headers(), new Request("http://x"), new Response(""),
    new Blob([]), zlib.createGzip(), new http.Agent(), new Event("x"), new EventTarget(), new ReadableStream(),
    new TextDecoderStream(),
  ];
  return objects.map((object) => object.constructor.name);
`;

describe("class names", () => {
  it("are Node's for the objects of Node's built-in classes", async () => {
    const expected = new Function("require", NAMES)(createRequire(import.meta.url)) as string[];
    expect(expected).toContain("Cipheriv");
    const out = resultOf(await invokeOnce(sandbox, { "index.js": `exports.handler = async () => { ${NAMES} };` }));
    expect(out).toEqual(expected);
  });
});
