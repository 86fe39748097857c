/**
 * LoggingConfig JSON inside the environment: each console call is one JSON record as the Node.js
 * runtime interface client writes it (LogPatch.js), calls below AWS_LAMBDA_LOG_LEVEL write nothing,
 * and the runtime's error lines (Invoke Error, Uncaught Exception) are `console.error(error)`'s record.
 */
import { describe, expect, it } from "vitest";
import type { EnvironmentConfig, Sandbox } from "../../src/sandbox/index.js";
import { environmentFor, errorOf, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function jsonAt(applicationLogLevel: string, systemLogLevel = "INFO"): Partial<EnvironmentConfig> {
  return { jsonLogging: { applicationLogLevel, systemLogLevel } };
}

/** The log's lines, each parsed: in JSON format every console line is a record. */
function records(logs: string): Record<string, unknown>[] {
  return logs
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("console in the JSON log format", () => {
  it("writes each call as one record with timestamp, level, request id and message", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  console.log('hello');",
        "  console.info('info line');",
        "  console.warn('careful');",
        "  console.error('bad thing');",
        "  console.fatal('the end');",
        "  console.log({ order: 7, items: [1, 2] });",
        "  console.log('%s is %d years', 'Bob', 42, { a: 1 });",
        "  console.log('multi\\nline');",
        "  console.log();",
        "  return process.env.AWS_LAMBDA_LOG_FORMAT + ' ' + process.env.AWS_LAMBDA_LOG_LEVEL;",
        "};",
      ].join("\n"),
    };
    const requestId = "req-json-1";
    const result = await invokeOnce(sandbox, files, {}, jsonAt("INFO"), { requestId });
    expect(resultOf(result)).toBe("JSON INFO");
    const lines = records(result.logs);
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 3)).toEqual(["timestamp", "level", "requestId"]);
      expect(line.timestamp).toMatch(ISO);
      expect(line.requestId).toBe(requestId);
    }
    expect(lines.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: "INFO", message: "hello" },
      { level: "INFO", message: "info line" },
      { level: "WARN", message: "careful" },
      { level: "ERROR", message: "bad thing" },
      { level: "FATAL", message: "the end" },
      // A lone object stays an object; several arguments are util.format's text.
      { level: "INFO", message: { order: 7, items: [1, 2] } },
      { level: "INFO", message: "Bob is 42 years { a: 1 }" },
      { level: "INFO", message: "multi\nline" },
      // console.log() has no message at all.
      { level: "INFO", message: undefined },
    ]);
    expect("message" in (lines[8] as object)).toBe(false);
    // A multi-line message is one line of the log.
    expect(result.logs.split("\n").filter(Boolean)).toHaveLength(lines.length);
  });

  it("drops the calls below AWS_LAMBDA_LOG_LEVEL", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  console.trace('t'); console.debug('d'); console.log('l'); console.info('i');",
        "  console.warn('w'); console.error('e'); console.fatal('f');",
        "  console.count(); console.assert(false, 'checked');",
        "};",
      ].join("\n"),
    };
    const at = async (level: string) => records((await invokeOnce(sandbox, files, {}, jsonAt(level))).logs).map((r) => r.message);
    expect(await at("TRACE")).toEqual(["t", "d", "l", "i", "w", "e", "f", "default: 1", "Assertion failed: checked"]);
    expect(await at("INFO")).toEqual(["l", "i", "w", "e", "f", "default: 1", "Assertion failed: checked"]);
    expect(await at("WARN")).toEqual(["w", "e", "f", "Assertion failed: checked"]);
    expect(await at("FATAL")).toEqual(["f"]);
  });

  it("logs an Error as its errorType, errorMessage, stackTrace and own fields", async () => {
    const files = {
      "index.js": [
        "exports.handler = async () => {",
        "  const error = new TypeError('bad order'); error.code = 'E_ORDER';",
        "  console.error(error);",
        "  console.error('while saving', 42, error);",
        "  console.log({ failed: new RangeError('too far') });",
        "  const self = new Error('self'); self.self = self;",
        "  console.error(self);",
        "};",
      ].join("\n"),
    };
    const [alone, among, nested, circular] = records((await invokeOnce(sandbox, files, {}, jsonAt("INFO"))).logs);
    const stack = (alone?.message as { stackTrace?: string[] } | undefined)?.stackTrace ?? [];
    expect(alone?.message).toEqual({ errorType: "TypeError", errorMessage: "bad order", stackTrace: stack, code: "E_ORDER" });
    expect(stack[0]).toBe("TypeError: bad order");
    expect(stack[1]).toMatch(/^ {4}at <anonymous> \(\/var\/task\/index\.js:2:\d+\)$/);
    // Several arguments: the text, and the first Error's fields beside it.
    expect(among).toMatchObject({
      level: "ERROR",
      message: expect.stringMatching(/^while saving 42 TypeError: bad order\n {4}at /),
      errorType: "TypeError",
      errorMessage: "bad order",
      stackTrace: stack,
    });
    expect(nested?.message).toMatchObject({ failed: { errorType: "RangeError", errorMessage: "too far" } });
    // An error that holds itself cannot be JSON: the client falls back to util.format's text.
    expect(circular?.message).toMatch(/^Error: self\n/);
  });

  it("leaves the request id out during INIT, and keeps process.stdout's text as written", async () => {
    const env = await environmentFor(
      sandbox,
      { "index.js": "console.log('cold');\nexports.handler = async () => { process.stdout.write('raw\\n'); return 1; };" },
      jsonAt("INFO"),
    );
    try {
      const [cold] = records(env.initLogs);
      expect(cold).toEqual({ timestamp: expect.stringMatching(ISO), level: "INFO", message: "cold" });
      const result = await env.invoke("{}", { requestId: "r-1" });
      expect(result.logs).toBe("raw\n");
    } finally {
      env.dispose();
    }
  });
});

