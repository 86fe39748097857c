/**
 * Hostile function output through the Lambda API: Invoke (RequestResponse), InvokeWithResponseStream
 * and Event invocations. Whatever a handler returns, streams, logs or throws, the caller gets Lambda's
 * answer (a result or a function error) and the server goes on answering.
 */
import {
  CreateFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  InvokeWithResponseStreamCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import {
  FUZZ_SOURCE,
  FUZZ_STREAM_SOURCE,
  HEAD_CASE_NAMES,
  RESULT_CASES,
  type ResultCase,
  STREAM_CASES,
  type StreamCase,
} from "./fuzz-function.js";
import { storedLogs, useServer, zipOf } from "./server.js";

const api = useServer();
const sqs = useSqs(api);
const decoder = new TextDecoder();

beforeAll(async () => {
  await api.create("fuzz", FUZZ_SOURCE);
  await api.create("fuzz-stream", FUZZ_STREAM_SOURCE);
});

const payloadOf = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));

function invoke(name: string, event: unknown, tail = false): Promise<InvokeCommandOutput> {
  return api.client.send(new InvokeCommand({ FunctionName: name, Payload: payloadOf(event), LogType: tail ? "Tail" : undefined }));
}

/** The server still runs functions: a hello through Invoke succeeds. */
async function stillServing(): Promise<void> {
  const out = await invoke("fuzz", { case: "hello" });
  expect(out.FunctionError).toBeUndefined();
  expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ statusCode: 200, body: "hello" });
}

/** What Lambda answers each hostile result with: a function error of this type, or this payload. */
const RESULTS: Record<ResultCase, { errorType: string } | { payload: string | undefined }> = {
  // The Node.js runtime's own message for a result JSON.stringify refuses.
  cyclic: { errorType: "Error" },
  deep: { payload: `${'{"o":'.repeat(3000)}{}${"}".repeat(3000)}` },
  bigint: { errorType: "Error" },
  undefined: { payload: "null" },
  // Any payload: what the runtime sends for a result JSON.stringify turns into undefined is the sandbox's business.
  function: { payload: undefined },
  "lone-surrogate": { payload: JSON.stringify({ statusCode: 200, headers: { "x-a": "\ud800" }, body: "\udfff" }) },
  "throw-null": { errorType: "Error" },
  "throw-cyclic": { errorType: "Error" },
  "throw-crlf": { errorType: "Bad\r\nName\u0000" },
};

interface Streamed {
  contentType: string | undefined;
  text: string;
  errorCode: string | undefined;
  errorDetails: string | undefined;
}

async function streamInvoke(name: string, event: unknown): Promise<Streamed> {
  const out = await api.client.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: payloadOf(event) }));
  expect(out.StatusCode).toBe(200);
  const streamed: Streamed = { contentType: out.ResponseStreamContentType, text: "", errorCode: undefined, errorDetails: undefined };
  for await (const item of out.EventStream ?? []) {
    if (item.PayloadChunk?.Payload) streamed.text += decoder.decode(item.PayloadChunk.Payload);
    if (item.InvokeComplete) {
      streamed.errorCode = item.InvokeComplete.ErrorCode;
      streamed.errorDetails = item.InvokeComplete.ErrorDetails;
    }
  }
  return streamed;
}

/** Node's http client refuses such a Content-Type, so in Lambda the runtime's first write throws this. */
const INVALID_CONTENT_TYPE = { errorType: "TypeError", errorMessage: 'Invalid character in header content ["Content-Type"]' };
// Not ct-nul: the sandbox hands over a content type only up to its first NUL, which leaves a valid one.
const CONTENT_TYPE_CASES: StreamCase[] = ["ct-crlf", "ct-lf", "ct-non-latin1"];

describe("hostile output through Invoke", () => {
  it("answers each unusable result with Lambda's function error or its JSON, and keeps serving", async () => {
    for (const name of RESULT_CASES) {
      const out = await invoke("fuzz", { case: name });
      expect(out.StatusCode, name).toBe(200);
      const expected = RESULTS[name];
      const payload = decoder.decode(out.Payload);
      if ("payload" in expected) {
        expect(out.FunctionError, name).toBeUndefined();
        if (expected.payload !== undefined) expect(payload, name).toBe(expected.payload);
      } else {
        expect(out.FunctionError, name).toBe("Unhandled");
        expect((JSON.parse(payload) as { errorType: string }).errorType, name).toBe(expected.errorType);
      }
    }
    await stillServing();
  });

  it("passes every hostile response head through as the JSON payload it is", async () => {
    for (const name of HEAD_CASE_NAMES) {
      const out = await invoke("fuzz", { case: name });
      expect(out.FunctionError, name).toBeUndefined();
      expect(JSON.parse(decoder.decode(out.Payload)), name).toHaveProperty("statusCode");
    }
    await stillServing();
  });

  it("answers a streamed response with an invalid content type as the function error Lambda's runtime raises", async () => {
    for (const name of CONTENT_TYPE_CASES) {
      const out = await invoke("fuzz-stream", { case: name });
      expect(out.StatusCode, name).toBe(200);
      expect(out.FunctionError, name).toBe("Unhandled");
      expect(JSON.parse(decoder.decode(out.Payload)), name).toMatchObject(INVALID_CONTENT_TYPE);
    }
    await stillServing();
  });

  it("buffers invalid UTF-8, a throw after the first write and a hostile log for a plain Invoke", async () => {
    const bytes = await invoke("fuzz-stream", { case: "bytes-invalid-utf8" });
    expect(bytes.FunctionError).toBeUndefined();
    expect([...(bytes.Payload ?? [])]).toEqual([0xff, 0xfe, 0xc3, 0x28]);
    const thrown = await invoke("fuzz-stream", { case: "throw-after-write" });
    expect(thrown.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decoder.decode(thrown.Payload))).toMatchObject({ errorType: "Error", errorMessage: "after\r\nwrite" });
    const logged = await invoke("fuzz-stream", { case: "log-hostile" }, true);
    expect(decoder.decode(logged.Payload)).toBe("logged");
    expect(Buffer.from(logged.LogResult ?? "", "base64").toString()).toMatch(/^REPORT RequestId: /m);
    await stillServing();
  });
});

