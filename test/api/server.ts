/** A real isolambda server on an ephemeral loopback port, and an AWS SDK client pointed at it. */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  type CreateFunctionCommandOutput,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll } from "vitest";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server.js";
import { waitFor } from "../wait.js";

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly client: LambdaClient;
  /**
   * CreateFunction for a Node.js 20 handler `index.handler`: its index.js is `code` when a string,
   * else `code` is the deployment package; `extra` adds or replaces request fields.
   */
  create(name: string, code: string | Uint8Array, extra?: Partial<CreateFunctionCommandInput>): Promise<CreateFunctionCommandOutput>;
  /** The built-in queues of the running server, for what the API does not reach (sendByArn). */
  readonly queues: RunningServer["queues"];
  /** Terminates executor worker `index` as the hard-kill path does. */
  killExecutor(index: number): void;
  /** The executor workers running now. */
  readonly executorCount: number;
  /**
   * Stops the server and starts a new one on the same data directory; with `samePort`, on the
   * same port too (functions see the server's URL in AWS_ENDPOINT_URL).
   */
  restart(options?: { samePort?: boolean }): Promise<void>;
  /** Stops the server; `start` brings it back on the same data directory. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The URL of door `index` (config order). */
  door(index: number): string;
  /** Lines the doors logged (why a request got a 5xx), oldest first. */
  readonly doorLog: string[];
}

/** One server for the suite, with an empty data directory removed at the end. */
export function useServer(
  options: Partial<
    Pick<
      ServerOptions,
      "functionsDir" | "codeStorageLimitBytes" | "limits" | "pool" | "executors" | "async" | "credentials" | "doors" | "auth" | "egress"
    >
  > = {},
): TestServer {
  let dataDir = "";
  const doorLog: string[] = [];
  let server: RunningServer | undefined;
  let client: LambdaClient | undefined;
  const start = async (port = 0) => {
    server = await startServer({ port, host: "127.0.0.1", dataDir, executors: 1, onDoorLog: (line) => doorLog.push(line), ...options });
    client = new LambdaClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  };
  const stop = async () => {
    client?.destroy();
    await server?.close();
  };
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "isolambda-api-"));
    await start();
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test server is not running");
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get dataDir() {
      return dataDir;
    },
    get client() {
      return started(client);
    },
    get queues() {
      return started(server).queues;
    },
    create(name, code, extra = {}) {
      return started(client).send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: "arn:aws:iam::000000000000:role/test",
          Code: { ZipFile: typeof code === "string" ? zipOf({ "index.js": code }) : code },
          ...extra,
        }),
      );
    },
    get executorCount() {
      return started(server).sandbox.executorCount;
    },
    killExecutor(index) {
      started(server).sandbox.killExecutor(index, "killed by the test");
    },
    async restart({ samePort = false } = {}) {
      const port = samePort ? Number(new URL(started(server).url).port) : 0;
      await stop();
      await start(port);
    },
    stop,
    start: () => start(),
    door(index) {
      const door = started(server).doors[index];
      if (door === undefined) throw new Error(`no door ${index}`);
      return door.url;
    },
    doorLog,
  };
}

/** A deployment package from file contents. */
export function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** The value of one sample line of the Prometheus text format. */
export function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

/** The invocation logs stored for `fn` once `done` accepts them; fails if they never do within `timeoutMs`. */
export async function storedLogs(dataDir: string, fn: string, done: (messages: string[]) => boolean, timeoutMs = 5000): Promise<string[]> {
  const file = path.join(dataDir, "logs", fn, "current.log");
  let messages: string[] = [];
  const read = () => {
    // The last piece is "" or a line still being written: only whole lines count.
    messages = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .slice(0, -1)
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { message: string }).message)
      : [];
    return done(messages) && messages;
  };
  return waitFor(read, () => `the logs of ${fn} to hold what the test awaits (${messages.length} records stored)`, {
    timeoutMs,
    intervalMs: 20,
  });
}
