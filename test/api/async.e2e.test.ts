import path from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import { waitFor } from "../wait.js";
import { sample, storedLogs, useServer, zipOf } from "./server.js";

const RETRY_BASE_MS = 50;
const api = useServer({ async: { retryBaseDelayMs: RETRY_BASE_MS } });
const sqs = useSqs(api);
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
/** Logs every event it receives as one JSON line: what the tests read back. */
const SINK = "exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };";

async function sendEvent(name: string, event: unknown): Promise<void> {
  const out = await api.client.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  expect(out.StatusCode).toBe(202);
}

/** The events `fn` logged with SINK's format, once there are `count`. */
async function received(fn: string, count: number, timeoutMs = 5000): Promise<Array<Record<string, unknown>>> {
  const events = (messages: string[]) =>
    messages.flatMap((m) => [...m.matchAll(/\tEVENT (.*)$/gm)].map((match) => JSON.parse(match[1] as string) as Record<string, unknown>));
  return events(await storedLogs(api.dataDir, fn, (messages) => events(messages).length >= count, timeoutMs));
}

describe("asynchronous invocation", () => {
  it("answers 202 at once, then runs the event and sends Lambda's OnSuccess record", async () => {
    await api.create("worker", "exports.handler = async (event) => ({ doubled: event.n * 2 });");
    await api.create("on-success", SINK);
    await api.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "worker",
        DestinationConfig: { OnSuccess: { Destination: `${ARN}:on-success` } },
      }),
    );
    await sendEvent("worker", { n: 21 });
    const [record] = await received("on-success", 1);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { functionArn: `${ARN}:worker:$LATEST`, condition: "Success", approximateInvokeCount: 1 },
      requestPayload: { n: 21 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { doubled: 42 },
    });
    expect(String(record?.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(record?.responseContext).not.toHaveProperty("functionError");
  });

  it("retries a failing event exactly MaximumRetryAttempts times, then sends it to OnFailure", async () => {
    await api.create(
      "flaky",
      "let n = 0; exports.handler = async () => { n += 1; if (n < 3) throw new Error('attempt ' + n); return n; };",
    );
    await api.create("always-fails", "exports.handler = async () => { throw new TypeError('never'); };");
    await api.create("no-retries", "exports.handler = async () => { throw new TypeError('once'); };");
    await api.create("successes", SINK);
    await api.create("failures", SINK);
    const destinations = { OnSuccess: { Destination: `${ARN}:successes` }, OnFailure: { Destination: `${ARN}:failures` } };
    for (const name of ["flaky", "always-fails"]) {
      await api.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: destinations }));
    }
    await api.client.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "no-retries", MaximumRetryAttempts: 0, DestinationConfig: destinations }),
    );
    await sendEvent("flaky", { id: "flaky" });
    await sendEvent("always-fails", { id: "always" });
    await sendEvent("no-retries", { id: "once" });
    const [success] = await received("successes", 1);
    expect(success).toMatchObject({ requestContext: { condition: "Success", approximateInvokeCount: 3 }, responsePayload: 3 });
    const failures = await received("failures", 2);
    const byId = Object.fromEntries(failures.map((f) => [(f.requestPayload as { id: string }).id, f]));
    expect(byId.always).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3, functionArn: `${ARN}:always-fails:$LATEST` },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "TypeError", errorMessage: "never" },
    });
    expect(byId.once).toMatchObject({ requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 1 } });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(sample(metrics, 'isolambda_invocations_total{function="always-fails",resource="$LATEST"}')).toBe(3);
    expect(sample(metrics, 'isolambda_async_events_dropped_total{function="always-fails",resource="$LATEST"}')).toBe(1);
    expect(sample(metrics, 'isolambda_async_events_received_total{function="flaky",resource="$LATEST"}')).toBe(1);
  });

  it("sends invocation records to SQS destinations, read back with the SQS client", async () => {
    const url = await sqs.createQueue("async-failures");
    await api.create("to-queue", "exports.handler = async () => { throw new RangeError('queued'); };");
    await api.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "to-queue",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: sqs.arn("async-failures") } },
      }),
    );
    await sendEvent("to-queue", { to: "queue" });
    const out = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(out.Messages).toHaveLength(1);
    expect(JSON.parse(out.Messages?.[0]?.Body ?? "{}")).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 1 },
      requestPayload: { to: "queue" },
      responsePayload: { errorType: "RangeError", errorMessage: "queued" },
    });
  });

  it("sends the original event of a failed invocation to the function's dead-letter queue", async () => {
    const url = await sqs.createQueue("dead-letters");
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "with-dlq",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: { ZipFile: zipOf({ "index.js": "exports.handler = async () => { throw new Error('bad\\u0001 input'); };" }) },
        DeadLetterConfig: { TargetArn: sqs.arn("dead-letters") },
      }),
    );
    const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "with-dlq" }));
    expect(config.DeadLetterConfig).toEqual({ TargetArn: sqs.arn("dead-letters") });
    await api.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "with-dlq", MaximumRetryAttempts: 0 }));
    await sendEvent("with-dlq", { original: true });
    const out = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }));
    const message = out.Messages?.[0];
    expect(JSON.parse(message?.Body ?? "{}")).toEqual({ original: true });
    expect(message?.MessageAttributes?.ErrorCode?.StringValue).toBe("200");
    expect(message?.MessageAttributes?.ErrorMessage?.StringValue).toBe("bad\uFFFD input");
    expect(message?.MessageAttributes?.RequestID?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
    // Removing it, as UpdateFunctionConfiguration does with an empty TargetArn.
    const updated = await api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "with-dlq", DeadLetterConfig: { TargetArn: "" } }),
    );
    expect(updated.DeadLetterConfig).toBeUndefined();
    await expect(
      api.client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "with-dlq",
          DeadLetterConfig: { TargetArn: "arn:aws:sns:us-east-1:000000000000:t" },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it("counts a record whose queue does not exist as a destination delivery failure", async () => {
    await api.create("to-nowhere", "exports.handler = async () => 1;");
    await api.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "to-nowhere",
        DestinationConfig: { OnSuccess: { Destination: sqs.arn("missing") } },
      }),
    );
    await sendEvent("to-nowhere", {});
    const failures = async () =>
      sample(
        await (await fetch(`${api.url}/metrics`)).text(),
        'isolambda_destination_delivery_failures_total{function="to-nowhere",resource="$LATEST"}',
      );
    await waitFor(async () => (await failures()) !== undefined, "a destination delivery failure counted", { intervalMs: 20 });
    expect(await failures()).toBe(1);
  });

  it("delivers events beyond the function's concurrency later, each exactly once", async () => {
    await api.create(
      "narrow",
      "exports.handler = async (event) => { await new Promise((r) => setTimeout(r, 20)); console.log('EVENT ' + JSON.stringify(event)); };",
    );
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "narrow", ReservedConcurrentExecutions: 1 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => sendEvent("narrow", { i })));
    const events = await received("narrow", 20, 10_000);
    expect(events.map((e) => e.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(sample(metrics, 'isolambda_invocations_total{function="narrow",resource="$LATEST"}')).toBe(20);
  });

  it("processes 1,000 events sent in parallel exactly once", async () => {
    await api.create("bulk", SINK);
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    // 50 requests in flight at a time: loopback, bounded.
    for (let at = 0; at < ids.length; at += 50) await Promise.all(ids.slice(at, at + 50).map((i) => sendEvent("bulk", { i })));
    const events = await received("bulk", 1000, 20_000);
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((e) => e.i)).size).toBe(1000);
  });

  it("sends an event older than MaximumEventAgeInSeconds to OnFailure as EventAgeExceeded", async () => {
    await api.create("stuck", SINK);
    await api.create("expired", SINK);
    await api.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "stuck", ReservedConcurrentExecutions: 0 }));
    await api.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "stuck",
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: `${ARN}:expired` } },
      }),
    );
    await sendEvent("stuck", { old: true });
    // Two minutes pass while the server is down: the stored event is then past its maximum age.
    await api.stop();
    const db = new Database(path.join(api.dataDir, "registry.db"));
    db.prepare("UPDATE async_events SET received = received - 120000 WHERE function_name = 'stuck'").run();
    db.close();
    await api.start();
    const [record] = await received("expired", 1);
    expect(record).toMatchObject({
      requestContext: { condition: "EventAgeExceeded", approximateInvokeCount: 0 },
      requestPayload: { old: true },
    });
    expect(record?.responseContext).toBeUndefined();
  });

  it("manages event invoke configurations with AWS's shapes and validation", async () => {
    await api.create("configured", SINK);
    const put = await api.client.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "configured", MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 }),
    );
    expect(put).toMatchObject({
      FunctionArn: `${ARN}:configured:$LATEST`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    });
    expect(put.LastModified).toBeInstanceOf(Date);
    const updated = await api.client.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: "configured",
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dlq" } },
      }),
    );
    expect(updated).toMatchObject({
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dlq" } },
    });
    const listed = await api.client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "configured" }));
    expect(listed.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([`${ARN}:configured:$LATEST`]);
    await expect(
      api.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "configured", MaximumRetryAttempts: 3 })),
    ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("maximumRetryAttempts") });
    await expect(
      api.client.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "configured",
          DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:topic" } },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await api.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "configured" }));
    await expect(api.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "configured" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      api.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "missing", MaximumRetryAttempts: 1 })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
