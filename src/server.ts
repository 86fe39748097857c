/**
 * `isolambda serve`: one process with the registry (SQLite in --data-dir), the sandbox's executor
 * workers, and the Lambda API on one port. Deploys every folder under --functions at start.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { type AuthSettings, authGate, FunctionCredentials } from "./api/auth/index.js";
import { deadLetterTargetOf, invokeInternally, invokeStoredEvent } from "./api/event-invoke.js";
import { type ApiDeps, createApi } from "./api/index.js";
import { invokeRoute } from "./api/invoke-route.js";
import { provisionAll } from "./api/provisioned.js";
import { type AsyncOptions, DEFAULT_ASYNC_OPTIONS, Dispatcher } from "./async/dispatcher.js";
import { SqliteEventInvokeConfigs, SqliteEventQueue } from "./async/sqlite-store.js";
import type { DoorConfig } from "./config/index.js";
import { type RunningDoor, startDoors } from "./doors/index.js";
import { type DeployOutcome, deployFolder } from "./functions/deploy.js";
import { type FunctionFolder, readFunctionFolder, readFunctionFolders } from "./functions/folder.js";
import { functionArn } from "./lambda/arn.js";
import { ConcurrencyGate, type ConcurrencyLimits, DEFAULT_LIMITS } from "./lambda/concurrency.js";
import { Invoker, type LogSink } from "./lambda/invoker.js";
import { RegistryCache } from "./lambda/registry-cache.js";
import { LogStore } from "./observe/log-store.js";
import { type PoolOptions, WarmPool } from "./pool/index.js";
import { openRegistry } from "./registry/index.js";
import type { EgressRules } from "./sandbox/egress.js";
import { type AwsCredentials, ComponentCache, Sandbox } from "./sandbox/index.js";
import { EventSources, MappingStore } from "./sources/index.js";
import { Scheduler } from "./sources/scheduler.js";
import { Queues, SqsEventSource } from "./sqs/index.js";

/** AWS's default account-wide code storage (CodeStorageExceededException past it). */
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
  /** The credentials every function gets as its execution role's; by default each function gets its own. */
  credentials?: AwsCredentials;
  /** SigV4 verification of the Lambda and SQS APIs; off by default. */
  auth?: AuthSettings;
  /** Where handlers' outbound requests may go, beyond the built-in refusal of link-local addresses. */
  egress?: EgressRules;
  /** Retry delays and bounds of asynchronous invocation; Lambda's defaults otherwise. */
  async?: Partial<AsyncOptions>;
  /** SnapStart for every version of every Node.js function ($LATEST too): for benchmarks. */
  snapStartEverywhere?: boolean;
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
  /** The built-in SQS-compatible queues (Lambda destinations and dead-letter queues deliver here). */
  queues: Queues;
  /** The doors' listeners, in config order. */
  doors: RunningDoor[];
  /** Provisioned environments asked for and initialised so far, over every version and alias. */
  provisioning(): { requested: number; allocated: number };
  /**
   * Deploys one folder under --functions again (after an edit): its environments are retired, so
   * the next invocation is a cold start of the new code.
   */
  redeploy(folderName: string): Promise<DeployOutcome>;
  /** Stops taking work, lets running invocations finish (async ones record their outcome), then stops everything. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const { registry, code, db } = openRegistry(options.dataDir, { region, accountId });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const components = new ComponentCache(path.join(options.dataDir, "components"));
  const deployed = new Map<string, DeployOutcome>();
  const deploy = (folder: FunctionFolder) =>
    deployFolder(folder, registry, code, accountId, limits.accountConcurrency - limits.unreservedMinimum, region, components);
  let folders: FunctionFolder[] = [];
  try {
    folders = readFunctionFolders(options.functionsDir ?? "");
    for (const folder of folders) deployed.set(folder.name, await deploy(folder));
  } catch (error) {
    registry.close();
    throw error;
  }
  const sandbox = await Sandbox.start({
    executors: options.executors,
    snapshotDir: path.join(options.dataDir, "snapshots"),
    componentDir: components.root,
  });
  const pool = new WarmPool(sandbox, options.pool);
  const logs = new LogStore(options.dataDir);
  const gate = new ConcurrencyGate(registry, limits);
  const queues = new Queues(db, { region, accountId });
  const invoker = new Invoker(pool, gate, (name, stream, log) => {
    logs.append(name, stream, log);
    options.onLog?.(name, stream, log);
  });
  const eventInvokeConfigs = new SqliteEventInvokeConfigs(db);
  const dispatcher = new Dispatcher(
    {
      queue: new SqliteEventQueue(db),
      configs: eventInvokeConfigs,
      metrics: invoker.metrics,
      invoke: (event, payload) => invokeStoredEvent(deps, event, payload),
      hasRoom: (functionName) => gate.hasRoom(functionName),
      functionArn: (name, qualifier) => functionArn({ region, accountId }, name, qualifier),
      deadLetterTarget: (event) => deadLetterTargetOf(deps, event),
      queues,
    },
    { ...DEFAULT_ASYNC_OPTIONS, ...options.async },
  );
  const sources = new EventSources(new MappingStore(db), {
    queues: new SqsEventSource(queues, region),
    metrics: invoker.metrics,
    invoke: (mapping, event) =>
      invokeInternally(deps, {
        functionName: mapping.functionName,
        qualifier: mapping.qualifier,
        payload: event,
        invocationType: "RequestResponse",
      }),
  });
  const scheduler = new Scheduler(db, {
    region,
    accountId,
    fire: (functionName, payload) =>
      dispatcher.accept({ requestId: randomUUID(), functionName, qualifier: "$LATEST", payload, received: Date.now() }),
  });
  const declare = (folder: FunctionFolder) => {
    scheduler.replace(
      folder.name,
      folder.settings.schedules.map((declared, i) =>
        typeof declared === "string"
          ? { name: `${folder.name}-schedule-${i + 1}`, expression: declared }
          : { name: declared.name ?? `${folder.name}-schedule-${i + 1}`, expression: declared.expression, input: declared.input },
      ),
    );
    sources.declare(folder.name, folder.settings.eventSources);
  };
  for (const folder of folders) declare(folder);
  const deps: ApiDeps = {
    registry,
    code,
    components,
    invoker,
    region,
    accountId,
    codeStorageLimitBytes: options.codeStorageLimitBytes ?? CODE_STORAGE_LIMIT_BYTES,
    async: dispatcher,
    eventInvokeConfigs,
    credentials: options.credentials,
    functionCredentials: new FunctionCredentials(options.dataDir),
    egress: options.egress,
    queues,
    sources,
    scheduler,
    snapStartEverywhere: options.snapStartEverywhere,
    logs,
  };
  const cache = new RegistryCache(registry, code);
  const app = createApi(deps, cache);
  const shutdown = async () => {
    scheduler.close();
    sources.close();
    dispatcher.close();
    pool.close();
    await sandbox.close();
    await logs.close();
    registry.close();
  };
  let doors: RunningDoor[];
  let server: Server;
  try {
    const log = options.onDoorLog ?? ((line: string) => console.error(`isolambda: ${line}`));
    doors = await startDoors(options.doors ?? [], { core: deps, cache, host: options.host, log });
    // Invoke first, on node:http (src/api/invoke-route.ts); every other request goes to the Hono app.
    const invoke = invokeRoute(deps, cache);
    const toApp = getRequestListener(app.fetch, { hostname: options.host });
    const gate = authGate(
      {
        settings: options.auth ?? { mode: "none", credentials: [] },
        functions: deps.functionCredentials,
        region,
        accountId,
        listenHost: options.host,
      },
      (incoming, outgoing) => {
        if (!invoke(incoming, outgoing)) void toApp(incoming, outgoing);
      },
    );
    server = await new Promise<Server>((resolve, reject) => {
      const s = createServer(gate);
      s.once("error", reject);
      s.listen(options.port, options.host, () => resolve(s));
    }).catch(async (error: unknown) => {
      await Promise.all(doors.map((door) => door.close()));
      throw error;
    });
  } catch (error) {
    // The port is taken (or refused): nothing may keep the process alive after the error.
    await shutdown();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  // A server on every address is reached from its functions on loopback.
  const reachable = ["0.0.0.0", "::"].includes(options.host) ? "127.0.0.1" : host;
  deps.endpointUrl = `http://${reachable}:${port}`;
  // Environments started from here on know the endpoint.
  provisionAll(deps);
  dispatcher.start();
  sources.start();
  scheduler.start();
  return {
    url: `http://${host}:${port}`,
    deployed,
    sandbox,
    queues,
    doors,
    provisioning() {
      let requested = 0;
      let allocated = 0;
      for (const config of registry.listProvisioned()) {
        requested += config.requested;
        allocated += pool.provisionedStatus({ functionName: config.functionName, qualifier: config.qualifier })?.allocated ?? 0;
      }
      return { requested, allocated };
    },
    async redeploy(folderName) {
      const folder = readFunctionFolder(path.join(options.functionsDir ?? "", folderName));
      const outcome = await deploy(folder);
      deployed.set(folder.name, outcome);
      cache.clear();
      if (outcome !== "unchanged") invoker.retire(folder.name);
      declare(folder);
      return outcome;
    },
    async close() {
      // Pollers stop, and long polls answer now (empty), or closing would wait up to 20 s for them.
      sources.close();
      queues.close();
      scheduler.close();
      dispatcher.close();
      // Listeners stop accepting; each waits for the requests it is answering.
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), ...doors.map((door) => door.close())]);
      // Async invocations still running finish, and their outcome is written to the queue before it closes.
      await invoker.drained();
      await shutdown();
    },
  };
}
