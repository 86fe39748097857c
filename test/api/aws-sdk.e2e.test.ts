import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const sqs = useSqs(api);
const decoder = new TextDecoder();

async function invoke(name: string, event: object = {}): Promise<unknown> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const payload = JSON.parse(decoder.decode(out.Payload));
  if (out.FunctionError) throw new Error(JSON.stringify(payload));
  return payload;
}

describe("the AWS SDK v3 that Lambda's Node.js runtimes preinstall", () => {
  it("loads @aws-sdk/client-sqs without bundling it and sends to isolambda's own queue with no endpoint in the code", async () => {
    const url = await sqs.createQueue("from-handlers");
    await api.create(
      "sender",
      `const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");
       const client = new SQSClient({});
       exports.handler = async (event) => {
         const out = await client.send(new SendMessageCommand({ QueueUrl: event.url, MessageBody: "sent from a handler" }));
         return { messageId: out.MessageId, status: out.$metadata.httpStatusCode };
       };`,
    );
    const result = (await invoke("sender", { url })) as { messageId: string; status: number };
    expect(result.status).toBe(200);
    const out = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }));
    expect(out.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[result.messageId, "sent from a handler"]]);
  });

  it("imports @aws-sdk/client-lambda from an ES module and invokes another function through isolambda", async () => {
    await api.create("callee-sdk", "exports.handler = async (e) => ({ doubled: e.n * 2 });");
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "caller-sdk",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: {
          ZipFile: zipOf({
            "index.mjs": `import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
              const lambda = new LambdaClient({});
              export const handler = async () => {
                const out = await lambda.send(new InvokeCommand({ FunctionName: "callee-sdk", Payload: JSON.stringify({ n: 21 }) }));
                return { status: out.StatusCode, payload: JSON.parse(new TextDecoder().decode(out.Payload)) };
              };`,
          }),
        },
      }),
    );
    expect(await invoke("caller-sdk")).toEqual({ status: 200, payload: { doubled: 42 } });
  });

  it("prefers a copy bundled in the package, as Lambda does", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "bundled-sdk",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: {
          ZipFile: zipOf({
            "index.js": `exports.handler = async () => require("@aws-sdk/client-sqs").whoAmI;`,
            "node_modules/@aws-sdk/client-sqs/package.json": JSON.stringify({ name: "@aws-sdk/client-sqs", main: "index.js" }),
            "node_modules/@aws-sdk/client-sqs/index.js": `exports.whoAmI = "the bundled copy";`,
          }),
        },
      }),
    );
    expect(await invoke("bundled-sdk")).toBe("the bundled copy");
  });

  it("exposes nothing else of the host's node_modules", async () => {
    await api.create(
      "snooper",
      `exports.handler = async () => {
        const tryRequire = (name) => { try { require(name); return "loaded"; } catch (e) { return e.code; } };
        return { hono: tryRequire("hono"), sqlite: tryRequire("better-sqlite3"), escape: tryRequire("/var/runtime/node_modules/@aws-sdk/client-sqs/../../hono/package.json") };
      };`,
    );
    expect(await invoke("snooper")).toEqual({ hono: "MODULE_NOT_FOUND", sqlite: "MODULE_NOT_FOUND", escape: "MODULE_NOT_FOUND" });
  });
});
