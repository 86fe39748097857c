/** The function URL door's CORS and AuthType over real HTTP: fetch against its listeners, a real server behind them. */

import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import type { UrlEvent } from "../../src/doors/url/event.js";
import { storedLogs, useServer } from "../api/server.js";

const APP = "https://app.example";
const CORS = {
  allowOrigins: [APP],
  allowMethods: ["GET", "POST"],
  allowHeaders: ["content-type", "x-custom"],
  exposeHeaders: ["x-total"],
  maxAge: 300,
  allowCredentials: true,
};
const DOORS = {
  cors: { target: "counted", cors: CORS },
  wildcard: { target: "counted", cors: { allowOrigins: ["*"] } },
  ownHeaders: { target: "own-cors" },
  ownHeadersAndCors: { target: "own-cors", cors: { allowOrigins: [APP], allowMethods: ["PATCH"] } },
  iam: { target: "counted", authType: "AWS_IAM" },
  iamCors: { target: "counted", authType: "AWS_IAM", cors: { allowOrigins: [APP], allowHeaders: ["authorization", "x-amz-date"] } },
  none: { target: "counted", authType: "NONE" },
  stream: { target: "prelude", invokeMode: "RESPONSE_STREAM", cors: { allowOrigins: [APP], exposeHeaders: ["x-tea"] } },
} as const;
type DoorName = keyof typeof DOORS;
const NAMES = Object.keys(DOORS) as DoorName[];
const api = useServer({
  doors: parseConfig({ doors: NAMES.map((name) => ({ type: "url", port: 0, ...DOORS[name] })) }).doors,
});
const urlOf = (name: DoorName) => api.door(NAMES.indexOf(name));

beforeAll(async () => {
  // Each invocation logs its method and marker, so a test can tell which requests reached the function.
  await api.create(
    "counted",
    `exports.handler = async (event) => {
      console.log("invoked " + event.requestContext.http.method + " " + event.rawPath);
      return { statusCode: 200, headers: { "content-type": "application/json", "x-total": "7" }, body: JSON.stringify(event) };
    };`,
  );
  await api.create(
    "own-cors",
    `exports.handler = async (event) => ({
      statusCode: 200,
      headers: { "access-control-allow-origin": "${APP}", "access-control-allow-methods": "GET, OPTIONS", vary: "Accept-Encoding" },
      body: "handled " + event.requestContext.http.method,
    });`,
  );
  await api.create(
    "prelude",
    `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
      stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { "x-tea": "pot" } });
      stream.end("streamed");
    });`,
  );
});

