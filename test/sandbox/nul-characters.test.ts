/**
 * NUL characters, which quickjs-emscripten's C strings end at: in a module's source (legal in string,
 * template and regular expression literals) and in what a function logs (a binary body logged as
 * text). Node takes both as they are; so must the sandbox, losing neither the rest of the source,
 * the lines after it, nor the function's answer.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

// Raw NULs (not escapes) in a string, a template and a regular expression literal, and a comment.
const LITERALS = "const s = 'a\0b'; const t = `c\0${1}`; const r = /x\0y/; // d\0e";
const ANSWER = "({ s: [s.length, s.charCodeAt(1)], t: [t.length, t.charCodeAt(1)], r: r.test('x\\0y'), after: 'rest of the file' })";

describe("NUL characters", () => {
  it("in a CommonJS source's literals mean what they mean in Node, and the rest of the file is read", async () => {
    await answersAsNode(sandbox, { "index.js": `${LITERALS}\nexports.handler = async () => ${ANSWER};` });
  });

  it("in an ES module's literals too", async () => {
    const result = await invokeOnce(sandbox, { "index.mjs": `${LITERALS}\nexport const handler = async () => ${ANSWER};` });
    expect(resultOf(result)).toEqual({ s: [3, 0], t: [3, 0], r: true, after: "rest of the file" });
  });

  it("in what a function logs reach its log whole, with the lines after them and its answer", async () => {
    const source = `exports.handler = async () => {
      console.log('before\\u0000after');
      console.error(Buffer.from([104, 0, 105]).toString());
      console.log('next line');
      process.stdout.write('raw\\u0000write\\n');
      return { body: 'a\\u0000b' };
    };`;
    const result = await invokeOnce(sandbox, { "index.js": source });
    expect(resultOf(result)).toEqual({ body: "a\0b" });
    expect(messagesAt(result.logs, "INFO")).toEqual(["before\0after", "next line"]);
    expect(messagesAt(result.logs, "ERROR")).toEqual(["h\0i"]);
    expect(result.logs).toContain("\nraw\0write\n");
  });
});
