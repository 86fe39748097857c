import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { useOrigin } from "../loopback.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();
/** Bodies of every size a response collector meets: none, a small JSON answer, 200 KB of bytes. */
const origin = useOrigin((req, res) => {
  const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("size"));
  const body = Buffer.alloc(size, "é😀x");
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
});

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

  it("the other preinstalled JSON clients write their requests' strings with the patched writer", async () => {
    // The clients' requests are serialized and signed, then kept instead of sent; every string goes through
    // the runtime's one @smithy/core, the copy the patch replaced (not the function's bundled one).
    await deployPackaged(api, "sdk-json-clients", {
      packages: ["@smithy/core"],
      files: {
        "index.js": `
          const bundled = require("@smithy/core/protocols").JsonShapeSerializer2.prototype;
          const runtime = require("/var/runtime/node_modules/@smithy/core/dist-cjs/submodules/protocols/index.js").JsonShapeSerializer2.prototype;
          const patched = runtime.writeJsonString;
          let written = [];
          runtime.writeJsonString = function (s) { written.push(s); return patched.call(this, s); };
          const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
          const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
          const { SSMClient, PutParameterCommand } = require("@aws-sdk/client-ssm");
          const { SecretsManagerClient, PutSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
          const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");
          async function sent(Client, command, wrap = (c) => c) {
            let body;
            const client = new Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1,
              requestHandler: { handle: async (request) => { body = request.body; throw new Error("kept"); } } });
            written = [];
            try { await wrap(client).send(command); } catch (e) { if (e.message !== "kept") throw e; }
            return { body: JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body)), written };
          }
          exports.handler = async ({ value }) => ({
            patched: patched !== bundled.writeJsonString,
            dynamodb: await sent(DynamoDBClient, new PutCommand({ TableName: "t", Item: { pk: "k", value } }), (c) => DynamoDBDocumentClient.from(c)),
            ssm: await sent(SSMClient, new PutParameterCommand({ Name: "/p", Value: value, Type: "String", Overwrite: true })),
            secrets: await sent(SecretsManagerClient, new PutSecretValueCommand({ SecretId: "s", SecretString: value, ClientRequestToken: "00000000-0000-4000-8000-000000000000" })),
            events: await sent(EventBridgeClient, new PutEventsCommand({ Entries: [{ Source: "app", DetailType: "d", Detail: JSON.stringify({ value }) }] })),
          });`,
      },
    });
    // Long enough for the host's quoting, with the characters the serializer escapes.
    const value = 'quote " backslash \\ \n \u2028 lone \ud800 é😀 '.repeat(200);
    const out = (await invokeOk(api, "sdk-json-clients", { value })) as Record<string, { body: unknown; written: string[] }> & {
      patched: boolean;
    };
    expect(out.patched).toBe(true);
    expect(out.dynamodb?.body).toEqual({ TableName: "t", Item: { pk: { S: "k" }, value: { S: value } } });
    expect(out.ssm?.body).toEqual({ Name: "/p", Value: value, Type: "String", Overwrite: true });
    expect(out.secrets?.body).toEqual({ SecretId: "s", SecretString: value, ClientRequestToken: "00000000-0000-4000-8000-000000000000" });
    expect(out.events?.body).toEqual({ Entries: [{ Source: "app", DetailType: "d", Detail: JSON.stringify({ value }) }] });
    for (const client of ["dynamodb", "ssm", "secrets", "events"])
      expect(out[client]?.written, client).toContain(client === "events" ? JSON.stringify({ value }) : value);
  });

  it("the patched streamCollector takes a node:http response's whole body at once: the SDK's own bytes, and the response ends and closes as the SDK's pipe leaves it", async () => {
    await deployPackaged(api, "sdk-stream-collector", {
      packages: ["@smithy/core"],
      files: {
        "index.js": `
          const http = require("node:http");
          const bundled = require("@smithy/core/serde").streamCollector;
          const runtime = require("/var/runtime/node_modules/@smithy/core/dist-cjs/submodules/serde/index.js").streamCollector;
          const get = (url) => new Promise((resolve, reject) => http.get(url, resolve).on("error", reject));
          async function collected(collect, url, reading) {
            const log = [];
            const res = await get(url);
            for (const event of ["end", "close"]) res.on(event, () => log.push("response " + event));
            res.req.on("close", () => log.push("request close"));
            // A response some code reads already is not whole any more: the SDK's own collector takes it.
            if (reading) res.on("data", () => {});
            const bytes = await collect(res);
            await new Promise((resolve) => setImmediate(resolve));
            return { type: bytes.constructor.name, length: bytes.length, text: Buffer.from(bytes).toString("latin1"), log,
              state: [res.readableEnded, res.destroyed, res.complete, res.req.destroyed, res.req.closed], flowing: res.readableFlowing };
          }
          exports.handler = async ({ url }) => {
            const out = [];
            for (const size of [0, 35, 200000]) for (const reading of [false, true])
              out.push({ size, reading, runtime: await collected(runtime, url + "/?size=" + size, reading), bundled: await collected(bundled, url + "/?size=" + size, reading) });
            return out;
          };`,
      },
    });
    const out = (await invokeOk(api, "sdk-stream-collector", { url: origin.url })) as {
      size: number;
      reading: boolean;
      runtime: { flowing: boolean | null };
      bundled: { flowing: boolean | null };
    }[];
    expect(out).toHaveLength(6);
    for (const { size, reading, runtime, bundled } of out) {
      const { flowing: runtimeFlowing, ...runtimeRest } = runtime;
      const { flowing: bundledFlowing, ...bundledRest } = bundled;
      expect({ size, reading, ...runtimeRest }).toEqual({ size, reading, ...bundledRest });
      // The SDK's pipe leaves a response paused (flowing false); taken whole, it never flowed (null).
      expect({ size, reading, runtimeFlowing }).toEqual({ size, reading, runtimeFlowing: reading ? bundledFlowing : null });
    }
    expect(out.map(({ runtime }) => (runtime as unknown as { length: number }).length)).toEqual([0, 0, 35, 35, 200000, 200000]);
  });
});
