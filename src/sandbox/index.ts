/**
 * The sandbox as the rest of isolambda uses it. Its code is laid out by where it runs: host/ on the
 * main thread, executor/ in each executor worker (executor/worker.ts is the worker's entry), guest/
 * inside QuickJS (bundled into dist/guest/), component/ for WebAssembly components, and shared/
 * for what both threads load.
 */
export { COMPONENT_RUNTIME, ComponentCache, componentFile, InvalidComponentError } from "./component/cache.js";
export { Environment, PayloadTooLargeError } from "./host/environment-handle.js";
export { Sandbox, type SandboxOptions } from "./host/sandbox.js";
export { CALLER_HEADER, compileRule, type EgressRules } from "./shared/egress.js";
export { responseTooLarge } from "./shared/errors.js";
export * from "./shared/limits.js";
export type { AwsCredentials, EnvironmentConfig, FunctionError, InvokeOptions, InvokeResult } from "./shared/types.js";
