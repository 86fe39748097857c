// The Lambda Node.js runtime's handler contract: INIT loads the handler module once, then each
// invocation calls `handler(event, context, callback)`; the first of callback, promise settlement,
// or an empty event loop decides the result, and later ones are ignored, as in Lambda.
import { errorText, stackMapper } from "./error-text.js";
import { isStreamingHandler, openResponse } from "./response-stream.js";

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const STACK_OVERFLOW = "Maximum call stack size exceeded";
/** The runtime interface client's NodeJsExit message (src/Errors.js), word for word. */
const NODEJS_EXIT =
  "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes";

function runtimeError(errorType, message) {
  const error = new Error(message);
  error.name = errorType;
  return error;
}

/** Lambda's wire shape of an error, as the Node.js runtime interface client builds it. */
export function errorShape(error, mapStack) {
  try {
    if (error instanceof Error || (error && typeof error.name === "string" && typeof error.message === "string")) {
      const trace = errorText(error, mapStack).split("\n");
      // QuickJS's stack overflow is an InternalError; Node's, which Lambda reports, a RangeError.
      if (error.name === "InternalError" && error.message === "stack overflow") {
        trace[0] = `RangeError: ${STACK_OVERFLOW}`;
        return { errorType: "RangeError", errorMessage: STACK_OVERFLOW, trace };
      }
      return { errorType: error.name, errorMessage: error.message, trace };
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
function syntaxLocation(host, error) {
  let file = error.fileName;
  let line = error.lineNumber;
  let column = error.columnNumber;
  if (typeof file !== "string" || !file.startsWith("/") || !(line > 0)) {
    const frame = /^ {4}at (?:.*? \()?(\/[^()]*):(\d+):(\d+)\)?$/m.exec(String(error.stack ?? ""));
    if (frame === null) return undefined;
    [, file, line, column] = frame;
    line = Number(line);
  }
  if (line === 1) column -= host.firstLineShift(file);
  return `${file}:${line}:${column}`;
}

/**
 * Lambda reports `SyntaxError: <message>` and drops where it is; Node itself prints the file and
 * line, and whoever fixes the function needs them, so the message ends with them and the trace
 * holds them as Node's frame.
 */
function userCodeSyntaxError(host, error) {
  const location = syntaxLocation(host, error);
  const failure = runtimeError("Runtime.UserCodeSyntaxError", `SyntaxError: ${error.message}${location ? ` (${location})` : ""}`);
  failure.stack = location ? `    at ${location}` : "";
  return failure;
}

function loadFailure(host, error, moduleName) {
  if (error?.name === "SyntaxError") return userCodeSyntaxError(host, error);
  if (error?.code === "MODULE_NOT_FOUND" || error?.code === "ERR_UNKNOWN_BUILTIN_MODULE") {
    return runtimeError("Runtime.ImportModuleError", `Error: ${error.message}`);
  }
  if (error === undefined) return runtimeError("Runtime.ImportModuleError", `Error: Cannot find module '${moduleName}'`);
  return error;
}

/**
 * `streaming()` gives the bundle builtins/response-stream.js, loaded by the first streaming
 * invocation. `done(ok, payload, waitForEmptyLoop)` answers the phase (output-box.js).
 */
export function createInvoker(host, config, modules, streaming, done) {
  let handler;
  let mapStack;
  const shape = (error) => JSON.stringify(errorShape(error, mapStack));

  /**
   * The runtime interface client's log line for an error that fails the invocation:
   * `console.error(label, "\t" + JSON)`, the JSON holding the error's enumerable properties.
   */
  const logFailure = (label, error) => {
    // QuickJS's interrupt (a timeout, process.exit) ends the phase; Lambda logs no error line for it.
    if (error?.name === "InternalError" && error.message === "interrupted") return;
    const value = error instanceof Error ? error : new Error(error);
    let formatted;
    // Each Error becomes a new plain object, which JSON's own cycle check cannot see: an error that
    // refers to itself (e.self = e) would recurse until the stack runs out, seconds in QuickJS.
    const seen = new Set();
    try {
      formatted = JSON.stringify(value, (_key, item) => {
        if (!(item instanceof Error)) return item;
        if (seen.has(item)) return "[Circular]";
        seen.add(item);
        const fields = Object.assign({ errorType: item.name, errorMessage: item.message, code: item.code }, item);
        if (typeof item.stack === "string") fields.stack = errorText(item, item === value ? mapStack : undefined).split("\n");
        return fields;
      });
    } catch {
      formatted = shape(value);
    }
    host.log("ERROR", `${label} \t${formatted}`);
  };

  const loadHandler = async () => {
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
    const [, moduleName, handlerPath] = match;
    const found = host.handlerModule(moduleRoot + moduleName);
    if (found === undefined) throw loadFailure(host, undefined, moduleRoot + moduleName);
    const colon = found.indexOf(":");
    const format = found.slice(0, colon);
    const path = found.slice(colon + 1);
    let exported;
    try {
      exported = format === "esm" ? await import(path) : modules.load({ format, path });
    } catch (error) {
      throw loadFailure(host, error, moduleRoot + moduleName);
    }
    const fn = handlerPath.split(".").reduce((value, key) => value?.[key], exported);
    if (fn === undefined) throw runtimeError("Runtime.HandlerNotFound", `${full} is undefined or not exported`);
    if (typeof fn !== "function") throw runtimeError("Runtime.HandlerNotFound", `${full} is not a function`);
    return fn;
  };

  let finish = () => {};

  // As the runtime interface client does: the handler must be async, and the invocation succeeds
  // once its promise resolves with the stream ended; whatever it returns is ignored.
  const invokeStreaming = (event, context) => {
    openResponse(host);
    const stream = streaming().createResponseStream(host);
    const result = handler(event, stream, context);
    if (result === null || typeof result !== "object" || typeof result.then !== "function") {
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

    /** The context's lines, then the event's JSON, as src/sandbox/protocol.ts `wireInvocation` writes them. */
    invoke(invocation) {
      // One split for the six lines (1.2 µs in QuickJS; six indexOf/slice pairs cost 2.7): the
      // event, last, may hold newlines of its own, so it is cut off by the lines' lengths.
      const [requestId, invokedFunctionArn, deadlineText, traceId, clientContext, identity] = invocation.split("\n", 6);
      const eventJson = invocation.slice(
        requestId.length + invokedFunctionArn.length + deadlineText.length + traceId.length + clientContext.length + identity.length + 6,
      );
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
        let payload;
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
      const callback = (error, result) => finish(error, result, error == null && context.callbackWaitsForEmptyEventLoop);
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: config.functionName,
        functionVersion: config.functionVersion,
        invokedFunctionArn,
        memoryLimitInMB: String(config.memorySizeMB),
        awsRequestId: requestId,
        logGroupName: config.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: config.env.AWS_LAMBDA_LOG_STREAM_NAME,
        identity: identity === "" ? undefined : JSON.parse(identity),
        clientContext: clientContext === "" ? undefined : JSON.parse(clientContext),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        succeed: (result) => finish(null, result, false),
        fail: (error) => finish(error ?? "handled", undefined, false),
        done: (error, result) => finish(error, result, false),
      };
      try {
        const event = JSON.parse(eventJson);
        if (isStreamingHandler(handler)) {
          invokeStreaming(event, context);
          return;
        }
        const result = handler(event, context, callback);
        if (result !== null && typeof result === "object" && typeof result.then === "function") {
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
    settlePhase(error) {
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
    uncaught(error) {
      logFailure("Uncaught Exception", error);
      host.uncaught(shape(error));
    },
  };
}
