/** Function errors the runtime itself raises, shaped as Lambda's Node.js runtime reports them. */
import type { FunctionError } from "./types.js";

function runtimeError(errorType: string, errorMessage: string): FunctionError {
  return { errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`] };
}

export function timedOut(requestId: string, timeoutMs: number): FunctionError {
  const seconds = (timeoutMs / 1000).toFixed(2);
  return {
    errorType: "Sandbox.Timedout",
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`,
    trace: [],
  };
}

export function outOfMemory(requestId: string): FunctionError {
  return {
    errorType: "Runtime.OutOfMemory",
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
    trace: [],
  };
}

export function exitError(requestId: string, reason: string): FunctionError {
  return runtimeError("Runtime.ExitError", `RequestId: ${requestId} Error: Runtime exited: ${reason}`);
}

/** process.exit(status): Lambda's Node.js runtime ends, and its exit status is the reason. */
export function exitedWith(requestId: string, status: number): FunctionError {
  const reason = status === 0 ? "Runtime exited without providing a reason" : `Runtime exited with error: exit status ${status}`;
  return runtimeError("Runtime.ExitError", `RequestId: ${requestId} Error: ${reason}`);
}

export function initTimedOut(): FunctionError {
  return runtimeError("Runtime.InitError", "INIT phase timed out after 10.00 seconds");
}

export function responseTooLarge(bytes: number, limit: number): FunctionError {
  return runtimeError(
    "Function.ResponseSizeTooLarge",
    `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${limit} bytes).`,
  );
}
