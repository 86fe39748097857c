import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();
let sqs: SQSClient | undefined;
afterAll(() => sqs?.destroy());

describe("the AWS SDK v3 inside the sandbox", () => {
  it("a bundled @aws-sdk/client-sqs reaches isolambda's own SQS through AWS_ENDPOINT_URL, with no endpoint in the code", async () => {
    sqs = new SQSClient({ endpoint: api.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "compat-from-handler" }));
    await deployPackaged(api, "compat-sqs", {
      packages: ["@aws-sdk/client-sqs"],
      files: {
        "index.mjs": `
          import { SQSClient, GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
          const sqs = new SQSClient({});
          export const handler = async (event) => {
            const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: event.queue }));
            const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: event.body, MessageAttributes: {
              origin: { DataType: "String", StringValue: "sandbox" } } }));
            return { messageId: sent.MessageId, md5: sent.MD5OfMessageBody };
          };`,
      },
    });
    const out = (await invokeOk(api, "compat-sqs", { queue: "compat-from-handler", body: "hello from the sandbox" })) as {
      messageId: string;
      md5: string;
    };
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 0 }));
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages ?? [];
    expect(message?.MessageId).toBe(out.messageId);
    expect(message?.Body).toBe("hello from the sandbox");
    expect(message?.MD5OfBody).toBe(out.md5);
    expect(message?.MessageAttributes?.origin?.StringValue).toBe("sandbox");
  });
});
