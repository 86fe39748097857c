/**
 * LoggingConfig through @aws-sdk/client-lambda: the format and levels a function is created and
 * updated with, Lambda's rule that levels need JSON, and a JSON function's log as Lambda writes it
 * (LogType Tail, the stored logs, `isolambda logs`): the runtime's records for console calls and
 * errors, filtered by ApplicationLogLevel, between platform.start and platform.report.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { storedLogs, useServer } from "./server.js";

const api = useServer();
const run = promisify(execFile);

const create = api.create;

const loggingOf = async (name: string, qualifier?: string) =>
  (await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }))).LoggingConfig;

async function invoke(name: string, event: unknown = {}) {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: JSON.stringify(event) }));
  const tail = Buffer.from(out.LogResult ?? "", "base64").toString();
  return { functionError: out.FunctionError, payload: new TextDecoder().decode(out.Payload), tail };
}

/** A JSON-format log: one record a line. */
const records = (log: string) =>
  log
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("LoggingConfig on CreateFunction, UpdateFunctionConfiguration and GetFunction", () => {
  it("is Text by default; JSON brings the levels, INFO unless named; Text drops them again", async () => {
    await create("log-default", "exports.handler = async () => 1;");
    expect(await loggingOf("log-default")).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/log-default" });

    const created = await create("log-json", "exports.handler = async () => 1;", { LoggingConfig: { LogFormat: "JSON" } });
    const json = { LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/log-json" };
    expect(created.LoggingConfig).toEqual(json);
    expect((await api.client.send(new GetFunctionCommand({ FunctionName: "log-json" }))).Configuration?.LoggingConfig).toEqual(json);

    // What the request names changes; the rest stays.
    const updated = await api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "log-json", LoggingConfig: { ApplicationLogLevel: "DEBUG" } }),
    );
    expect(updated.LoggingConfig).toEqual({ ...json, ApplicationLogLevel: "DEBUG" });
    await api.client.send(new PublishVersionCommand({ FunctionName: "log-json" }));

    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "log-json", LoggingConfig: { LogFormat: "Text" } }));
    expect(await loggingOf("log-json")).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/log-json" });
    // A published version keeps what it was published with.
    expect(await loggingOf("log-json", "1")).toEqual({ ...json, ApplicationLogLevel: "DEBUG" });
  });

  it("refuses a level with the Text format, as Lambda does", async () => {
    const refusal = {
      name: "InvalidParameterValueException",
      message:
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and try again.',
    };
    const text = create("log-refused", "exports.handler = async () => 1;", {
      LoggingConfig: { LogFormat: "Text", ApplicationLogLevel: "DEBUG" },
    });
    await expect(text).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(text).rejects.toMatchObject(refusal);
    await create("log-text", "exports.handler = async () => 1;");
    await expect(
      api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "log-text", LoggingConfig: { SystemLogLevel: "WARN" } })),
    ).rejects.toMatchObject(refusal);
    expect(await loggingOf("log-text")).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/log-text" });
  });

  it("validates the fields as Lambda does", async () => {
    await expect(
      create("log-invalid", "exports.handler = async () => 1;", {
        LoggingConfig: { LogFormat: "Yaml" as "JSON", ApplicationLogLevel: "LOUD" as "INFO" },
      }),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message:
        "2 validation errors detected: Value 'Yaml' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]; " +
        "Value 'LOUD' at 'loggingConfig.applicationLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]",
    });
    await expect(
      create("log-invalid", "exports.handler = async () => 1;", { LoggingConfig: { LogGroup: "no spaces here" } }),
    ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'loggingConfig.logGroup'") });
  });

  it("names the log group the function sees in its environment and context", async () => {
    await create("log-group", "exports.handler = async (e, context) => [process.env.AWS_LAMBDA_LOG_GROUP_NAME, context.logGroupName];", {
      LoggingConfig: { LogGroup: "/shared/orders" },
    });
    expect(await loggingOf("log-group")).toEqual({ LogFormat: "Text", LogGroup: "/shared/orders" });
    expect(JSON.parse((await invoke("log-group")).payload)).toEqual(["/shared/orders", "/shared/orders"]);
  });
});

