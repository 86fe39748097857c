import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { startAwsJsonStandIn } from "./aws-json-stand-in.js";
import { type CorpusCase, corpusTests } from "./corpus.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();
// Started now, so that the cases' environments can name it.
const standIn = await startAwsJsonStandIn();

/** The clients isolambda serves beside client-lambda, client-sqs and client-s3, none of them zipped by any case here. */
const CLIENTS = [
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/lib-dynamodb",
  "@aws-sdk/client-ssm",
  "@aws-sdk/client-secrets-manager",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-eventbridge",
  "@aws-sdk/client-sts",
  "@aws-sdk/client-kinesis",
  "@aws-sdk/client-sesv2",
  "@aws-sdk/client-cloudwatch",
  "@aws-sdk/s3-request-presigner",
  "@aws-sdk/client-cognito-identity-provider",
];
const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), "utf8")) as { version: string }).version;

// The Node runs need the execution role's credentials in the environment, as the sandbox's functions have theirs.
const NODE_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDNODERUN", AWS_SECRET_ACCESS_KEY: "node-run-secret" };
const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, NODE_CREDENTIALS);
});
afterAll(async () => {
  for (const key of Object.keys(NODE_CREDENTIALS)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await standIn.close();
});

/** The stand-in's endpoint for one case. */
const endpoint = (name: string) => `${standIn.url}/${name}`;
/** Requests the stand-in received from the sandbox's run of a case (its checks run before Node's). */
const fromSandbox = (name: string, target: string) =>
  standIn.received.filter((r) => r.fromSandbox && r.path === `/${name}/` && r.target === target);
const SIGNED = (service: string) =>
  new RegExp(
    `^AWS4-HMAC-SHA256 Credential=\\w+/\\d{8}/us-east-1/${service}/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`,
  );

/** Requests are built and signed but never sent: the request handler keeps them. The real AWS endpoints, not AWS_ENDPOINT_URL. */
const CAPTURE = `
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example-secret" };
  // They change with the clock, the call, the runtime's version and user agent, and Lambda's trace id (the SDK forwards _X_AMZN_TRACE_ID).
  const VOLATILE = new Set(["amz-sdk-invocation-id", "x-amz-date", "authorization", "user-agent", "x-amz-user-agent", "x-amz-content-sha256", "x-amzn-trace-id"]);
  async function capture(Client, command, wrap = (client) => client) {
    let sent;
    const client = new Client({ region: "us-east-1", credentials, maxAttempts: 1, requestHandler: { handle: async (request) => { sent = request; throw new Error("captured"); } } });
    try { await wrap(client).send(command); } catch (e) { if (e.message !== "captured") throw e; }
    const signed = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\\/\\d{8}\\/([^,]+), SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(sent.headers.authorization ?? "");
    return {
      request: [sent.method, sent.hostname, sent.path].join(" "),
      headers: Object.fromEntries(Object.entries(sent.headers).filter(([k]) => !VOLATILE.has(k.toLowerCase()))),
      body: sent.body instanceof Uint8Array ? new TextDecoder().decode(sent.body) : sent.body,
      scope: signed?.[1] ?? null,
      signedHeaders: signed?.[2] ?? null,
    };
  }`;

const CASES: CorpusCase[] = [
  {
    name: "corpus-sdk-more-clients",
    packages: [],
    preinstalled: CLIENTS,
    // Node finds them in this repository's node_modules: the paths differ.
    compareWithNode: false,
    event: {},
    files: {
      "index.js": `
        const NAMES = ${JSON.stringify(CLIENTS)};
        exports.handler = async () => Object.fromEntries(NAMES.map((name) => [name, {
          where: require.resolve(name),
          version: require(name + "/package.json").version,
          exports: Object.keys(require(name)).length,
        }]));`,
    },
    check: (out) => {
      for (const name of CLIENTS) {
        expect(out[name].where, name).toMatch(new RegExp(`^/var/runtime/node_modules/${name}/`));
        expect(out[name].version, name).toBe(installedVersion(name));
        expect(out[name].exports, name).toBeGreaterThan(1);
      }
    },
  },
  {
    name: "corpus-sdk-requests",
    packages: [],
    preinstalled: CLIENTS,
    // The SDK's own endpoints, in the sandbox (where AWS_ENDPOINT_URL names isolambda) as in Node.
    environment: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
    event: {},
    files: {
      "index.js": `
        ${CAPTURE}
        const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
        const { DynamoDBDocumentClient, QueryCommand } = require("@aws-sdk/lib-dynamodb");
        const ssm = require("@aws-sdk/client-ssm");
        const secrets = require("@aws-sdk/client-secrets-manager");
        const sns = require("@aws-sdk/client-sns");
        const events = require("@aws-sdk/client-eventbridge");
        const sts = require("@aws-sdk/client-sts");
        const kinesis = require("@aws-sdk/client-kinesis");
        const ses = require("@aws-sdk/client-sesv2");
        const cloudwatch = require("@aws-sdk/client-cloudwatch");
        const cognito = require("@aws-sdk/client-cognito-identity-provider");
        exports.handler = async () => ({
          dynamodb: await capture(DynamoDBClient, new QueryCommand({ TableName: "orders", KeyConditionExpression: "pk = :pk AND total > :min",
            ExpressionAttributeValues: { ":pk": "customer#1", ":min": 5 }, Limit: 10 }), (c) => DynamoDBDocumentClient.from(c)),
          ssm: await capture(ssm.SSMClient, new ssm.GetParametersByPathCommand({ Path: "/app/", Recursive: true, WithDecryption: true })),
          secrets: await capture(secrets.SecretsManagerClient, new secrets.GetSecretValueCommand({ SecretId: "app/db", VersionStage: "AWSCURRENT" })),
          sns: await capture(sns.SNSClient, new sns.PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:orders", Message: "héllo 😀",
            MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } })),
          events: await capture(events.EventBridgeClient, new events.PutEventsCommand({ Entries: [{ Source: "app.orders", DetailType: "created", Detail: '{"id":1}' }] })),
          sts: await capture(sts.STSClient, new sts.GetCallerIdentityCommand({})),
          kinesis: await capture(kinesis.KinesisClient, new kinesis.PutRecordCommand({ StreamName: "clicks", PartitionKey: "user-1", Data: new TextEncoder().encode("click") })),
          ses: await capture(ses.SESv2Client, new ses.SendEmailCommand({ FromEmailAddress: "shop@example.com", Destination: { ToAddresses: ["buyer@example.com"] },
            Content: { Simple: { Subject: { Data: "Your order" }, Body: { Text: { Data: "Thanks" } } } } })),
          cloudwatch: await capture(cloudwatch.CloudWatchClient, new cloudwatch.PutMetricDataCommand({ Namespace: "Shop",
            MetricData: [{ MetricName: "Orders", Value: 3, Unit: "Count", Timestamp: new Date("2026-01-02T03:04:05Z"), Dimensions: [{ Name: "Stage", Value: "dev" }] }] })),
          cognito: await capture(cognito.CognitoIdentityProviderClient, new cognito.InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: "app-client",
            AuthParameters: { USERNAME: "buyer", PASSWORD: "pw" } })),
        });`,
    },
    check: (out) => {
      expect(out.dynamodb.request).toBe("POST dynamodb.us-east-1.amazonaws.com /");
      expect(out.dynamodb.headers["x-amz-target"]).toBe("DynamoDB_20120810.Query");
      expect(JSON.parse(out.dynamodb.body).ExpressionAttributeValues).toEqual({ ":pk": { S: "customer#1" }, ":min": { N: "5" } });
      expect(out.ssm.headers["x-amz-target"]).toBe("AmazonSSM.GetParametersByPath");
      expect(out.secrets.headers["x-amz-target"]).toBe("secretsmanager.GetSecretValue");
      expect(out.sns.body).toContain("Action=Publish&Version=2010-03-31&Message=h%C3%A9llo%20%F0%9F%98%80");
      expect(out.events.headers["x-amz-target"]).toBe("AWSEvents.PutEvents");
      expect(out.sts.body).toBe("Action=GetCallerIdentity&Version=2011-06-15");
      expect(JSON.parse(out.kinesis.body).Data).toBe(Buffer.from("click").toString("base64"));
      expect(out.ses.request).toBe("POST email.us-east-1.amazonaws.com /v2/email/outbound-emails");
      expect(out.cloudwatch.request).toBe("POST monitoring.us-east-1.amazonaws.com /");
      const scopes = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v as { scope: string | null }).scope]));
      expect(scopes).toEqual({
        dynamodb: "us-east-1/dynamodb/aws4_request",
        ssm: "us-east-1/ssm/aws4_request",
        secrets: "us-east-1/secretsmanager/aws4_request",
        sns: "us-east-1/sns/aws4_request",
        events: "us-east-1/events/aws4_request",
        sts: "us-east-1/sts/aws4_request",
        kinesis: "us-east-1/kinesis/aws4_request",
        ses: "us-east-1/ses/aws4_request",
        cloudwatch: "us-east-1/monitoring/aws4_request",
        // InitiateAuth is one of Cognito's unsigned operations.
        cognito: null,
      });
    },
  },
  {
    name: "corpus-sdk-dynamodb-document",
    packages: [],
    preinstalled: ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"],
    event: { endpoint: endpoint("dynamodb") },
    files: {
      "index.mjs": `
        import { DynamoDBClient, ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
        import { DynamoDBDocumentClient, PutCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
        export const handler = async ({ endpoint }) => {
          const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }), { marshallOptions: { removeUndefinedValues: true } });
          const Item = { pk: "order#1", total: 42.5, lines: [{ sku: "a-1", qty: 2 }], paid: true, note: "é 😀", nothing: null, tags: new Set(["x", "y"]), skipped: undefined };
          await doc.send(new PutCommand({ TableName: "orders", Item }));
          const got = await doc.send(new GetCommand({ TableName: "orders", Key: { pk: "order#1" } }));
          const none = await doc.send(new GetCommand({ TableName: "orders", Key: { pk: "order#2" } }));
          let conflict;
          try {
            await doc.send(new PutCommand({ TableName: "orders", Item: { pk: "order#1" }, ConditionExpression: "attribute_not_exists(pk)" }));
          } catch (e) {
            conflict = { name: e.name, isClass: e instanceof ConditionalCheckFailedException, status: e.$metadata.httpStatusCode, message: e.message };
          }
          return { item: { ...got.Item, tags: [...got.Item.tags].sort() }, none: none.Item ?? null, conflict };
        };`,
    },
    check: (out) => {
      expect(out.item).toEqual({
        pk: "order#1",
        total: 42.5,
        lines: [{ sku: "a-1", qty: 2 }],
        paid: true,
        note: "é 😀",
        nothing: null,
        tags: ["x", "y"],
      });
      expect(out.none).toBeNull();
      expect(out.conflict).toEqual({
        name: "ConditionalCheckFailedException",
        isClass: true,
        status: 400,
        message: "The conditional request failed",
      });
      const [put] = fromSandbox("dynamodb", "DynamoDB_20120810.PutItem");
      expect(put?.headers["content-type"]).toBe("application/x-amz-json-1.0");
      expect(put?.headers.authorization).toMatch(SIGNED("dynamodb"));
      // The function's own session credentials sign it.
      expect(put?.headers["x-amz-security-token"]).toBeTruthy();
      expect(put?.body).toEqual({
        TableName: "orders",
        Item: {
          pk: { S: "order#1" },
          total: { N: "42.5" },
          lines: { L: [{ M: { sku: { S: "a-1" }, qty: { N: "2" } } }] },
          paid: { BOOL: true },
          note: { S: "é 😀" },
          nothing: { NULL: true },
          tags: { SS: ["x", "y"] },
        },
      });
      expect(fromSandbox("dynamodb", "DynamoDB_20120810.GetItem").map((r) => r.body)).toEqual([
        { TableName: "orders", Key: { pk: { S: "order#1" } } },
        { TableName: "orders", Key: { pk: { S: "order#2" } } },
      ]);
    },
  },
  {
    name: "corpus-sdk-ssm-secrets",
    packages: [],
    preinstalled: ["@aws-sdk/client-ssm", "@aws-sdk/client-secrets-manager"],
    event: { endpoint: endpoint("ssm-secrets") },
    files: {
      "index.js": `
        const { SSMClient, GetParameterCommand, ParameterNotFound } = require("@aws-sdk/client-ssm");
        const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
        exports.handler = async ({ endpoint }) => {
          const ssm = new SSMClient({ endpoint });
          const secrets = new SecretsManagerClient({ endpoint });
          const { Parameter: p } = await ssm.send(new GetParameterCommand({ Name: "/app/db-url", WithDecryption: true }));
          let missing;
          try { await ssm.send(new GetParameterCommand({ Name: "/app/none" })); }
          catch (e) { missing = { name: e.name, isClass: e instanceof ParameterNotFound, status: e.$metadata.httpStatusCode, message: e.message }; }
          const s = await secrets.send(new GetSecretValueCommand({ SecretId: "app/db" }));
          return {
            parameter: { name: p.Name, value: p.Value, type: p.Type, version: p.Version, modified: p.LastModifiedDate.toISOString() },
            missing,
            secret: { name: s.Name, value: JSON.parse(s.SecretString), stages: s.VersionStages, created: s.CreatedDate.toISOString() },
          };
        };`,
    },
    check: (out) => {
      expect(out.parameter).toEqual({
        name: "/app/db-url",
        value: "postgres://db.internal:5432/orders",
        type: "String",
        version: 3,
        modified: "2026-01-02T03:04:05.000Z",
      });
      expect(out.missing).toEqual({ name: "ParameterNotFound", isClass: true, status: 400, message: "Parameter /app/none not found." });
      expect(out.secret).toEqual({
        name: "app/db",
        value: { username: "orders", password: "s3cr3t é" },
        stages: ["AWSCURRENT"],
        created: "2026-01-02T03:04:05.000Z",
      });
      const [get] = fromSandbox("ssm-secrets", "AmazonSSM.GetParameter");
      expect(get?.body).toEqual({ Name: "/app/db-url", WithDecryption: true });
      expect(get?.headers.authorization).toMatch(SIGNED("ssm"));
      const [secret] = fromSandbox("ssm-secrets", "secretsmanager.GetSecretValue");
      expect(secret?.body).toEqual({ SecretId: "app/db" });
      expect(secret?.headers.authorization).toMatch(SIGNED("secretsmanager"));
    },
  },
  {
    name: "corpus-sdk-presigned-url",
    packages: [],
    preinstalled: ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"],
    environment: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
    event: {},
    files: {
      "index.js": `
        const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");
        const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
        const s3 = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } });
        // A fixed signing time, so that the sandbox's URL and Node's are comparable byte for byte.
        const signingDate = new Date("2026-01-02T03:04:05Z");
        exports.handler = async () => ({
          get: await getSignedUrl(s3, new GetObjectCommand({ Bucket: "reports", Key: "2026/a b+é.pdf", ResponseContentDisposition: 'attachment; filename="a.pdf"' }), { expiresIn: 900, signingDate }),
          put: await getSignedUrl(s3, new PutObjectCommand({ Bucket: "reports", Key: "uploads/x.txt", ContentType: "text/plain" }), { expiresIn: 3600, signingDate, signableHeaders: new Set(["content-type"]) }),
        });`,
    },
    check: (out) => {
      const get = new URL(out.get);
      expect(`${get.origin}${get.pathname}`).toBe("https://reports.s3.eu-west-1.amazonaws.com/2026/a%20b%2B%C3%A9.pdf");
      expect(get.searchParams.get("X-Amz-Date")).toBe("20260102T030405Z");
      expect(get.searchParams.get("X-Amz-Expires")).toBe("900");
      expect(get.searchParams.get("X-Amz-Credential")).toBe("AKIAIOSFODNN7EXAMPLE/20260102/eu-west-1/s3/aws4_request");
      expect(get.searchParams.get("response-content-disposition")).toBe('attachment; filename="a.pdf"');
      expect(get.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      const put = new URL(out.put);
      expect(put.searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
      expect(put.searchParams.get("X-Amz-Expires")).toBe("3600");
    },
  },
  {
    name: "corpus-pt-parameters-sdk",
    packages: ["@aws-lambda-powertools/parameters"],
    preinstalled: ["@aws-sdk/client-ssm", "@aws-sdk/client-secrets-manager"],
    // The SDK's service-specific endpoint variables send Powertools' default clients to the stand-in.
    environment: { AWS_ENDPOINT_URL_SSM: endpoint("powertools"), AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint("powertools") },
    event: {},
    files: {
      "index.mjs": `
        import { getParameter } from "@aws-lambda-powertools/parameters/ssm";
        import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
        export const handler = async () => {
          const url = await getParameter("/app/db-url");
          const cached = await getParameter("/app/db-url");
          const config = await getParameter("/app/config", { transform: "json" });
          const secret = await getSecret("app/db", { transform: "json" });
          let missing;
          try { await getParameter("/app/none"); } catch (e) { missing = { name: e.name, message: e.message }; }
          return { url, cached, config, secret, missing };
        };`,
    },
    check: (out) => {
      expect(out).toEqual({
        url: "postgres://db.internal:5432/orders",
        cached: "postgres://db.internal:5432/orders",
        config: { retries: 3, features: ["a", "b"] },
        secret: { username: "orders", password: "s3cr3t é" },
        missing: { name: "GetParameterError", message: "Parameter /app/none not found." },
      });
      // The second read came from Powertools' cache.
      expect(fromSandbox("powertools", "AmazonSSM.GetParameter").map((r) => r.body.Name)).toEqual([
        "/app/db-url",
        "/app/config",
        "/app/none",
      ]);
      expect(fromSandbox("powertools", "secretsmanager.GetSecretValue").map((r) => r.body.SecretId)).toEqual(["app/db"]);
    },
  },
];

describe("more of the preinstalled AWS SDK v3 inside the sandbox", () => {
  corpusTests(api, CASES);

  it("a copy in the package wins over the runtime's, the rest still comes from /var/runtime", async () => {
    await deployPackaged(api, "corpus-sdk-own-copy", {
      packages: [],
      files: {
        "node_modules/@aws-sdk/lib-dynamodb/package.json": JSON.stringify({
          name: "@aws-sdk/lib-dynamodb",
          version: "0.0.1",
          main: "index.js",
        }),
        "node_modules/@aws-sdk/lib-dynamodb/index.js": `exports.whoAmI = "the function's own copy";`,
        "index.js": `
          exports.handler = async () => ({
            own: require("@aws-sdk/lib-dynamodb").whoAmI,
            ownWhere: require.resolve("@aws-sdk/lib-dynamodb"),
            runtimeWhere: require.resolve("@aws-sdk/client-dynamodb"),
          });`,
      },
    });
    expect(await invokeOk(api, "corpus-sdk-own-copy", {})).toEqual({
      own: "the function's own copy",
      ownWhere: "/var/task/node_modules/@aws-sdk/lib-dynamodb/index.js",
      runtimeWhere: "/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js",
    });
  });
});