const preflight = (name: DoorName, origin: string, path = "/") =>
  fetch(`${urlOf(name)}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });

/** The methods and paths "counted" logged, once the invocation that logs `last` is among them. */
const invocations = async (last: string) => {
  const logs = await storedLogs(api.dataDir, "counted", (messages) => messages.some((m) => m.includes(last)));
  return logs.filter((m) => m.includes("invoked ")).map((m) => m.slice(m.indexOf("invoked ") + 8).split("\n")[0]);
};

const accessControl = (res: Response) => [...res.headers.keys()].filter((name) => name.startsWith("access-control-"));

describe("function URL CORS", () => {
  it("answers a preflight itself, with the configured headers, without invoking the function", async () => {
    const res = await preflight("cors", APP, "/preflight-one");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("access-control-") || name === "vary"))).toEqual({
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "content-type,x-custom",
      "access-control-allow-credentials": "true",
      "access-control-max-age": "300",
      vary: "Origin",
    });
    // OPTIONS without Access-Control-Request-Method is no preflight: it reaches the function.
    const plain = await fetch(`${urlOf("cors")}/plain-options`, { method: "OPTIONS", headers: { origin: APP } });
    expect(plain.status).toBe(200);
    const invoked = await invocations("/plain-options");
    expect(invoked).toContain("OPTIONS /plain-options");
    expect(invoked).not.toContain("OPTIONS /preflight-one");
  });

  it("adds Allow-Origin, Allow-Credentials, Expose-Headers and Vary to an allowed origin's response", async () => {
    const res = await fetch(`${urlOf("cors")}/allowed`, { headers: { origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-expose-headers")).toBe("x-total");
    expect(res.headers.get("vary")).toBe("Origin");
    // Methods, headers and max age answer preflights only.
    expect(accessControl(res).sort()).toEqual([
      "access-control-allow-credentials",
      "access-control-allow-origin",
      "access-control-expose-headers",
    ]);
    expect(((await res.json()) as UrlEvent).headers.origin).toBe(APP);
  });

  it("gives an origin not on the list no Access-Control header, on a preflight or a request, which still runs", async () => {
    const pre = await preflight("cors", "https://evil.example", "/evil-preflight");
    expect(pre.status).toBe(200);
    expect(accessControl(pre)).toEqual([]);
    expect(pre.headers.get("vary")).toBe("Origin");
    const res = await fetch(`${urlOf("cors")}/evil`, { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(accessControl(res)).toEqual([]);
    expect(res.headers.get("x-total")).toBe("7");
    const invoked = await invocations("/evil");
    expect(invoked).toContain("GET /evil");
    expect(invoked).not.toContain("OPTIONS /evil-preflight");
  });

  it("echoes any origin for a wildcard list, without credentials unless configured", async () => {
    const res = await fetch(urlOf("wildcard"), { headers: { origin: "https://anyone.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://anyone.example");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toBe("Origin");
    const pre = await preflight("wildcard", "https://other.example");
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://other.example");
    expect(pre.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("without a cors config, sends OPTIONS to the function and its own CORS headers as they are", async () => {
    const pre = await preflight("ownHeaders", APP);
    expect(await pre.text()).toBe("handled OPTIONS");
    expect(pre.headers.get("access-control-allow-methods")).toBe("GET, OPTIONS");
    const res = await fetch(urlOf("ownHeaders"), { headers: { origin: APP } });
    expect(await res.text()).toBe("handled GET");
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
  });

  it("with a cors config, sends both its headers and the function's on a request, only its own on a preflight", async () => {
    const res = await fetch(urlOf("ownHeadersAndCors"), { headers: { origin: APP } });
    expect(await res.text()).toBe("handled GET");
    // Lambda: "This can result in duplicate CORS headers in the response."
    expect(res.headers.get("access-control-allow-origin")).toBe(`${APP}, ${APP}`);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, OPTIONS");
    expect(res.headers.get("vary")).toBe("Accept-Encoding, Origin");
    const pre = await preflight("ownHeadersAndCors", APP);
    expect(await pre.text()).toBe("");
    expect(pre.headers.get("access-control-allow-origin")).toBe(APP);
    expect(pre.headers.get("access-control-allow-methods")).toBe("PATCH");
  });

  it("adds the headers to a streamed response, after its prelude's", async () => {
    const res = await fetch(urlOf("stream"), { headers: { origin: APP } });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-tea")).toBe("pot");
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-expose-headers")).toBe("x-tea");
    expect(await res.text()).toBe("streamed");
  });
});

/** SHA-256 and HMAC-SHA256 for the SDK's SigV4 signer, from node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);
class Sha256 {
  #secret: SourceData | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(this.#secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

const signer = new SignatureV4({
  service: "lambda",
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not checked" },
  sha256: Sha256,
});

const unsigned = (name: DoorName, path: string, method = "GET", body?: string) => {
  const url = new URL(`${urlOf(name)}${path}`);
  return {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(body === undefined ? {} : { "content-type": "text/plain" }) } as Record<string, string>,
    body,
  };
};

const IAM_CALLER = {
  accessKey: "AKIDEXAMPLE",
  accountId: "000000000000",
  callerId: "000000000000",
  cognitoIdentity: null,
  principalOrgId: null,
  userArn: "arn:aws:iam::000000000000:root",
  userId: "000000000000",
};

describe("function URL AuthType", () => {
  it("AWS_IAM refuses an unsigned request, or one not signed with SigV4, as Lambda does: 403 AccessDeniedException", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer token" },
      { authorization: "AWS4-HMAC-SHA256 Credential=AKID/x" },
    ]) {
      const res = await fetch(`${urlOf("iam")}/unsigned`, { headers });
      expect(res.status).toBe(403);
      expect(res.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual({
        Message:
          "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
      });
      expect(api.doorLog.at(-1)).toMatch(/url door \(counted\): 403 .*not signed with SigV4/);
    }
  });

  it("AWS_IAM takes a SigV4-signed request, any credentials, and names the caller in requestContext.authorizer.iam", async () => {
    const signed = await signer.sign(unsigned("iam", "/signed?a=1", "POST", "hello"));
    const { host: _host, ...headers } = signed.headers;
    const res = await fetch(`${urlOf("iam")}/signed?a=1`, { method: "POST", headers, body: "hello" });
    expect(res.status).toBe(200);
    const event = (await res.json()) as UrlEvent;
    expect(event.requestContext.authorizer).toEqual({ iam: IAM_CALLER });
    expect(event.body).toBe("hello");
    expect(Object.keys(event.requestContext).slice(0, 5)).toEqual(["accountId", "apiId", "authentication", "authorizer", "domainName"]);
  });

  it("AWS_IAM takes a presigned URL", async () => {
    const presigned = await signer.presign(unsigned("iam", "/presigned"), { expiresIn: 60 });
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const res = await fetch(`${urlOf("iam")}/presigned?${query}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as UrlEvent).requestContext.authorizer).toEqual({ iam: IAM_CALLER });
  });

  it("NONE puts no authorizer in the event", async () => {
    const signed = await signer.sign(unsigned("none", "/none"));
    const { host: _host, ...headers } = signed.headers;
    const event = (await (await fetch(`${urlOf("none")}/none`, { headers })).json()) as UrlEvent;
    expect(event.requestContext).not.toHaveProperty("authorizer");
    expect(event.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
  });

  it("AWS_IAM with CORS answers the (unsigned) preflight and lets the browser read a 403", async () => {
    const pre = await preflight("iamCors", APP, "/iam-preflight");
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-headers")).toBe("authorization,x-amz-date");
    const refused = await fetch(urlOf("iamCors"), { headers: { origin: APP } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe(APP);
  });
});
