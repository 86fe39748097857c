import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

/** Every class of character the serializer escapes or encodes differently. */
const TRICKY = [
  "",
  "plain ascii",
  'quote " and backslash \\ and slash /',
  "\b\t\n\f\r",
  Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join(""),
  "DEL \x7f, latin-1 é ÿ, U+2028 \u2028 U+2029 \u2029",
  "CJK 漢字, emoji 😀👍🏽, astral 𝄞",
  "lone high \ud800 then text",
  "lone low \udc00 at start and a high at the end \udbff",
  "reversed pair \udc00\ud800",
  "x".repeat(70_000),
  "é😀".repeat(20_000),
  // Past 4 KB the host quotes it: every class above in one long string.
  'quote " backslash \\ \b\t\n\f\r \x00\x1f DEL \x7f \u2028 lone \ud800 then \udc00 é😀 '.repeat(200),
];

describe("the preinstalled AWS SDK's fast paths", () => {
  it("the patched JSON string writer gives the very bytes of the SDK's own, for every kind of character", async () => {
    // The function bundles its own @smithy/core (never patched) beside the runtime's (patched): the same input through both.
    await deployPackaged(api, "sdk-json-strings", {
      packages: ["@smithy/core"],
      files: {
        "index.js": `
          const bundled = require("@smithy/core/protocols");
          const runtime = require("/var/runtime/node_modules/@smithy/core/dist-cjs/submodules/protocols/index.js");
          const DOCUMENT = 15;
          const bytes = (protocols, value) => {
            const serializer = new protocols.JsonCodec2({ timestampFormat: { useTrait: true, default: 7 }, jsonName: true }).createSerializer();
            serializer.write(DOCUMENT, value);
            return Buffer.from(serializer.flush()).toString("hex");
          };
          exports.handler = async (event) => event.strings.map((s) => {
            const value = { [s]: s, list: [s, "after"] };
            const ours = bytes(runtime, value);
            const theirs = bytes(bundled, value);
            return { same: ours === theirs, patched: runtime.JsonShapeSerializer2.prototype.writeJsonString !== bundled.JsonShapeSerializer2.prototype.writeJsonString, length: ours.length };
          });`,
      },
    });
    const out = (await invokeOk(api, "sdk-json-strings", { strings: TRICKY })) as { same: boolean; patched: boolean; length: number }[];
    expect(out).toHaveLength(TRICKY.length);
    for (const [index, result] of out.entries()) {
      expect({ index, ...result }).toMatchObject({ index, same: true, patched: true });
      expect(result.length).toBeGreaterThan(TRICKY[index]?.length ?? 0);
    }
  });
});
