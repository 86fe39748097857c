/**
 * The API fuzz suite: malformed requests to the Lambda API and to SQS (JSON and query protocols).
 * None may get a 5xx or crash the server; each answer is in its protocol's error shape (Lambda:
 * x-amzn-ErrorType and {"Type":"User","message"}; SQS JSON: {"__type":"com.amazonaws.sqs#...",
 * "message"}; SQS query: <ErrorResponse><Error><Code>), and control-plane bodies are bounded.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { GetFunctionConfigurationCommand, InvokeCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import {
  BAD_BODIES,
  BAD_SEGMENTS,
  type FuzzRequest,
  lambdaMalformed,
  lambdaSwaps,
  lambdaUnrouted,
  seeded,
  sqsJsonMalformed,
  sqsQueryMalformed,
} from "./api-fuzz-cases.js";
import { useServer } from "./server.js";

const api = useServer();
const sqs = useSqs(api);
const FN = "fuzz-target";
/** The field swaps' function: a swap may set its reserved concurrency to 0. */
const SWAP_FN = "fuzz-swaps";
let queueUrl = "";
let queuePath = "";
const internalErrors: unknown[][] = [];

beforeAll(async () => {
  await api.create(FN, "exports.handler = async (e) => ({ echo: e });");
  await api.create(SWAP_FN, "exports.handler = async () => 1;");
  queueUrl = await sqs.createQueue("fuzz");
  queuePath = new URL(queueUrl).pathname;
  // The server runs in this process: an error it did not expect is logged here.
  const original = console.error.bind(console);
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    if (String(args[0]).includes("internal error")) internalErrors.push(args);
    else original(...args);
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function send(req: FuzzRequest): Promise<Answer> {
  const response = await fetch(`${api.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Sends `cases` a few at a time, in order. */
async function sendAll(cases: FuzzRequest[]): Promise<{ req: FuzzRequest; answer: Answer }[]> {
  const out: { req: FuzzRequest; answer: Answer }[] = [];
  for (let i = 0; i < cases.length; i += 8) {
    const batch = cases.slice(i, i + 8);
    out.push(...(await Promise.all(batch.map(async (req) => ({ req, answer: await send(req) })))));
  }
  return out;
}

const describeReq = (req: FuzzRequest) =>
  `${req.method} ${req.path.slice(0, 120)} ${typeof req.body === "string" ? req.body.slice(0, 80) : req.body === undefined ? "" : `<${req.body.length} bytes>`}`;

/** Why `answer` is not a Lambda API error, or undefined when it is one. */
function notLambdaError(answer: Answer): string | undefined {
  if (answer.status < 400 || answer.status >= 500) return `status ${answer.status}`;
  const type = answer.headers.get("x-amzn-errortype");
  if (!type) return "no x-amzn-ErrorType";
  let body: { Type?: unknown; message?: unknown };
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 80)}`;
  }
  if (body.Type !== "User" || typeof body.message !== "string") return `body ${answer.text.slice(0, 120)}`;
  return undefined;
}

function notSqsJsonError(answer: Answer): string | undefined {
  if (answer.status < 400 || answer.status >= 500) return `status ${answer.status}`;
  if (answer.headers.get("content-type") !== "application/x-amz-json-1.0") return `content-type ${answer.headers.get("content-type")}`;
  let body: { __type?: unknown; message?: unknown };
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 80)}`;
  }
  if (typeof body.__type !== "string" || !body.__type.startsWith("com.amazonaws.sqs#") || typeof body.message !== "string")
    return `body ${answer.text.slice(0, 120)}`;
  if (!answer.headers.get("x-amzn-query-error")) return "no x-amzn-query-error";
  return undefined;
}

function notSqsQueryError(answer: Answer): string | undefined {
  if (answer.status < 400 || answer.status >= 500) return `status ${answer.status}`;
  if (
    !/^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>[^<]+<\/Code><Message>[^<]*<\/Message>/.test(
      answer.text,
    )
  )
    return `body ${answer.text.slice(0, 160)}`;
  return undefined;
}

/** Every answer that is a 5xx, or a 4xx not in `shape`, as readable lines (empty when all are right). */
function misfits(results: { req: FuzzRequest; answer: Answer }[], shape: (a: Answer) => string | undefined): string[] {
  return results
    .filter(({ answer }) => answer.status >= 500 || (answer.status >= 400 && shape(answer) !== undefined))
    .map(({ req, answer }) => `${describeReq(req)} → ${shape(answer) ?? answer.status}`);
}

const refused = (results: { req: FuzzRequest; answer: Answer }[]) =>
  results.filter(({ answer }) => answer.status < 400).map(({ req, answer }) => `${describeReq(req)} → ${answer.status}`);

describe("the Lambda API under malformed requests", () => {
  it("answers every bad path, query and body of every route with a Lambda 4xx", async () => {
    const cases = lambdaMalformed(FN);
    expect(cases.length).toBeGreaterThan(700);
    const results = await sendAll(cases);
    expect(misfits(results, notLambdaError)).toEqual([]);
    // Bad path segments and bodies that are not one JSON object are always refused.
    const mustRefuse = results.filter(
      ({ req }) =>
        BAD_SEGMENTS.some((s) => req.path.includes(`/${s}`)) ||
        (req.body !== undefined && req.body !== "" && req.body !== "\uFEFF{}" && BAD_BODIES.includes(req.body)),
    );
    expect(mustRefuse.length).toBeGreaterThan(500);
    expect(refused(mustRefuse)).toEqual([]);
  });

  it("answers hostile values in each field of each body with a Lambda error or a success, never a 5xx", async () => {
    const results = await sendAll(lambdaSwaps(SWAP_FN, seeded(24), 5));
    expect(results.length).toBeGreaterThan(100);
    expect(misfits(results, notLambdaError)).toEqual([]);
    expect(results.filter(({ answer }) => answer.status >= 400).length).toBeGreaterThan(results.length / 2);
  });

  it("answers other methods and paths with a Lambda 4xx", async () => {
    const results = await sendAll(lambdaUnrouted(FN));
    expect(misfits(results, notLambdaError)).toEqual([]);
    expect(refused(results)).toEqual([]);
  });

  it("refuses JSON nested 100,000 deep as unparsable content, at the top and inside a field", async () => {
    for (const body of ["[".repeat(100_000) + "]".repeat(100_000), `{"FunctionName":${"[".repeat(100_000)}${"]".repeat(100_000)}}`]) {
      const answer = await send({ method: "POST", path: "/2015-03-31/functions", headers: { "content-type": "application/json" }, body });
      expect(answer.status).toBe(400);
      expect(answer.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
      expect(JSON.parse(answer.text).message).toMatch(/^Could not parse request body into json: /);
    }
  });

  it("refuses a body that is JSON but not an object, or not UTF-8, as unparsable content", async () => {
    for (const body of ["[]", "null", '"x"', "1", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])]) {
      const answer = await send({
        method: "PUT",
        path: `/2015-03-31/functions/${FN}/configuration`,
        headers: { "content-type": "application/json" },
        body,
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    }
  });

  it("refuses a malformed percent-escape in any route's path with a 4xx", async () => {
    for (const path of ["/2017-03-31/tags/%zz", "/2017-03-31/tags/%E0%A4%A", "/2015-03-31/functions/%zz/configuration"]) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const answer = await send({
          method,
          path,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? '{"Tags":{}}' : undefined,
        });
        expect(notLambdaError(answer), `${method} ${path}`).toBeUndefined();
      }
    }
  });

  it("treats a body cut short or broken on the wire as the client's failure", async () => {
    const { host, port } = new URL(api.url);
    const head = (framing: string, extra = "") =>
      `POST /2015-03-31/functions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${extra}${framing}\r\n\r\n`;
    for (const [raw, halfClose] of [
      [`${head("Transfer-Encoding: chunked")}5\r\n{"a":\r\nzz\r\n`, false],
      [`${head("Transfer-Encoding: chunked")}5\r\n{"a":\r\n`, true],
      [`${head("Content-Length: 100")}{`, true],
      [
        `${head("Transfer-Encoding: chunked", "X-Amz-Target: AmazonSQS.ListQueues\r\n").replace("/2015-03-31/functions", "/")}5\r\n{"a":\r\n`,
        true,
      ],
    ] as const) {
      const answer = await new Promise<string>((resolve) => {
        let text = "";
        const socket = connect(Number(port), "127.0.0.1", () => (halfClose ? socket.end(raw) : socket.write(raw)));
        socket.on("data", (chunk) => (text += chunk));
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(text));
      });
      // Node answers a framing error itself (400); a body cut short has no one left to answer.
      if (answer !== "") expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
  });

  it("still answers valid requests after the fuzzing", async () => {
    expect(internalErrors).toEqual([]);
    const functions = await api.client.send(new ListFunctionsCommand({}));
    expect(functions.Functions?.map((f) => f.FunctionName)).toContain(FN);
    const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: FN }));
    expect(config.Handler).toBe("index.handler");
    const invoked = await api.client.send(new InvokeCommand({ FunctionName: FN, Payload: new TextEncoder().encode('{"a":1}') }));
    expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toEqual({ echo: { a: 1 } });
  });
});

describe("SQS under malformed requests", () => {
  it("answers every bad JSON protocol request with SQS's JSON error shape", async () => {
    const results = await sendAll(sqsJsonMalformed(queueUrl, seeded(7), 3));
    expect(results.length).toBeGreaterThan(400);
    expect(misfits(results, notSqsJsonError)).toEqual([]);
    const mustRefuse = results.filter(({ req }) => req.body !== "\uFEFF{}" && req.body !== "{}" && BAD_BODIES.includes(req.body as string));
    expect(mustRefuse.length).toBeGreaterThan(200);
    expect(refused(mustRefuse)).toEqual([]);
  });

  it("answers every bad query protocol request with SQS's XML ErrorResponse", async () => {
    const results = await sendAll(sqsQueryMalformed(queueUrl, queuePath, seeded(11), 3));
    expect(results.length).toBeGreaterThan(200);
    expect(misfits(results, notSqsQueryError)).toEqual([]);
    expect(results.filter(({ answer }) => answer.status >= 400).length).toBeGreaterThan(results.length / 2);
  });

  it("refuses a non-integer MaxNumberOfMessages or DelaySeconds in the query protocol with InvalidParameterValue", async () => {
    for (const body of [
      `Action=ReceiveMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MaxNumberOfMessages=abc`,
      `Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=x&DelaySeconds=1.5`,
    ]) {
      const answer = await send({ method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      expect(answer.status).toBe(400);
      expect(answer.headers.get("content-type")).toBe("text/xml");
      expect(answer.text).toContain("<Code>InvalidParameterValue</Code>");
    }
  });

  it("refuses a NextToken it did not issue, and follows the ones it did", async () => {
    for (const [action, extra] of [
      ["ListQueues", {}],
      ["ListDeadLetterSourceQueues", { QueueUrl: queueUrl }],
    ] as const) {
      for (const token of ["garbage!!", "Li4v", "%zz"]) {
        const answer = await send({
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${action}` },
          body: JSON.stringify({ ...extra, MaxResults: 1, NextToken: token }),
        });
        expect(answer.status, `${action} ${token}`).toBe(400);
        expect(JSON.parse(answer.text).__type).toBe("com.amazonaws.sqs#InvalidParameterValue");
      }
    }
    await sqs.createQueue("fuzz-page");
    const first = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "fuzz", MaxResults: 1 }));
    const second = await sqs.client().send(new ListQueuesCommand({ QueueNamePrefix: "fuzz", MaxResults: 1, NextToken: first.NextToken }));
    expect(first.QueueUrls).toHaveLength(1);
    expect(second.QueueUrls).toHaveLength(1);
    expect(second.QueueUrls).not.toEqual(first.QueueUrls);
  });

  it("refuses JSON nested 100,000 deep in a field with SQS's JSON error", async () => {
    const answer = await send({
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
      body: `{"QueueUrl":"${queueUrl}","MessageBody":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).__type).toBe("com.amazonaws.sqs#InvalidParameterValue");
  });

  it("still answers valid requests after the fuzzing", async () => {
    expect(internalErrors).toEqual([]);
    const listed = await sqs.client().send(new ListQueuesCommand({}));
    expect(listed.QueueUrls).toContain(queueUrl);
  });
});

/** What the server answered to a POST announcing `declared` bytes, of which it sent none. */
function announced(
  path: string,
  declared: number,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { method: "POST", headers: { ...headers, "content-length": String(declared) } });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        req.destroy();
      });
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

/**
 * Streams up to `total` bytes (chunked) and stops at the answer: what it answered, and how much
 * had been written by then.
 */
function streamed(
  method: string,
  path: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; written: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024, "A");
    let written = 0;
    let answered = false;
    const req = request(`${api.url}${path}`, { method, headers });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, text, written });
        req.destroy();
      });
    });
    // The server may close the connection after answering: what is left unwritten is moot.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    req.write('{"FunctionName":"big","Code":{"ZipFile":"');
    pump();
  });
}

/**
 * `streamed`, again when the connection was reset before the answer could be read: the server
 * stops reading and closes, and a client still writing may meet the reset first (any HTTP client
 * would); a few tries see the answer.
 */
async function streamedUntilAnswered(...args: Parameters<typeof streamed>): ReturnType<typeof streamed> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await streamed(...args);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt === 3 || (code !== "EPIPE" && code !== "ECONNRESET")) throw error;
    }
  }
}

describe("control-plane bodies are bounded as Lambda bounds them", () => {
  it("refuses CreateFunction announcing 600 MB before reading any of it", async () => {
    const answer = await announced("/2015-03-31/functions", 600 * 1024 * 1024, { "content-type": "application/json" });
    expect(answer.status).toBe(413);
    expect(answer.headers["x-amzn-errortype"]).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(answer.text).message).toBe("Request must be smaller than 70167211 bytes for the CreateFunction operation");
  });

  it("stops reading a streamed UpdateFunctionCode body past 70167211 bytes and answers at once", async () => {
    const total = 300 * 1024 * 1024;
    const answer = await streamedUntilAnswered("PUT", `/2015-03-31/functions/${FN}/code`, total, {
      "content-type": "application/json",
      "transfer-encoding": "chunked",
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).message).toBe("Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation");
    expect(answer.written).toBeLessThan(total);
  });

  it("bounds the other operations at 256 KiB", async () => {
    const answer = await send({
      method: "POST",
      path: `/2017-03-31/tags/${encodeURIComponent(`arn:aws:lambda:us-east-1:000000000000:function:${FN}`)}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Tags: { a: "x".repeat(300 * 1024) } }),
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(answer.text).message).toBe("Request must be smaller than 262144 bytes");
  });

  it("bounds SQS requests in each protocol's shape", async () => {
    const json = await announced("/", 600 * 1024 * 1024, {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "AmazonSQS.SendMessage",
    });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).__type).toBe("com.amazonaws.sqs#InvalidParameterValue");
    const query = await announced(queuePath, 600 * 1024 * 1024, { "content-type": "application/x-www-form-urlencoded" });
    expect(query.status).toBe(400);
    expect(query.text).toContain("<Code>InvalidParameterValue</Code>");
  });

  it("still answers after refusing large bodies", async () => {
    const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: FN }));
    expect(config.FunctionName).toBe(FN);
  });
});
