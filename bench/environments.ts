/** What the sandbox benches share: an environment's configuration, an invocation's context, the executor's idle turn. */
import type { EnvironmentConfig } from "../dist/sandbox/index.js";

/** A hello-world-sized function's configuration; `overrides` name what a bench changes. */
export function benchConfig(overrides: Partial<EnvironmentConfig> & Pick<EnvironmentConfig, "codeDir" | "versionKey">): EnvironmentConfig {
  return {
    functionName: "hello",
    functionVersion: "$LATEST",
    handler: "index.handler",
    runtime: "nodejs20.x",
    memorySizeMB: 128,
    timeoutSeconds: 3,
    environment: {},
    region: "us-east-1",
    accountId: "000000000000",
    ...overrides,
  };
}

export const benchEvent = JSON.stringify({ name: "bench" });

/** An invocation's context as the executor receives it; its deadline is the configuration's timeout. */
export function wireContext(requestId: string, config: EnvironmentConfig) {
  return {
    requestId,
    invokedFunctionArn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`,
    deadline: Date.now() + config.timeoutSeconds * 1000,
  };
}

/** Spares and restore targets are prepared a few milliseconds after the request that used the last one: between two requests the executor's event loop turns. */
export const idleTurn = () => new Promise((resolve) => setTimeout(resolve, 15));
