/**
 * `isolambda serve`: one process with the registry (SQLite in --data-dir), the sandbox's executor
 * workers, and the Lambda API on one port. Deploys every folder under --functions at start.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type ApiDeps, createApi } from "./api/index.js";
import { provisionAll } from "./api/provisioned.js";
import { RegistryCache } from "./api/registry-cache.js";
import type { DoorConfig } from "./config/index.js";
import { type RunningDoor, startDoors } from "./doors/index.js";
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
  /** The HTTP doors (ALB, CloudFront, function URL), each on its own port of `host`. */
  doors?: DoorConfig[];
  /** Where the doors' lines go (why a request got a 5xx); stderr by default. */
  onDoorLog?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** What deploying the function folders did, by function name. */
  deployed: Map<string, DeployOutcome>;
  /** The executors, for an embedding program (and the tests) to inspect or kill. */
  sandbox: Sandbox;
  /** The doors' listeners, in config order. */
  doors: RunningDoor[];
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const { registry, code } = openRegistry(options.dataDir, { region, accountId });
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
  };
  const cache = new RegistryCache(registry, code);
  const app = createApi(deps, cache);
  provisionAll(deps);
  const shutdown = async () => {
    pool.close();
    await sandbox.close();
    await logs.close();
    registry.close();
  };
  let doors: RunningDoor[];
  let server: ReturnType<typeof serve>;
  try {
    const log = options.onDoorLog ?? ((line: string) => console.error(`isolambda: ${line}`));
    doors = await startDoors(options.doors ?? [], { api: deps, cache, host: options.host, log });
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
      s.once("error", reject);
    }).catch(async (error: unknown) => {
      await Promise.all(doors.map((door) => door.close()));
      throw error;
    });
  } catch (error) {
    await shutdown();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    deployed,
    sandbox,
    doors,
    async close() {
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), ...doors.map((door) => door.close())]);
      await shutdown();
    },
  };
}
