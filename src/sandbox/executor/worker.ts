/**
 * An executor worker: hosts execution environments (never on the main thread) and answers the
 * main thread's create / invoke / dispose messages. A busy handler can stall this worker, never
 * the main thread; the main thread terminates a worker that stops answering.
 */
import { parentPort, workerData } from "node:worker_threads";
import { COMPONENT_RUNTIME, ComponentCache } from "../component/cache.js";
import { ComponentEnvironment } from "../component/environment.js";
import { exitError } from "../shared/errors.js";
import { guestBootstrapSource } from "../shared/guest-bundle.js";
import { nodePathOf } from "../shared/lambda-env.js";
import { countPoolJobsIn } from "../shared/pool-threads.js";
import {
  decodeToWorker,
  type ExecutorData,
  type ExecutorLink,
  encodeFromWorker,
  type FromWorker,
  type ToWorker,
} from "../shared/protocol.js";
import { RingReader, RingWriter } from "../shared/ring.js";
import { TurnClockWriter } from "../shared/turn-clock.js";
import type { EnvironmentConfig, FunctionError } from "../shared/types.js";
import { GuestEnvironment } from "./environment.js";
import { warmUp } from "./guest-host.js";
import { ModuleInstances } from "./instances.js";
import { MemoryGate, returnMemory } from "./memory-gate.js";
import { countHostCallsIn } from "./native/host-calls.js";
import { PackageFiles } from "./package-files.js";
import type { PhaseOutcome } from "./phase.js";
import { PhaseLoop } from "./phase-loop.js";
import { runtimeModules } from "./runtime-modules.js";
import { SnapshotStore } from "./snapshot-store.js";

if (parentPort === null) throw new Error("worker.ts runs only as an executor worker");
const port = parentPort;
const { wasmModule, runtimeSha256, snapshotDir, componentDir, link } = workerData as ExecutorData & { link: ExecutorLink };
const instances = new ModuleInstances(wasmModule);
const clock = new TurnClockWriter(link.turns);
countHostCallsIn(clock.hostCalls);
countPoolJobsIn(link.poolJobs);
PhaseLoop.turns = clock;
const sendSettled = () => {
  if (answers.length > 0) sendAnswers();
};
PhaseLoop.duringTurn = sendSettled;
MemoryGate.onGrow = sendSettled;
const bootstrap = guestBootstrapSource();
const snapshots = new SnapshotStore(instances, bootstrap, runtimeSha256, snapshotDir);
const components = new ComponentCache(componentDir);
const environments = new Map<number, { env: GuestEnvironment | ComponentEnvironment; packageKey: string }>();
/** Package file caches, shared by the environments of one package, layers and runtime. */
const packages = new Map<string, { files: PackageFiles; users: number }>();

const outbox = new RingWriter(link.fromWorker, link.overflow);
function post(message: FromWorker): void {
  const [meta, bulk] = encodeFromWorker(message);
  outbox.write(meta, bulk);
}

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
  lastPosted.delete(envId);
  const { memoryBytes } = hosted.env;
  hosted.env.dispose();
  closePackage(hosted.packageKey);
  returnMemory(memoryBytes);
}

/** An environment restored from its version's SnapStart snapshot, made first if there is none. */
async function restore(
  config: EnvironmentConfig,
  files: PackageFiles,
  logStreamName: string,
  snapshotOnly: boolean,
): Promise<{ env?: GuestEnvironment; init: PhaseOutcome; started: number }> {
  const found = await snapshots.snapshotFor(config, files);
  if ("failure" in found) return { init: found.failure, started: performance.now() };
  // A restore's duration starts once the snapshot is at hand: making it is the publish's INIT.
  const started = performance.now();
  if (snapshotOnly) return { init: { ok: true, payload: "null", logs: "", durationMs: 0, gone: false }, started };
  const target = await snapshots.takeTarget(found.key, found.snapshot);
  return { ...(await GuestEnvironment.restore(target, found.snapshot, config, files, logStreamName)), started };
}

