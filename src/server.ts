/**
 * `isolambda serve`: one process with the registry (SQLite in --data-dir), the sandbox's executor
 * workers, and the Lambda API on one port. Deploys every folder under --functions at start.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type ApiDeps, createApi } from "./api/index.js";
import { provisionAll } from "./api/provisioned.js";
import { Queues } from "./async/sqs/index.js";
import { type DeployOutcome, deployFolder } from "./functions/deploy.js";
import { readFunctionFolders } from "./functions/folder.js";
import { ConcurrencyGate, type ConcurrencyLimits, DEFAULT_LIMITS } from "./invoke/concurrency.js";
import { Invoker, type LogSink } from "./invoke/index.js";
import { LogStore } from "./observe/log-store.js";
import { type PoolOptions, WarmPool } from "./pool/index.js";
import { openRegistry } from "./registry/index.js";
import { Sandbox } from "./sandbox/index.js";

/** ERRATA 4: AWS's default account-wide code storage. */
const CODE_STORAGE_LIMIT_BYTES = 75 * 1024 ** 3;

export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  functionsDir?: string;
  region?: string;
  accountId?: string;
  executors?: number;
  codeStorageLimitBytes?: number;
  /** Idle time and memory budget of the warm pool. */
  pool?: PoolOptions;
  /** Account concurrency and the unreserved minimum; Lambda's defaults are 1000 and 100. */
  limits?: Partial<ConcurrencyLimits>;
  /** Also receives each invocation's log (START … REPORT), which is always stored in the data dir. */
  onLog?: LogSink;
}

export interface RunningServer {
  url: string;
  /** What deploying the function folders did, by function name. */
  deployed: Map<string, DeployOutcome>;
  /** The executors, for an embedding program (and the tests) to inspect or kill. */
  sandbox: Sandbox;
  /** The built-in SQS-compatible queues (Lambda destinations and dead-letter queues deliver here). */
  queues: Queues;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const { registry, code, db } = openRegistry(options.dataDir, { region, accountId });
  const deployed = new Map<string, DeployOutcome>();
  try {
    for (const folder of readFunctionFolders(options.functionsDir ?? "")) {
      deployed.set(folder.name, await deployFolder(folder, registry, code, accountId));
    }
  } catch (error) {
    registry.close();
    throw error;
  }
  const sandbox = await Sandbox.start({ executors: options.executors });
  const pool = new WarmPool(sandbox, options.pool);
  const logs = new LogStore(options.dataDir);
  const queues = new Queues(db, { region, accountId });
  const gate = new ConcurrencyGate(registry, { ...DEFAULT_LIMITS, ...options.limits });
  const deps: ApiDeps = {
    registry,
    code,
    invoker: new Invoker(pool, gate, (name, stream, log) => {
      logs.append(name, stream, log);
      options.onLog?.(name, stream, log);
    }),
    region,
    accountId,
    codeStorageLimitBytes: options.codeStorageLimitBytes ?? CODE_STORAGE_LIMIT_BYTES,
    queues,
  };
  const app = createApi(deps);
  provisionAll(deps);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    deployed,
    sandbox,
    queues,
    async close() {
      // Long polls answer now (empty), or closing would wait up to 20 s for them.
      queues.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
      await sandbox.close();
      await logs.close();
      registry.close();
    },
  };
}
