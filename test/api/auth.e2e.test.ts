/**
 * --auth sigv4: the Lambda and SQS APIs take requests signed with a configured key (or a function's
 * own credentials), and refuse the rest in AWS's shapes: an unknown key, a wrong secret, a stale
 * date, no signature at all.
 */
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  type LambdaClientConfig,
  LambdaServiceException,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand, SQSClient, SQSServiceException } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const KEY = { accessKeyId: "AKIAISOLAMBDATEST001", secretAccessKey: "the-configured-secret" };
// The helper's own client signs as test/test: one more configured key.
const api = useServer({ auth: { mode: "sigv4", credentials: [KEY, { accessKeyId: "test", secretAccessKey: "test" }] } });
const decoder = new TextDecoder();

const clients: Array<{ destroy(): void }> = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

function lambda(credentials: LambdaClientConfig["credentials"], extra: Partial<LambdaClientConfig> = {}): LambdaClient {
  const client = new LambdaClient({ endpoint: api.url, region: "us-east-1", credentials, maxAttempts: 1, ...extra });
  clients.push(client);
  return client;
}

function sqs(credentials: { accessKeyId: string; secretAccessKey: string }): SQSClient {
  const client = new SQSClient({ endpoint: api.url, region: "us-east-1", credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LambdaServiceException || error instanceof SQSServiceException))
    throw new Error(`expected a service error, got ${String(error)}`);
  return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}

describe("the Lambda API with --auth sigv4", () => {
  it("takes requests signed with a configured key", async () => {
    await api.create("hello", `exports.handler = async (e) => ({ hello: e.who });`);
    const signed = lambda(KEY);
    const out = await signed.send(new InvokeCommand({ FunctionName: "hello", Payload: JSON.stringify({ who: "signed" }) }));
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ hello: "signed" });
    const listed = await signed.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toContain("hello");
    // InvokeWithResponseStream reads the body the signature check already read.
    const streamed = await signed.send(
      new InvokeWithResponseStreamCommand({ FunctionName: "hello", Payload: JSON.stringify({ who: "stream" }) }),
    );
    let text = "";
    for await (const event of streamed.EventStream ?? [])
      if (event.PayloadChunk?.Payload) text += decoder.decode(event.PayloadChunk.Payload);
    expect(JSON.parse(text)).toEqual({ hello: "stream" });
  });

  it("refuses an unknown access key with UnrecognizedClientException", async () => {
    const stranger = lambda({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: KEY.secretAccessKey });
    expect(await failure(stranger.send(new ListFunctionsCommand({})))).toEqual({
      name: "UnrecognizedClientException",
      status: 403,
      message: "The security token included in the request is invalid.",
    });
  });

  it("refuses a wrong secret with InvalidSignatureException, on Invoke's route too", async () => {
    const forger = lambda({ accessKeyId: KEY.accessKeyId, secretAccessKey: "not-the-secret" });
    const refused = await failure(forger.send(new InvokeCommand({ FunctionName: "hello", Payload: "{}" })));
    expect(refused.name).toBe("InvalidSignatureException");
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
  });

  it("refuses a request signed 20 minutes ago", async () => {
    const late = lambda(KEY, { systemClockOffset: -20 * 60 * 1000 });
    const refused = await failure(late.send(new ListFunctionsCommand({})));
    expect(refused.name).toBe("InvalidSignatureException");
    expect(refused.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it("refuses an unsigned request with MissingAuthenticationTokenException", async () => {
    const response = await fetch(`${api.url}/2015-03-31/functions/hello/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await response.json()).toEqual({ Type: "User", message: "Missing Authentication Token" });
  });

  it("checks the body: a signed request whose body was changed is refused", async () => {
    const signer = new SignatureV4({
      credentials: KEY,
      region: "us-east-1",
      service: "lambda",
      sha256: (await import("@smithy/core/checksum")).Sha256,
    });
    const { host } = new URL(api.url);
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: "/2015-03-31/functions/hello/invocations",
      headers: { host, "content-type": "application/json" },
      body: JSON.stringify({ who: "original" }),
    });
    const send = (body: string) =>
      fetch(`${api.url}/2015-03-31/functions/hello/invocations`, { method: "POST", headers: signed.headers, body });
    const tampered = await send(JSON.stringify({ who: "tampered" }));
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    const original = await send(JSON.stringify({ who: "original" }));
    expect(await original.json()).toEqual({ hello: "original" });
  });

  it("takes a presigned URL, and refuses it once altered", async () => {
    const signer = new SignatureV4({
      credentials: KEY,
      region: "us-east-1",
      service: "lambda",
      sha256: (await import("@smithy/core/checksum")).Sha256,
    });
    const { host } = new URL(api.url);
    const presigned = await signer.presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/2015-03-31/functions/hello/configuration",
        headers: { host },
        query: {},
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await fetch(`${api.url}/2015-03-31/functions/hello/configuration?${query}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { FunctionName: string }).FunctionName).toBe("hello");
    const altered = await fetch(`${api.url}/2015-03-31/functions/other/configuration?${query}`);
    expect(altered.status).toBe(403);
    expect(altered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    const stale = await signer.presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/2015-03-31/functions/hello/configuration",
        headers: { host },
        query: {},
      },
      { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60 * 1000) },
    );
    const expired = await fetch(
      `${api.url}/2015-03-31/functions/hello/configuration?${new URLSearchParams(stale.query as Record<string, string>)}`,
    );
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({ Type: "User", message: "Request has expired." });
  });

  it("takes a function's own credentials for Invoke, and refuses them another function's configuration", async () => {
    await api.create(
      "caller",
      `const { LambdaClient, InvokeCommand, GetFunctionConfigurationCommand } = require("@aws-sdk/client-lambda");
       const lambda = new LambdaClient({});
       exports.handler = async () => {
         const out = await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: JSON.stringify({ who: "caller" }) }));
         const read = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" })).then(() => "read", (e) => e.name);
         return { invoked: JSON.parse(new TextDecoder().decode(out.Payload)), read };
       };`,
    );
    const out = await lambda(KEY).send(new InvokeCommand({ FunctionName: "caller" }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ invoked: { hello: "caller" }, read: "AccessDeniedException" });
    expect((await lambda(KEY).send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }))).FunctionName).toBe("hello");
  });
});

describe("the SQS API with --auth sigv4", () => {
  it("takes a configured key, and answers others in SQS's own error names", async () => {
    const queueUrl = (await sqs(KEY).send(new CreateQueueCommand({ QueueName: "signed" }))).QueueUrl;
    expect(queueUrl).toMatch(/\/signed$/);
    await sqs(KEY).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hi" }));
    expect(await failure(sqs({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: "x" }).send(new ListQueuesCommand({})))).toMatchObject(
      {
        name: "InvalidClientTokenId",
        status: 403,
      },
    );
    expect(await failure(sqs({ accessKeyId: KEY.accessKeyId, secretAccessKey: "wrong" }).send(new ListQueuesCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
  });

  it("refuses an unsigned query-protocol call in XML", async () => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=ListQueues&Version=2012-11-05",
    });
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toMatch(
      /<Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Missing Authentication Token<\/Message>/,
    );
  });
});
