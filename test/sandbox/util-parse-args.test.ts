/** util.parseArgs and util.styleText in the guest answer as the host's Node 20 does. */
import * as util from "node:util";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** The work, run with the guest's node:util and with this process's. */
const WORK = `(util) => {
  const attempt = (fn) => { try { return fn(); } catch (error) { return { name: error.name, code: error.code, message: error.message }; } };
  const options = { verbose: { type: "boolean", short: "v" }, name: { type: "string", short: "n", default: "anon" },
    tag: { type: "string", multiple: true } };
  const names = Object.getOwnPropertyNames(util.inspect.colors);
  return {
    parsed: attempt(() => util.parseArgs({ args: ["-v", "--name=x", "--tag", "a", "--tag", "b", "pos"], options, allowPositionals: true })),
    defaults: attempt(() => util.parseArgs({ args: [], options })),
    tokens: attempt(() => util.parseArgs({ args: ["-vn", "y", "--", "--not-an-option"], options, tokens: true, allowPositionals: true })),
    negative: attempt(() => util.parseArgs({ args: ["--no-color"], options: { color: { type: "boolean" } }, allowNegative: true })),
    unknown: attempt(() => util.parseArgs({ args: ["--bogus"], options })),
    positional: attempt(() => util.parseArgs({ args: ["stray"], options })),
    lenient: attempt(() => util.parseArgs({ args: ["--bogus", "stray"], strict: false })),
    keys: Object.keys(util.inspect.colors),
    styled: names.map((name) => util.styleText(name, "x", { validateStream: false })),
    nested: util.styleText(["bold", "underline", "red"], "warn", { validateStream: false }),
    notATerminal: util.styleText("red", "plain"),
    badStream: attempt(() => util.styleText("red", "x", { stream: {} })),
    badFormat: attempt(() => util.styleText("nope", "x")),
    badText: attempt(() => util.styleText("red", 5)),
  };
}`;

describe("util.parseArgs and util.styleText", () => {
  it("parse arguments, options, tokens and errors, and style text with every colour and alias, as Node", async () => {
    const out = resultOf(
      await invokeOnce(sandbox, { "index.js": `const util = require("node:util");\nexports.handler = async () => (${WORK})(util);` }),
    );
    const expected = JSON.parse(JSON.stringify((new Function(`return ${WORK}`)() as (u: typeof util) => unknown)(util)));
    expect(out).toEqual(expected);
    expect(expected).toMatchObject({
      notATerminal: "plain",
      nested: "\u001b[1m\u001b[4m\u001b[31mwarn\u001b[39m\u001b[24m\u001b[22m",
      parsed: { values: { verbose: true, name: "x", tag: ["a", "b"] }, positionals: ["pos"] },
    });
  });
});
