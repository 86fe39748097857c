/**
 * An executor worker: hosts execution environments (never on the main thread) and answers the
 * main thread's create / invoke / dispose messages. A busy handler can stall this worker, never
 * the main thread; the main thread terminates a worker that stops answering.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Batcher } from "./batch.js";
import { GuestEnvironment } from "./environment.js";
import { exitError } from "./errors.js";
import { guestBootstrapSource, warmUp } from "./guest-host.js";
import { ModuleInstances } from "./instances.js";
import { nodePathOf } from "./lambda-env.js";
import { PackageFiles } from "./package-files.js";
import type { FromWorker, ToWorker } from "./protocol.js";
import { runtimeModules } from "./runtime-modules.js";
import type { EnvironmentConfig, FunctionError } from "./types.js";

if (parentPort === null) throw new Error("worker.ts runs only as an executor worker");
const port = parentPort;
const { wasmModule } = workerData as { wasmModule: WebAssembly.Module };
const instances = new ModuleInstances(wasmModule);
const bootstrap = guestBootstrapSource();
const environments = new Map<number, { env: GuestEnvironment; packageKey: string }>();
/** Package file caches, shared by the environments of one package, layers and runtime. */
const packages = new Map<string, { files: PackageFiles; users: number }>();

const outbox = new Batcher<FromWorker>((batch) => port.postMessage(batch));
const post = (message: FromWorker) => outbox.push(message);

function packageKey(config: EnvironmentConfig): string {
  return JSON.stringify([config.codeDir, config.layerDirs ?? [], config.runtime]);
}

function openPackage(config: EnvironmentConfig): PackageFiles {
  const key = packageKey(config);
  const entry = packages.get(key) ?? {
    files: new PackageFiles(config.codeDir, {
      layerDirs: config.layerDirs,
      nodePath: nodePathOf(config.runtime),
      runtimeModules: runtimeModules(),
    }),
    users: 0,
  };
  entry.users += 1;
  packages.set(key, entry);
  return entry.files;
}

function closePackage(key: string): void {
  const entry = packages.get(key);
  if (entry !== undefined && --entry.users === 0) packages.delete(key);
}

function drop(envId: number): void {
  const hosted = environments.get(envId);
  if (hosted === undefined) return;
  environments.delete(envId);
  lastMeasured.delete(envId);
  hosted.env.dispose();
  closePackage(hosted.packageKey);
}

async function create({ envId, config, logStreamName }: Extract<ToWorker, { type: "create" }>): Promise<void> {
  const started = performance.now();
  let initError: FunctionError | undefined;
  let logs = "";
  try {
    const files = openPackage(config);
    try {
      const { env, init } = await GuestEnvironment.create(instances, config, files, bootstrap, logStreamName);
      logs = init.logs;
      if (init.ok) environments.set(envId, { env, packageKey: packageKey(config) });
      else initError = JSON.parse(init.payload) as FunctionError;
    } finally {
      if (!environments.has(envId)) closePackage(packageKey(config));
    }
  } catch (error) {
    initError = exitError("undefined", error instanceof Error ? error.message : String(error));
  }
  post({ type: "created", envId, initDurationMs: performance.now() - started, logs, initError });
  // Measured at once so the first REPORT has a Max Memory Used; the invoke message takes a round trip to arrive.
  if (initError === undefined) setImmediate(() => measure(envId));
}

async function invoke(message: Extract<ToWorker, { type: "invoke" }>): Promise<void> {
  const { envId, invId, event, context } = message;
  const hosted = environments.get(envId);
  if (hosted === undefined) {
    const payload = JSON.stringify(exitError(context.requestId, "environment is gone"));
    post({ type: "result", invId, ok: false, payload, logs: "", durationMs: 0, environmentGone: true });
    return;
  }
  const outcome = await hosted.env.invoke(event, context, (data, contentType) => post({ type: "chunk", invId, data, contentType }));
  if (outcome.gone) drop(envId);
  const { ok, payload, logs, durationMs, gone, contentType } = outcome;
  // After a slow invocation the walk is cheap next to it: measured first, so this REPORT's Max
  // Memory Used includes it (the memory message goes out ahead of the result, in the same batch).
  const slow = durationMs >= SLOW_INVOCATION_MS;
  if (!gone && slow) measure(envId, true);
  post({ type: "result", invId, ok, payload, logs, durationMs, environmentGone: gone, contentType });
  if (!gone && !slow) setImmediate(() => measure(envId));
}

/**
 * Walking a heap costs ~0.1–0.2 ms of executor time, more than a warm invocation: an environment
 * is measured at most this often.
 */
const MEASURE_EVERY_MS = 1000;
/** After an invocation this long, a walk costs under a tenth of it: measured every time, so Max Memory Used keeps up. */
const SLOW_INVOCATION_MS = 2;
const lastMeasured = new Map<number, number>();

/** Reports an environment's heap once the executor has nothing more urgent to do. */
function measure(envId: number, always = false): void {
  const hosted = environments.get(envId);
  if (hosted === undefined || hosted.env.busy) return;
  const now = performance.now();
  if (!always && now - (lastMeasured.get(envId) ?? Number.NEGATIVE_INFINITY) < MEASURE_EVERY_MS) return;
  lastMeasured.set(envId, now);
  try {
    post({ type: "memory", envId, heapBytes: hosted.env.heapBytes(), tmpBytes: hosted.env.tmpBytes });
  } catch {
    // A heap that cannot be measured is reported by the next invocation's memory check.
  }
}

function handle(message: ToWorker): void {
  if (message.type === "create") void create(message);
  else if (message.type === "invoke") void invoke(message);
  else drop(message.envId);
}

port.on("message", (batch: ToWorker[]) => {
  for (const message of batch) handle(message);
});
instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instances, instance, bootstrap);
warmUp(await instances.unassignedModule(), bootstrap);
post({ type: "ready" });
