// The Lambda Node.js runtime's handler contract: INIT loads the handler module once, then each
// invocation calls `handler(event, context, callback)`; the first of callback, promise settlement,
// or an empty event loop decides the result, and later ones are ignored, as in Lambda.
import type { GuestConfig, GuestEntries, HostCapabilities } from "../shared/guest-protocol.js";
import type { BuiltinModules } from "./builtin-modules.js";
import type { JsonLog } from "./builtins/json-log.js";
import { type ErrorLike, errorText, type StackMapper, stackMapper } from "./error-text.js";
import type { Modules } from "./modules.js";
import type { Answer } from "./output-box.js";
import { isStreamingHandler, openResponse } from "./response-stream.js";

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const STACK_OVERFLOW = "Maximum call stack size exceeded";
/** The runtime interface client's NodeJsExit message (src/Errors.js), word for word. */
const NODEJS_EXIT =
  "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes";

function runtimeError(errorType: string, message: string): Error {
  const error = new Error(message);
  error.name = errorType;
  return error;
}

/** Lambda's wire shape of an error, as the Node.js runtime interface client builds it. */
export interface ErrorShape {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Whatever code threw or passed as an error: anything, read defensively. */
type Thrown = (Partial<ErrorLike> & Record<string, unknown>) | null | undefined;

export function errorShape(error: unknown, mapStack: StackMapper | undefined): ErrorShape {
  try {
    if (
      error instanceof Error ||
      (error && typeof (error as ErrorLike).name === "string" && typeof (error as ErrorLike).message === "string")
    ) {
      const trace = errorText(error as ErrorLike, mapStack).split("\n");
      const { name, message } = error as ErrorLike;
      // QuickJS's stack overflow is an InternalError; Node's, which Lambda reports, a RangeError.
      if (name === "InternalError" && message === "stack overflow") {
        trace[0] = `RangeError: ${STACK_OVERFLOW}`;
        return { errorType: "RangeError", errorMessage: STACK_OVERFLOW, trace };
      }
      return { errorType: name, errorMessage: message, trace };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

/**
 * Where a syntax error is, as Node prints it: QuickJS gives the file, line and column of a parse, or
 * a frame of a thrown one (JSON.parse). On a first line, its column counts what the loader put there.
 */
function syntaxLocation(host: HostCapabilities, error: Error): string | undefined {
  let file = error.fileName;
  let line = error.lineNumber;
  let column = error.columnNumber;
  if (typeof file !== "string" || !file.startsWith("/") || !((line as number) > 0)) {
    const stack = String(error.stack ?? "");
    const frame = /^ {4}at (?:.*? \()?(\/[^()]*):(\d+):(\d+)\)?$/m.exec(stack);
    if (frame === null) return undefined;
    file = frame[1] as string;
    line = Number(frame[2]);
    column = Number(frame[3]);
    // A stack with its header was written as Node prints it (error-header.ts): its columns are the file's own.
    if (!stack.startsWith("    at ")) return `${file}:${line}:${column}`;
  }
  if (line === 1) column = (column as number) - host.firstLineShift(file);
  return `${file}:${line}:${column}`;
}

/**
 * Lambda reports `SyntaxError: <message>` and drops where it is; Node itself prints the file and
 * line, and whoever fixes the function needs them, so the message ends with them and the trace
 * holds them as Node's frame.
 */
function userCodeSyntaxError(host: HostCapabilities, error: Error): Error {
  const location = syntaxLocation(host, error);
  const failure = runtimeError("Runtime.UserCodeSyntaxError", `SyntaxError: ${error.message}${location ? ` (${location})` : ""}`);
  // With its header, the stack is printed as it is (error-text.ts): the location is the file's own already.
  failure.stack = location ? `${failure.name}: ${failure.message}\n    at ${location}` : "";
  return failure;
}

function loadFailure(host: HostCapabilities, error: unknown, moduleName: string): unknown {
  if ((error as Thrown)?.name === "SyntaxError") return userCodeSyntaxError(host, error as Error);
  if ((error as Thrown)?.code === "MODULE_NOT_FOUND" || (error as Thrown)?.code === "ERR_UNKNOWN_BUILTIN_MODULE") {
    return runtimeError("Runtime.ImportModuleError", `Error: ${(error as Error).message}`);
  }
  if (error === undefined) return runtimeError("Runtime.ImportModuleError", `Error: Cannot find module '${moduleName}'`);
  return error;
}

/**
 * `streaming()` gives the bundle builtins/response-stream.js, loaded by the first streaming
 * invocation. `done(ok, payload, waitForEmptyLoop)` answers the phase (output-box.ts).
 */
type Callback = (error?: unknown, result?: unknown) => void;
type Handler = ((event: unknown, context: unknown, callback?: unknown) => unknown) & Record<symbol, unknown>;

export interface Invoker {
  /** The request id of the invocation running, or of the last one; undefined until the first. */
  readonly requestId: string | undefined;
  init: GuestEntries["init"];
  invoke: GuestEntries["invoke"];
  beforeExit: GuestEntries["beforeExit"];
  settlePhase(error: unknown): void;
  uncaught(error: unknown): void;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";

export function createInvoker(
  host: HostCapabilities,
  config: GuestConfig,
  modules: Modules,
  streaming: () => BuiltinModules["response-stream"],
  done: Answer,
  /** A function that logs JSON writes its error lines as a JSON record instead (builtins/json-log.ts). */
  jsonLog: () => JsonLog | undefined,
): Invoker {
  let handler: Handler;
  let requestId: string | undefined;
  let mapStack: StackMapper | undefined;
  const shape = (error: unknown) => JSON.stringify(errorShape(error, mapStack));

  /**
   * The runtime interface client's log line for an error that fails the invocation:
   * `console.error(label, "\t" + JSON)`, the JSON holding the error's enumerable properties; in the
   * JSON format, `console.error(error)`'s record, without the label.
   */
  const logFailure = (label: string, error: unknown) => {
    // QuickJS's interrupt (a timeout, process.exit) ends the phase; Lambda logs no error line for it.
    if ((error as Thrown)?.name === "InternalError" && (error as Error).message === "interrupted") return;
    const value = error instanceof Error ? error : new Error(error as string);
    const json = jsonLog();
    if (json !== undefined) {
      json.logError(value, mapStack);
      return;
    }
    let formatted: string;
    // Each Error becomes a new plain object, which JSON's own cycle check cannot see: an error that
    // refers to itself (e.self = e) would recurse until the stack runs out, seconds in QuickJS.
    const seen = new Set<Error>();
    try {
      formatted = JSON.stringify(value, (_key, item: unknown) => {
        if (!(item instanceof Error)) return item;
        if (seen.has(item)) return "[Circular]";
        seen.add(item);
        const fields: Record<string, unknown> = Object.assign(
          { errorType: item.name, errorMessage: item.message, code: (item as Error & { code?: unknown }).code },
          item as object,
        );
        if (typeof item.stack === "string") fields.stack = errorText(item, item === value ? mapStack : undefined).split("\n");
        return fields;
      });
    } catch {
      formatted = shape(value);
    }
    host.log("ERROR", `${label} \t${formatted}`);
  };

  const loadHandler = async (): Promise<Handler> => {
    const full = config.handler;
    if (full.includes("..")) {
      throw runtimeError(
        "Runtime.MalformedHandlerName",
        `'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
      );
    }
    const slash = full.lastIndexOf("/");
    const moduleRoot = full.slice(0, slash + 1);
    const match = full.slice(slash + 1).match(FUNCTION_EXPR);
    if (!match) throw runtimeError("Runtime.MalformedHandlerName", "Bad handler");
    const [, moduleName, handlerPath] = match as unknown as [string, string, string];
    const found = host.handlerModule(moduleRoot + moduleName);
    if (found === undefined) throw loadFailure(host, undefined, moduleRoot + moduleName);
    const colon = found.indexOf(":");
    const format = found.slice(0, colon);
    const path = found.slice(colon + 1);
    let exported: unknown;
    try {
      exported = format === "esm" ? await import(path) : modules.load({ format, path });
    } catch (error) {
      throw loadFailure(host, error, moduleRoot + moduleName);
    }
    const fn = handlerPath.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], exported);
    if (fn === undefined) throw runtimeError("Runtime.HandlerNotFound", `${full} is undefined or not exported`);
    if (typeof fn !== "function") throw runtimeError("Runtime.HandlerNotFound", `${full} is not a function`);
    return fn as Handler;
  };

  let finish: (error: unknown, result: unknown, waitForEmptyLoop: boolean) => void = () => {};

  // As the runtime interface client does: the handler must be async, and the invocation succeeds
  // once its promise resolves with the stream ended; whatever it returns is ignored.
  const invokeStreaming = (event: unknown, context: { callbackWaitsForEmptyEventLoop: boolean }) => {
    openResponse(host);
    const stream = streaming().createResponseStream(host);
    const result = handler(event, stream, context);
    if (!isThenable(result)) {
      finish("Streaming does not support non-async handlers.", undefined, false);
      return;
    }
    result.then(
      (value) => {
        if (value !== undefined) console.warn("Streaming handlers ignore return values.");
        if (!stream.writableFinished) finish("Response stream is not finished.", undefined, false);
        else finish(null, undefined, context.callbackWaitsForEmptyEventLoop);
      },
      (error) => finish(error ?? runtimeError("Error", "Promise rejected with undefined"), undefined, false),
    );
  };

  return {
    get requestId() {
      return requestId;
    },

    init() {
      mapStack = stackMapper(host, config.env);
      loadHandler().then(
        (fn) => {
          handler = fn;
          done(true, "null", false);
        },
        (error) => {
          // The runtime interface client fails INIT through its uncaught exception handler.
          logFailure("Uncaught Exception", error);
          done(false, shape(error), false);
        },
      );
    },

    /** The context's lines, then the event's JSON, as src/sandbox/shared/protocol.ts `wireInvocation` writes them. */
    invoke(invocation) {
      // One split for the six lines (1.2 µs in QuickJS; six indexOf/slice pairs cost 2.7): the
      // event, last, may hold newlines of its own, so it is cut off by the lines' lengths.
      const [id, invokedFunctionArn, deadlineText, traceId, clientContext, identity] = invocation.split("\n", 6) as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const eventJson = invocation.slice(
        id.length + invokedFunctionArn.length + deadlineText.length + traceId.length + clientContext.length + identity.length + 6,
      );
      requestId = id;
      const deadline = Number(deadlineText);
      if (traceId !== "") config.env._X_AMZN_TRACE_ID = traceId;
      else delete config.env._X_AMZN_TRACE_ID;
      let finished = false;
      finish = (error, result, waitForEmptyLoop) => {
        if (finished) return;
        finished = true;
        if (error != null) {
          logFailure("Invoke Error", error);
          done(false, shape(error), waitForEmptyLoop);
          return;
        }
        let payload: string;
        try {
          payload = JSON.stringify(result === undefined ? null : result);
        } catch {
          done(false, shape(new Error("Unable to stringify response body")), waitForEmptyLoop);
          return;
        }
        done(true, payload, waitForEmptyLoop);
      };
      // As in the runtime interface client: only a successful callback waits for the empty event
      // loop; an error, and the legacy succeed / fail / done, answer at once.
      const callback: Callback = (error, result) => finish(error, result, error == null && context.callbackWaitsForEmptyEventLoop);
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: config.functionName,
        functionVersion: config.functionVersion,
        invokedFunctionArn,
        memoryLimitInMB: String(config.memorySizeMB),
        awsRequestId: id,
        logGroupName: config.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: config.env.AWS_LAMBDA_LOG_STREAM_NAME,
        identity: identity === "" ? undefined : JSON.parse(identity),
        clientContext: clientContext === "" ? undefined : JSON.parse(clientContext),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        succeed: (result: unknown) => finish(null, result, false),
        fail: (error: unknown) => finish(error ?? "handled", undefined, false),
        done: (error: unknown, result: unknown) => finish(error, result, false),
      };
      try {
        const event = JSON.parse(eventJson);
        if (isStreamingHandler(handler)) {
          invokeStreaming(event, context);
          return;
        }
        const result = handler(event, context, callback);
        if (isThenable(result)) {
          result.then(
            (value) => finish(null, value, false),
            (error) => finish(error ?? runtimeError("Error", "Promise rejected with undefined"), undefined, false),
          );
        }
      } catch (error) {
        finish(error, undefined, false);
      }
    },

    /** Ends a phase that runs no handler (SnapStart's hooks): success, or the error that failed it. */
    settlePhase(error: unknown) {
      if (error == null) done(true, "null", false);
      else done(false, shape(error), false);
    },

    /**
     * The event loop ran dry with no result. The runtime interface client fails an `async function`
     * handler with Runtime.NodeJsExit (its promise can no longer settle) and answers null for any
     * other, whose callback may simply never have been called; it tells them apart by the
     * function's constructor, not by what the call returned. Its streaming path posts nothing
     * there; the stream's answer stays as it was.
     */
    beforeExit() {
      if (handler?.constructor?.name === "AsyncFunction" && !isStreamingHandler(handler))
        finish(runtimeError("Runtime.NodeJsExit", NODEJS_EXIT), undefined, false);
      else finish(null, null, false);
    },

    /** An exception escaped a timer callback: Node would crash, Lambda reports it for this invocation. */
    uncaught(error: unknown) {
      logFailure("Uncaught Exception", error);
      host.uncaught(shape(error));
    },
  };
}