async function create({ envId, config, logStreamName, snapshotOnly }: Extract<ToWorker, { type: "create" }>): Promise<void> {
  let started = performance.now();
  let initError: FunctionError | undefined;
  let logs = "";
  const restored = config.snapStart === true;
  try {
    const files = openPackage(config);
    try {
      let made: { env?: GuestEnvironment | ComponentEnvironment; init: PhaseOutcome };
      if (config.runtime === COMPONENT_RUNTIME) {
        made = await ComponentEnvironment.create(config, components, logStreamName);
      } else if (restored) {
        const outcome = await restore(config, files, logStreamName, snapshotOnly === true);
        started = outcome.started;
        made = outcome;
      } else {
        made = await GuestEnvironment.create(instances, config, files, bootstrap, logStreamName);
      }
      const { env, init } = made;
      logs = init.logs;
      if (init.ok && env !== undefined) environments.set(envId, { env, packageKey: packageKey(config) });
      else if (!init.ok) initError = JSON.parse(init.payload) as FunctionError;
    } finally {
      if (!environments.has(envId)) closePackage(packageKey(config));
    }
  } catch (error) {
    initError = exitError("undefined", error instanceof Error ? error.message : String(error));
  }
  // Ahead of "created", so the first REPORT has a Max Memory Used.
  if (initError === undefined) postMemory(envId);
  post({ type: "created", envId, initDurationMs: performance.now() - started, logs, initError, restored });
}

async function invoke(message: Extract<ToWorker, { type: "invoke" }>): Promise<void> {
  const { envId, invId, wire, requestId, deadline } = message;
  // Taken back while it waited behind a stalled turn: the main thread runs it elsewhere.
  if (!clock.claim(invId)) return;
  const hosted = environments.get(envId);
  if (hosted === undefined) {
    const payload = JSON.stringify(exitError(requestId, "environment is gone"));
    post({ type: "result", invId, ok: false, payload, logs: "", durationMs: 0, environmentGone: true });
    return;
  }
  const onChunk = (data: Uint8Array, contentType: string) => post({ type: "chunk", invId, data, contentType });
  const settled = (outcome: PhaseOutcome) => answer(envId, invId, outcome);
  if (hosted.env instanceof GuestEnvironment) hosted.env.invokeWire(wire, requestId, deadline, onChunk, settled);
  else settled(await hosted.env.invokeWire(wire));
}

/**
 * Answers settled while a batch of frames is handled go out together once it is, so the main thread
 * wakes once for them; or at once, when a later turn in the batch runs long (a spinning handler must
 * not hold the answers of those that ran before it).
 */
const answers: Array<{ envId: number; invId: number; outcome: PhaseOutcome }> = [];

function answer(envId: number, invId: number, outcome: PhaseOutcome): void {
  if (answers.push({ envId, invId, outcome }) === 1) queueMicrotask(sendAnswers);
}

function sendAnswers(): void {
  for (const { envId, invId, outcome } of answers.splice(0)) {
    // Ahead of the result, in the same batch of frames: this REPORT's Max Memory Used includes it
    // (an environment that ran out of memory reports its peak too).
    postMemory(envId);
    if (outcome.gone) drop(envId);
    const { ok, payload, logs, durationMs, gone, contentType } = outcome;
    post({ type: "result", invId, ok, payload, logs, durationMs, environmentGone: gone, contentType });
  }
}

/** What each environment last reported: a warm invocation that changed neither sends nothing. */
const lastPosted = new Map<number, { memoryBytes: number; tmpBytes: number }>();

/** Reports an environment's memory and /tmp when either changed; both are read without walking anything. */
function postMemory(envId: number): void {
  const hosted = environments.get(envId);
  if (hosted === undefined) return;
  const { memoryBytes, tmpBytes } = hosted.env;
  const last = lastPosted.get(envId);
  if (last !== undefined && last.memoryBytes === memoryBytes && last.tmpBytes === tmpBytes) return;
  lastPosted.set(envId, { memoryBytes, tmpBytes });
  post({ type: "memory", envId, memoryBytes, tmpBytes });
}

function handle(message: ToWorker): void {
  if (message.type === "create") void create(message);
  else if (message.type === "invoke") void invoke(message);
  else drop(message.envId);
}

// Nothing comes by the port: its listener keeps this worker alive, which the ring's wait does not.
port.on("message", () => {});
new RingReader(link.toWorker, link.overflow, (meta, bulk) => {
  clock.begin();
  try {
    handle(decodeToWorker(meta, bulk));
  } finally {
    clock.end();
  }
});
instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instance, bootstrap);
warmUp(await instances.readyModule(), bootstrap);
post({ type: "ready" });
