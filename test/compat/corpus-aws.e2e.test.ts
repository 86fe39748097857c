import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";
import { deployPackaged } from "./deploy.js";

const api = useServer();
let sqs: SQSClient | undefined;
let s3: Server;
let s3Url = "";
const objects = new Map<string, Buffer>();

/**
 * isolambda serves Lambda and SQS but not S3: a loopback stand-in answers the three calls the
 * handler makes (PutObject, GetObject, ListObjectsV2, path-style) as S3 documents them.
 */
beforeAll(async () => {
  s3 = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://s3");
      const [, bucket = "", ...rest] = url.pathname.split("/");
      const key = decodeURIComponent(rest.join("/"));
      if (req.method === "PUT") {
        objects.set(`${bucket}/${key}`, Buffer.concat(chunks));
        return res.writeHead(200, { etag: '"put"' }).end();
      }
      if (url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1));
        const contents = keys
          .map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`)
          .join("");
        const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
        return res.writeHead(200, { "content-type": "application/xml" }).end(xml);
      }
      const body = objects.get(`${bucket}/${key}`);
      if (body === undefined) {
        return res
          .writeHead(404, { "content-type": "application/xml" })
          .end("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
      }
      res.writeHead(200, { "content-type": "text/plain", "content-length": body.length, etag: '"put"' }).end(body);
    });
  });
  await new Promise<void>((resolve) => s3.listen(0, "127.0.0.1", resolve));
  s3Url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint: api.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await sqs.send(new CreateQueueCommand({ QueueName: "corpus-orders" }));
  await deployPackaged(api, "corpus-target", {
    packages: [],
    files: { "index.js": "exports.handler = async (e) => ({ doubled: e.n * 2 });" },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await new Promise<void>((resolve) => s3.close(() => resolve()));
});

/** Where the handler found the SDK: Lambda's preinstalled copy, not the (empty) package. */
const WHERE = (name: string) => `require.resolve(${JSON.stringify(name)})`;

// The answers hold the server's own state (message ids, the stand-in's objects): they are checked, not compared with Node's.
const CASES: CorpusCase[] = [
  {
    name: "corpus-sdk-s3",
    packages: [],
    preinstalled: ["@aws-sdk/client-s3"],
    compareWithNode: false,
    event: () => ({ endpoint: s3Url }),
    files: {
      "index.js": `
        const { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey } = require("@aws-sdk/client-s3");
        exports.handler = async ({ endpoint }) => {
          const s3 = new S3Client({ endpoint, forcePathStyle: true });
          await s3.send(new PutObjectCommand({ Bucket: "corpus", Key: "reports/a b.txt", Body: "hello from the sandbox", ContentType: "text/plain" }));
          const got = await s3.send(new GetObjectCommand({ Bucket: "corpus", Key: "reports/a b.txt" }));
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: "corpus", Prefix: "reports/" }));
          let missing;
          try { await s3.send(new GetObjectCommand({ Bucket: "corpus", Key: "none" })); } catch (e) { missing = { name: e.name, isNoSuchKey: e instanceof NoSuchKey, status: e.$metadata.httpStatusCode }; }
          // From 2 MB the client sends Expect: 100-continue and writes the body on the request's 'continue'.
          const big = await s3.send(new PutObjectCommand({ Bucket: "corpus", Key: "big.bin", Body: Buffer.alloc(2 * 1024 * 1024 + 1, 7) }));
          return { where: ${WHERE("@aws-sdk/client-s3")}, body: await got.Body.transformToString(), type: got.ContentType, keys: listed.Contents.map((c) => [c.Key, c.Size]), missing, bigETag: big.ETag };
        };`,
    },
    check: (out) => {
      expect(out.where).toMatch(/^\/var\/runtime\/node_modules\/@aws-sdk\/client-s3\//);
      expect(out.body).toBe("hello from the sandbox");
      expect(out.type).toBe("text/plain");
      expect(out.keys).toEqual([["reports/a b.txt", 22]]);
      expect(out.missing).toEqual({ name: "NoSuchKey", isNoSuchKey: true, status: 404 });
      expect(objects.get("corpus/reports/a b.txt")?.toString()).toBe("hello from the sandbox");
      expect(out.bigETag).toBe('"put"');
      expect(objects.get("corpus/big.bin")?.length).toBe(2 * 1024 * 1024 + 1);
    },
  },
  {
    name: "corpus-sdk-sqs",
    packages: [],
    preinstalled: ["@aws-sdk/client-sqs"],
    compareWithNode: false,
    event: { queue: "corpus-orders" },
    files: {
      "index.mjs": `
        import { createRequire } from "node:module";
        import { SQSClient, GetQueueUrlCommand, SendMessageBatchCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
        const sqs = new SQSClient({});
        export const handler = async ({ queue }) => {
          const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
          const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "first" }, { Id: "b", MessageBody: "second", DelaySeconds: 0 }] }));
          const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
          return { where: createRequire(import.meta.url).resolve("@aws-sdk/client-sqs"), ids: sent.Successful.map((s) => s.Id).sort(), failed: sent.Failed ?? [], visible: attrs.Attributes.ApproximateNumberOfMessages };
        };`,
    },
    check: (out) => {
      expect(out.where).toMatch(/^\/var\/runtime\/node_modules\/@aws-sdk\/client-sqs\//);
      expect(out.ids).toEqual(["a", "b"]);
      expect(out.failed).toEqual([]);
      expect(out.visible).toBe("2");
    },
  },
  {
    name: "corpus-sdk-lambda",
    packages: [],
    preinstalled: ["@aws-sdk/client-lambda"],
    compareWithNode: false,
    event: { n: 21 },
    files: {
      "index.js": `
        const { LambdaClient, InvokeCommand, GetFunctionConfigurationCommand } = require("@aws-sdk/client-lambda");
        const lambda = new LambdaClient({});
        exports.handler = async ({ n }) => {
          const out = await lambda.send(new InvokeCommand({ FunctionName: "corpus-target", Payload: JSON.stringify({ n }) }));
          const errors = {};
          for (const [label, command] of Object.entries({
            missing: new InvokeCommand({ FunctionName: "corpus-none" }),
            // A function's own credentials reach isolambda's data plane only: the control plane refuses them with Lambda's 403.
            config: new GetFunctionConfigurationCommand({ FunctionName: "corpus-target" }),
          })) {
            try { await lambda.send(command); } catch (e) { errors[label] = { name: e.name, status: e.$metadata.httpStatusCode }; }
          }
          return { where: ${WHERE("@aws-sdk/client-lambda")}, status: out.StatusCode, payload: JSON.parse(Buffer.from(out.Payload).toString()), errors };
        };`,
    },
    check: (out) => {
      expect(out.where).toMatch(/^\/var\/runtime\/node_modules\/@aws-sdk\/client-lambda\//);
      expect(out).toMatchObject({ status: 200, payload: { doubled: 42 } });
      expect(out.errors).toEqual({
        missing: { name: "ResourceNotFoundException", status: 404 },
        config: { name: "AccessDeniedException", status: 403 },
      });
    },
  },
];

describe("the preinstalled AWS SDK v3 clients inside the sandbox, against the real server", () => {
  corpusTests(api, CASES);
  it("the messages the handler sent are in the queue", async () => {
    const { QueueUrl } = await (sqs as SQSClient).send(new CreateQueueCommand({ QueueName: "corpus-orders" }));
    const received = await (sqs as SQSClient).send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect((received.Messages ?? []).map((m) => m.Body).sort()).toEqual(["first", "second"]);
  });
});