describe("hostile output through InvokeWithResponseStream", () => {
  it("ends a stream whose content type no header may carry with the runtime's function error, no payload", async () => {
    for (const name of CONTENT_TYPE_CASES) {
      const out = await streamInvoke("fuzz-stream", { case: name });
      expect(out.text, name).toBe("");
      expect(out.contentType, name).toBe("application/octet-stream");
      expect(out.errorCode, name).toBe("TypeError");
      expect(JSON.parse(out.errorDetails ?? "{}"), name).toMatchObject(INVALID_CONTENT_TYPE);
    }
    await stillServing();
  });

  it("streams invalid UTF-8 as it is and reports a throw after the first write in InvokeComplete", async () => {
    const out = await api.client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: "fuzz-stream", Payload: payloadOf({ case: "bytes-invalid-utf8" }) }),
    );
    const bytes: number[] = [];
    for await (const item of out.EventStream ?? []) bytes.push(...(item.PayloadChunk?.Payload ?? []));
    expect(bytes).toEqual([0xff, 0xfe, 0xc3, 0x28]);
    const thrown = await streamInvoke("fuzz-stream", { case: "throw-after-write" });
    expect(thrown.text).toBe("partial");
    expect(thrown.errorCode).toBe("Error");
    await stillServing();
  });

  it("keeps streaming into nothing when the client leaves after the first chunk", async () => {
    const aborted = new AbortController();
    const response = await fetch(`${api.url}/2021-11-15/functions/fuzz-stream/response-streaming-invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ case: "drip" }),
      signal: aborted.signal,
    });
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    aborted.abort();
    // The handler writes nine more chunks after the client left, then logs.
    const logs = await storedLogs(api.dataDir, "fuzz-stream", (messages) => messages.some((m) => m.includes("drip done")));
    expect(logs.some((m) => m.includes("drip done"))).toBe(true);
    await stillServing();
  });

  it("answers hostile results of a buffered handler with InvokeComplete's error", async () => {
    for (const name of RESULT_CASES) {
      const out = await streamInvoke("fuzz", { case: name });
      const expected = RESULTS[name];
      if (!("payload" in expected)) expect(out.errorCode, name).toBe(expected.errorType);
      else if (expected.payload !== undefined) expect(out.text, name).toBe(expected.payload);
      else expect(out.errorCode, name).toBeUndefined();
    }
    await stillServing();
  });
});

describe("hostile output through Event invocations", () => {
  it("runs every hostile case to its destination record and keeps serving", async () => {
    const url = await sqs.createQueue("fuzz-records");
    const destination = { Destination: sqs.arn("fuzz-records") };
    for (const name of ["fuzz", "fuzz-stream"])
      await api.client.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: name,
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnSuccess: destination, OnFailure: destination },
        }),
      );
    const cases = [...RESULT_CASES.map((c) => ["fuzz", c]), ...STREAM_CASES.map((c) => ["fuzz-stream", c])] as const;
    for (const [fn, name] of cases) {
      const out = await api.client.send(
        new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: payloadOf({ case: name }) }),
      );
      expect(out.StatusCode).toBe(202);
    }
    const seen = new Map<string, string>();
    while (seen.size < cases.length) {
      const got = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
      expect(got.Messages?.length ?? 0, `records so far: ${[...seen.keys()].join(", ")}`).toBeGreaterThan(0);
      for (const message of got.Messages ?? []) {
        const record = JSON.parse(message.Body ?? "{}") as { requestPayload: { case: string }; requestContext: { condition: string } };
        seen.set(record.requestPayload.case, record.requestContext.condition);
      }
    }
    const conditions = Object.fromEntries(seen);
    expect(conditions).toMatchObject({ cyclic: "RetriesExhausted", undefined: "Success", "throw-after-write": "RetriesExhausted" });
    await stillServing();
  });
});

describe("a streaming handler with a bad content type, created through the SDK", () => {
  it("does not take the server down (issue 24's reproduction)", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "ct",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: {
          ZipFile: zipOf({
            "index.js": `exports.handler = awslambda.streamifyResponse(async (e, s) => { s.setContentType(e.ct); s.write("x"); s.end(); });`,
          }),
        },
      }),
    );
    const out = await invoke("ct", { ct: "text/plain\r\nX: 1" });
    expect(out.FunctionError).toBe("Unhandled");
    await stillServing();
  });
});
