/**
 * The commands that talk to a running server (invoke, deploy, functions list) use the AWS SDK's
 * Lambda client, as every other client would; its errors become one line for the user.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CliError, isConnectionRefused, notRunning } from "./errors.js";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:9000";

/** An access key to sign with instead of the environment's (the server's own, from its config). */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export function lambdaClient(endpoint: string, key?: AccessKey): LambdaClient {
  // The SDK's notice about its own future Node.js support is not the CLI user's business.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new LambdaClient({
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    // isolambda accepts any credentials unless SigV4 verification is on; the environment's win.
    credentials: key ?? {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "isolambda",
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "isolambda",
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
    // A refused connection is an answer here, not a reason to retry with backoff.
    maxAttempts: 1,
  });
}

/** Runs one API call, turning "nothing listens" and AWS errors into CliErrors. */
export async function call<T>(endpoint: string, what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (isConnectionRefused(error)) throw notRunning(endpoint);
    // A service error (it has the response's metadata) carries AWS's error name and message.
    if ((error as { $metadata?: unknown }).$metadata !== undefined)
      throw new CliError(`${what}: ${(error as Error).name}: ${(error as Error).message}`);
    throw error;
  }
}
