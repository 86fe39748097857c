/**
 * `isolambda serve`: one process with the registry (SQLite in --data-dir), the sandbox's executor
 * workers, and the Lambda API on one port. Deploys every folder under --functions at start.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { type AuthSettings, authGate, FunctionCredentials } from "./api/auth/index.js";
import { type ApiDeps, createApi } from "./api/index.js";
import { invokeRoute } from "./api/invoke-route.js";
import { apiListener } from "./api/listener.js";
import { type AsyncOptions, DEFAULT_ASYNC_OPTIONS, Dispatcher } from "./async/dispatcher.js";
import { SqliteEventInvokeConfigs, SqliteEventQueue } from "./async/sqlite-store.js";
import { deadLetterTargetOf, invokeStoredEvent } from "./async/stored-event.js";
import type { DoorConfig } from "./config/index.js";
import { doors, type RunningDoor } from "./doors/index.js";
import { type DeployOutcome, deployFolder } from "./functions/deploy.js";
import { type FunctionFolder, readFunctionFolder, readFunctionFolders } from "./functions/folder.js";
import { functionArn } from "./lambda/arn.js";
import { ConcurrencyGate, type ConcurrencyLimits, DEFAULT_LIMITS } from "./lambda/concurrency.js";
import type { LambdaCore } from "./lambda/core.js";
import { invokeInternally } from "./lambda/internal-invoke.js";
import { Invoker, type LogSink } from "./lambda/invoker.js";
import { provisionAll } from "./lambda/provisioned.js";
import { RegistryCache } from "./lambda/registry-cache.js";
import { LogStore } from "./observe/log-store.js";
import { type PoolOptions, WarmPool } from "./pool/index.js";
import { openRegistry } from "./registry/index.js";
import type { EgressRules } from "./sandbox/index.js";
import { type AwsCredentials, ComponentCache, Sandbox } from "./sandbox/index.js";
import { Services } from "./service.js";
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
  /** Stops taking work, lets running invocations finish (async ones record their outcome), then stops everything; once. */
  close(): Promise<void>;
  /** `await using server = await startServer(...)` closes it. */
  [Symbol.asyncDispose](): Promise<void>;
  /** False once close() has begun. */
  readonly alive: boolean;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const services = new Services();
  try {
    return await start(options, services);
  } catch (error) {
    // The port is taken (or refused): nothing may keep the process alive after the error.
    await services.close();
    throw error;
  }
}

/** Each part started after what it uses, so closing in reverse stops taking work before it waits for what runs. */
async function start(options: ServerOptions, services: Services): Promise<RunningServer> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const { registry, code, db } = await services.start("registry", {
    start: () => {
      const opened = openRegistry(options.dataDir, { region, accountId });
      return { ...opened, close: () => opened.registry.close() };
    },
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const components = new ComponentCache(path.join(options.dataDir, "components"));
  const deployed = new Map<string, DeployOutcome>();
  const deploy = (folder: FunctionFolder) =>
    deployFolder(folder, registry, code, accountId, limits.accountConcurrency - limits.unreservedMinimum, region, components);
  const folders = readFunctionFolders(options.functionsDir ?? "");
  for (const folder of folders) deployed.set(folder.name, await deploy(folder));
  const logs = await services.start("logs", { start: () => new LogStore(options.dataDir) });
  const sandbox = await services.start("sandbox", {
    start: () =>
      Sandbox.start({
        executors: options.executors,
        snapshotDir: path.join(options.dataDir, "snapshots"),
        componentDir: components.root,
      }),
  });
  const pool = await services.start("warm pool", { start: () => new WarmPool(sandbox, options.pool) });
  const gate = new ConcurrencyGate(registry, limits);
  const invoker = new Invoker(pool, gate, (name, stream, log) => {
    logs.append(name, stream, log);
    options.onLog?.(name, stream, log);
  });
  // Async invocations still running finish, and their outcome is written to the queue before it closes.
  await services.start("invocations", { start: () => ({ close: () => invoker.drained() }) });
  // Bound before the core is built, so every environment knows the endpoint; nothing is read until it serves.
  const listener = await services.start("Lambda API listener", apiListener, { port: options.port, host: options.host });
  const functionCredentials = new FunctionCredentials(options.dataDir);
  const core: LambdaCore = {
    registry,
    code,
    invoker,
    region,
    accountId,
    credentials: options.credentials,
    functionCredentials,
    egress: options.egress,
    endpointUrl: listener.endpointUrl,
    snapStartEverywhere: options.snapStartEverywhere,
  };
  const queues = new Queues(db, { region, accountId });
  const eventInvokeConfigs = new SqliteEventInvokeConfigs(db);
  const dispatcher = new Dispatcher(
    {
      queue: new SqliteEventQueue(db),
      configs: eventInvokeConfigs,
      metrics: invoker.metrics,
      invoke: (event, payload) => invokeStoredEvent(core, event, payload),
      hasRoom: (functionName) => gate.hasRoom(functionName),
      functionArn: (name, qualifier) => functionArn(core, name, qualifier),
      deadLetterTarget: (event) => deadLetterTargetOf(core, event),
      queues,
    },
    { ...DEFAULT_ASYNC_OPTIONS, ...options.async },
  );
  const sources = new EventSources(new MappingStore(db), {
    queues: new SqsEventSource(queues, region),
    metrics: invoker.metrics,
    invoke: (mapping, event) =>
      invokeInternally(core, {
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
    ...core,
    components,
    codeStorageLimitBytes: options.codeStorageLimitBytes ?? CODE_STORAGE_LIMIT_BYTES,
    async: dispatcher,
    eventInvokeConfigs,
    functionCredentials,
    queues,
    sources,
    scheduler,
    logs,
  };
  const cache = new RegistryCache(registry, code);
  const app = createApi(deps, cache);
  // Invoke first, on node:http (src/api/invoke-route.ts); every other request goes to the Hono app.
  const invoke = invokeRoute(deps, cache);
  const toApp = getRequestListener(app.fetch, { hostname: options.host });
  listener.serve(
    authGate(
      {
        settings: options.auth ?? { mode: "none", credentials: [] },
        functions: functionCredentials,
        region,
        accountId,
        listenHost: options.host,
      },
      (incoming, outgoing) => {
        if (!invoke(incoming, outgoing)) void toApp(incoming, outgoing);
      },
    ),
  );
  provisionAll(core);
  await services.start("SQS", queues);
  const log = options.onDoorLog ?? ((line: string) => console.error(`isolambda: ${line}`));
  const running = await services.start("doors", doors, { configs: options.doors ?? [], deps: { core, cache, host: options.host, log } });
  await services.start("async dispatch", dispatcher);
  await services.start("event source pollers", sources);
  await services.start("scheduler", scheduler);
  return {
    url: listener.url,
    deployed,
    sandbox,
    queues,
    doors: running.list,
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
    close: () => services.close(),
    [Symbol.asyncDispose]: () => services.close(),
    get alive() {
      return services.alive;
    },
  };
}
