/**
 * Without --auth: browsers cannot drive the API (Origin, Sec-Fetch-Site, simple content types, Host),
 * and a function's requests to the API, signed with its own credentials or not, reach the data
 * plane only, unless its role is isolambda-admin.
 */
import { request } from "node:http";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();

async function invoke(name: string, event: object = {}): Promise<Record<string, unknown>> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  const payload = JSON.parse(decoder.decode(out.Payload));
  if (out.FunctionError) throw new Error(JSON.stringify(payload));
  return payload;
}

/** A request with a Host header of our choosing (fetch does not let one set it). */
function withHost(host: string, path: string): Promise<{ status: number; errorType: string | undefined; body: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, errorType: res.headers["x-amzn-errortype"] as string | undefined, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECRET_HOLDER = `exports.handler = async () => "nothing to see";`;

/** A handler that tries the API with its own credentials (the SDK) and with a bare fetch. */
const PROBE = `
const { LambdaClient, GetFunctionConfigurationCommand, InvokeCommand, UpdateFunctionConfigurationCommand } = require("@aws-sdk/client-lambda");
const lambda = new LambdaClient({});
const outcome = (p) => p.then((out) => ({ ok: out }), (error) => ({ error: error.name, status: error.$metadata?.httpStatusCode, message: error.message }));
exports.handler = async () => {
  const read = await outcome(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "secret-holder" })));
  const change = await outcome(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "secret-holder", Environment: { Variables: { SECRET: "stolen" } } })));
  const invoked = await outcome(lambda.send(new InvokeCommand({ FunctionName: "secret-holder" })));
  const bare = await fetch(process.env.AWS_ENDPOINT_URL + "/2015-03-31/functions/secret-holder/configuration");
  return {
    read: read.error ? read : { ok: true, secret: read.ok.Environment?.Variables?.SECRET },
    change: change.error ? change : { ok: true },
    invoked: invoked.error ? invoked : { ok: true, payload: new TextDecoder().decode(invoked.ok.Payload) },
    bare: { status: bare.status, errorType: bare.headers.get("x-amzn-errortype") },
    keyId: process.env.AWS_ACCESS_KEY_ID,
  };
};`;

describe("the API without --auth", () => {
  it("lets a function invoke another with its own credentials, and refuses it the other's configuration", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "secret-holder",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Environment: { Variables: { SECRET: "s3cr3t" } },
        Code: { ZipFile: zipOf({ "index.js": SECRET_HOLDER }) },
      }),
    );
    await api.create("prober", PROBE);
    const result = await invoke("prober");
    expect(result.read).toEqual({
      error: "AccessDeniedException",
      status: 403,
      message:
        "User: arn:aws:sts::000000000000:assumed-role/test/prober is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-east-1:000000000000:function:secret-holder because no identity-based policy allows the lambda:GetFunctionConfiguration action",
    });
    expect(result.change).toMatchObject({ error: "AccessDeniedException", status: 403 });
    expect(result.invoked).toEqual({ ok: true, payload: '"nothing to see"' });
    // Unsigned, through the sandbox's fetch: the request still speaks for the function.
    expect(result.bare).toEqual({ status: 403, errorType: "AccessDeniedException" });
    expect(result.keyId).toMatch(/^ASIA[0-9A-Z]{16}$/);
    const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "secret-holder" }));
    expect(config.Environment?.Variables).toEqual({ SECRET: "s3cr3t" });
  });

  it("restricts a function's credentials used from outside too", async () => {
    await api.create("leaker", "exports.handler = async () => ({ ...process.env });");
    const env = (await invoke("leaker")) as Record<string, string>;
    const stolen = new LambdaClient({
      endpoint: api.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
        sessionToken: env.AWS_SESSION_TOKEN,
      },
      maxAttempts: 1,
    });
    const error = await stolen.send(new GetFunctionConfigurationCommand({ FunctionName: "secret-holder" })).catch((e: unknown) => e);
    stolen.destroy();
    expect(error).toBeInstanceOf(LambdaServiceException);
    expect((error as LambdaServiceException).name).toBe("AccessDeniedException");
  });

  it("gives a function whose role is isolambda-admin the whole API", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "admin-tool",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/isolambda-admin",
        Code: { ZipFile: zipOf({ "index.js": PROBE.replaceAll("secret-holder", "prober") }) },
      }),
    );
    const result = await invoke("admin-tool");
    expect(result.read).toEqual({ ok: true, secret: undefined });
    expect(result.bare).toEqual({ status: 200, errorType: null });
  });

  it("refuses a cross-site text/plain POST, and creates nothing", async () => {
    const body = JSON.stringify({ FunctionName: "planted", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: "" } });
    const response = await fetch(`${api.url}/2015-03-31/functions`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^Cross-site request refused \(Origin https:\/\/evil\.example/,
    );
    const listed = await fetch(`${api.url}/2015-03-31/functions/planted`);
    expect(listed.status).toBe(404);
  });

  it("takes a text/plain POST with no Origin (curl -d, a script), and refuses a navigation from another site", async () => {
    const plain = await fetch(`${api.url}/2015-03-31/functions/secret-holder/invocations`, { method: "POST", body: "{}" });
    expect(plain.status).toBe(200);
    const navigated = await fetch(`${api.url}/2015-03-31/functions`, { headers: { "sec-fetch-site": "cross-site" } });
    expect(navigated.status).toBe(403);
    expect(navigated.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
  });

  it("refuses a cross-site form post to SQS in SQS's XML", async () => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "Action=CreateQueue&QueueName=planted&Version=2012-11-05",
    });
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toContain("<Code>AccessDenied</Code>");
    expect(xml).toContain("<Message>Cross-site request refused");
  });

  it("refuses a Host it does not listen as (DNS rebinding), and answers its own names", async () => {
    const { port } = new URL(api.url);
    const rebound = await withHost(`evil.example:${port}`, "/2015-03-31/functions");
    expect(rebound.status).toBe(403);
    expect(rebound.errorType).toBe("AccessDeniedException");
    expect(JSON.parse(rebound.body).message).toMatch(/^Host 'evil\.example:\d+' is not a name this server answers as/);
    expect((await withHost(`localhost:${port}`, "/2015-03-31/functions")).status).toBe(200);
    expect((await withHost(`[::1]:${port}`, "/2015-03-31/functions")).status).toBe(200);
  });

  it("takes a same-origin JSON request", async () => {
    const response = await fetch(`${api.url}/2015-03-31/functions/secret-holder/invocations`, {
      method: "POST",
      headers: { origin: api.url, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toBe("nothing to see");
  });
});