describe("the runtime's error lines in the JSON log format", () => {
  it("an invocation's error is console.error(error)'s record: the Invoke Error label is gone", async () => {
    const files = {
      "index.js": "exports.handler = async () => { const e = new Error('boom'); e.code = 'E_BOOM'; throw e; };",
    };
    const result = await invokeOnce(sandbox, files, {}, jsonAt("INFO"), { requestId: "req-fail" });
    const error = errorOf(result);
    expect(records(result.logs)).toEqual([
      {
        timestamp: expect.stringMatching(ISO),
        level: "ERROR",
        requestId: "req-fail",
        message: { errorType: "Error", errorMessage: "boom", stackTrace: error.trace, code: "E_BOOM" },
      },
    ]);
    // A thrown non-Error becomes an Error, as in the client; ApplicationLogLevel FATAL drops the line.
    const text = await invokeOnce(sandbox, { "index.js": "exports.handler = async () => { throw 'plain'; };" }, {}, jsonAt("INFO"));
    expect(records(text.logs)[0]?.message).toMatchObject({ errorType: "Error", errorMessage: "plain" });
    const quiet = await invokeOnce(sandbox, files, {}, jsonAt("FATAL"));
    expect(quiet.logs).toBe("");
  });

  it("a failed INIT and an uncaught exception log their error as a record too", async () => {
    const env = await environmentFor(sandbox, { "index.js": "throw new Error('no config');" }, jsonAt("INFO"));
    expect(records(env.initLogs)[0]).toMatchObject({ level: "ERROR", message: { errorType: "Error", errorMessage: "no config" } });
    env.dispose();
    const uncaught = await invokeOnce(
      sandbox,
      { "index.js": "exports.handler = () => new Promise(() => setTimeout(() => { throw new Error('late'); }, 1));" },
      {},
      jsonAt("INFO"),
    );
    expect(records(uncaught.logs)[0]?.message).toMatchObject({ errorType: "Error", errorMessage: "late" });
  });
});
