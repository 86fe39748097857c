// A JavaScript function for the handler world, made into a component by componentize-js
// (SpiderMonkey compiled to WebAssembly). `handle` receives the event and context; it returns
// the response payload as JSON text, or throws a value shaped like `function-error` to fail.
import { log, remainingTimeMs } from "isolambda:function/runtime@0.1.0";

let invocations = 0;

export function handle(event, context) {
  invocations += 1;
  const input = JSON.parse(event);
  log("info", `request ${context.requestId} for ${context.functionName}, ${remainingTimeMs()} ms left`);
  console.log(`invocation ${invocations} of this environment`);
  if (input.fail) {
    throw { errorType: "BadRequest", errorMessage: String(input.fail), trace: [] };
  }
  // An ALB event names its path; a direct invocation may name someone to greet.
  const name = input.path ?? input.name ?? "world";
  return JSON.stringify({
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hello: name, invocations, runtime: "wasm32-wasip2" }),
  });
}