describe("a JSON-format function's log", () => {
  const source = [
    "exports.handler = async (event) => {",
    "  console.debug('not at INFO');",
    "  console.log('order', event.id);",
    "  console.warn({ stock: 0 });",
    "  if (event.fail) { const e = new Error('order ' + event.id + ' rejected'); e.code = 'E_REJECTED'; throw e; }",
    "  return process.env.AWS_LAMBDA_LOG_LEVEL;",
    "};",
  ].join("\n");

  it("holds the records for the console calls above the level, between platform.start and platform.report", async () => {
    await create("json-ok", source, { LoggingConfig: { LogFormat: "JSON" } });
    const out = await invoke("json-ok", { id: 7 });
    expect(JSON.parse(out.payload)).toBe("INFO");
    const [start, order, stock, report, ...rest] = records(out.tail);
    expect(rest).toEqual([]);
    const requestId = (start?.record as { requestId?: string } | undefined)?.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(start).toEqual({ time: expect.stringMatching(ISO), type: "platform.start", record: { requestId, version: "$LATEST" } });
    expect(order).toEqual({ timestamp: expect.stringMatching(ISO), level: "INFO", requestId, message: "order 7" });
    expect(stock).toEqual({ timestamp: expect.stringMatching(ISO), level: "WARN", requestId, message: { stock: 0 } });
    expect(report).toEqual({
      time: expect.stringMatching(ISO),
      type: "platform.report",
      record: {
        requestId,
        metrics: {
          durationMs: expect.any(Number),
          billedDurationMs: expect.any(Number),
          memorySizeMB: 128,
          maxMemoryUsedMB: expect.any(Number),
          initDurationMs: expect.any(Number),
        },
        status: "success",
      },
    });
    const metrics = (report?.record as { metrics?: { durationMs: number; billedDurationMs: number } } | undefined)?.metrics;
    expect(metrics?.billedDurationMs).toBe(Math.max(1, Math.ceil(metrics?.durationMs ?? Number.NaN)));
    // A warm invocation has no INIT to report.
    const warm = records((await invoke("json-ok", { id: 8 })).tail).at(-1)?.record as { metrics: object };
    expect(Object.keys(warm.metrics)).toEqual(["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"]);
  });

  it("writes a failed invocation's error as an ERROR record, and its report says so", async () => {
    await create("json-fail", source, { LoggingConfig: { LogFormat: "JSON" } });
    const out = await invoke("json-fail", { id: 9, fail: true });
    expect(out.functionError).toBe("Unhandled");
    const trace = (JSON.parse(out.payload) as { trace: string[] }).trace;
    const lines = records(out.tail);
    expect(lines.map((r) => r.type ?? r.level)).toEqual(["platform.start", "INFO", "WARN", "ERROR", "platform.report"]);
    expect(lines[3]?.message).toEqual({ errorType: "Error", errorMessage: "order 9 rejected", stackTrace: trace, code: "E_REJECTED" });
    expect(lines[4]?.record).toMatchObject({ status: "error", errorType: "Error" });

    // The stored log holds the same records, and `isolambda logs` prints them.
    const [stored] = await storedLogs(api.dataDir, "json-fail", (all) => all.length > 0);
    expect(stored).toBe(out.tail);
    const cli = await run(process.execPath, ["dist/cli.js", "logs", "json-fail", "--data-dir", api.dataDir]);
    expect(records(cli.stdout).map((r) => r.type ?? r.level)).toEqual(["platform.start", "INFO", "WARN", "ERROR", "platform.report"]);
  });

  it("keeps the levels each function asks for: DEBUG lines, and no platform records at SystemLogLevel WARN", async () => {
    await create("json-levels", source, { LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN" } });
    const out = await invoke("json-levels", { id: 1 });
    expect(JSON.parse(out.payload)).toBe("DEBUG");
    expect(records(out.tail).map((r) => [r.level, r.message])).toEqual([
      ["DEBUG", "not at INFO"],
      ["INFO", "order 1"],
      ["WARN", { stock: 0 }],
    ]);
  });

  it("reports a timeout as the platform.report's status", async () => {
    await create("json-timeout", "exports.handler = async () => { for (;;); };", { LoggingConfig: { LogFormat: "JSON" }, Timeout: 1 });
    const out = await invoke("json-timeout");
    expect(records(out.tail).at(-1)?.record).toMatchObject({ status: "timeout" });
  });
});
