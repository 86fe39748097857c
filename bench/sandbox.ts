/**
 * `npm run bench:sandbox`: cold and warm starts of a hello-world handler, and memory per idle
 * environment, measured twice: inside the executor's code path (no thread hop) and end to end
 * from the main thread through the Sandbox API (worker round trip included). Runs the built
 * dist/, writes bench/results/sandbox.json and prints a table. SnapStart's rows (bench/snapstart.ts):
 * cold starts with INIT run again against restores from a snapshot, for hello, lodash + zod and an
 * SQS client. The guest runtime's rows (bench/guest-runtime.ts): hello cold starts with the runtime
 * before Node's built-ins, the SDK and streaming against the full one. And how much of the lodash +
 * zod handler's INIT is compiling its modules (bench/compile-share.ts).
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { GuestEnvironment } from "../dist/sandbox/executor/environment.js";
import { ModuleInstances } from "../dist/sandbox/executor/instances.js";
import { PackageFiles } from "../dist/sandbox/executor/package-files.js";
import { Sandbox } from "../dist/sandbox/index.js";
import { guestBootstrapSource } from "../dist/sandbox/shared/guest-bundle.js";
import { compileShareBench } from "./compile-share.js";
import { benchConfig, benchEvent as event, idleTurn, wireContext } from "./environments.js";
import { guestRuntimeBench } from "./guest-runtime.js";
import { snapStartBench } from "./snapstart.js";
import { round, type Summary, summarize, table } from "./stats.js";

const ROUNDS = { cold: 300, fresh: 60, warm: 5000, idle: 200, snapStart: 60, guestRuntime: 150, compileShare: 20 };
const codeDir = path.resolve("functions/hello");
let versions = 0;
const config = (versionKey = `hello:${++versions}`) => benchConfig({ codeDir, versionKey });

function progress(label: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${done}/${total}   `);
  if (done === total) process.stderr.write(process.stderr.isTTY ? "\n" : `${label}: ${total}/${total}\n`);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function inExecutor(): Promise<Record<string, Summary | number>> {
  const wasmPath = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
  const wasm = await WebAssembly.compile(await readFile(wasmPath));
  const instances = new ModuleInstances(wasm);
  const bootstrap = guestBootstrapSource();
  // As the executor does: the unassigned instance waits with a booted runtime in it.
  instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instance, bootstrap);
  const files = new PackageFiles(codeDir);
  const shared = config("hello:shared");
  const keepAlive = await GuestEnvironment.create(instances, shared, files, bootstrap);

  const cold: number[] = [];
  for (let i = 0; i < ROUNDS.cold; i++) {
    const t = performance.now();
    const { env } = await GuestEnvironment.create(instances, shared, files, bootstrap);
    const out = await env.invoke(event, wireContext(`cold-${i}`, shared));
    cold.push(performance.now() - t);
    if (!out.ok) throw new Error(out.payload);
    env.dispose();
    // Between two requests the executor's event loop turns; that is when a spare is booted.
    await idleTurn();
    progress("in executor, cold (instance exists)", i + 1, ROUNDS.cold);
  }

  // Without a pre-booted spare: what every cold start of a burst pays once the spare is taken.
  const bare = new ModuleInstances(wasm, false);
  const bareKeepAlive = await GuestEnvironment.create(bare, shared, files, bootstrap);
  const coldBoot: number[] = [];
  for (let i = 0; i < ROUNDS.cold; i++) {
    const t = performance.now();
    const { env } = await GuestEnvironment.create(bare, shared, files, bootstrap);
    await env.invoke(event, wireContext(`boot-${i}`, shared));
    coldBoot.push(performance.now() - t);
    env.dispose();
    progress("in executor, cold (no spare runtime)", i + 1, ROUNDS.cold);
  }
  bareKeepAlive.env.dispose();

  const fresh: number[] = [];
  for (let i = 0; i < ROUNDS.fresh; i++) {
    const t = performance.now();
    const version = config();
    const { env } = await GuestEnvironment.create(instances, version, files, bootstrap);
    await env.invoke(event, wireContext(`fresh-${i}`, version));
    fresh.push(performance.now() - t);
    env.dispose();
    await idleTurn();
    progress("in executor, cold (new version)", i + 1, ROUNDS.fresh);
  }

  const warm: number[] = [];
  const env = keepAlive.env;
  for (let i = 0; i < ROUNDS.warm; i++) {
    const t = performance.now();
    await env.invoke(event, wireContext(`warm-${i}`, shared));
    warm.push(performance.now() - t);
  }
  progress("in executor, warm", ROUNDS.warm, ROUNDS.warm);

  // Memory per idle environment: the instance's linear memory growth plus host-side RSS growth.
  gc();
  const rssBefore = process.memoryUsage().rss;
  const idle: GuestEnvironment[] = [];
  for (let i = 0; i < ROUNDS.idle; i++) {
    const created = await GuestEnvironment.create(instances, shared, files, bootstrap);
    await created.env.invoke(event, wireContext(`idle-${i}`, shared));
    idle.push(created.env);
  }
  gc();
  const perIdleKB = (process.memoryUsage().rss - rssBefore) / ROUNDS.idle / 1024;
  progress("in executor, idle environments", ROUNDS.idle, ROUNDS.idle);
  for (const e of idle) e.dispose();
  env.dispose();
  return {
    cold: summarize(cold),
    coldWithoutSpare: summarize(coldBoot),
    freshVersion: summarize(fresh),
    warm: summarize(warm),
    perIdleEnvironmentKB: round(perIdleKB, 1),
  };
}

async function endToEnd(): Promise<Record<string, Summary | number>> {
  const sandbox = await Sandbox.start({ executors: 1 });
  const shared = config("hello:e2e");
  const keepAlive = await sandbox.createEnvironment(shared);

  const cold: number[] = [];
  for (let i = 0; i < ROUNDS.cold; i++) {
    const t = performance.now();
    const env = await sandbox.createEnvironment(shared);
    await env.invoke(event);
    cold.push(performance.now() - t);
    env.dispose();
    await idleTurn();
    progress("end to end, cold (instance exists)", i + 1, ROUNDS.cold);
  }
  const fresh: number[] = [];
  for (let i = 0; i < ROUNDS.fresh; i++) {
    const t = performance.now();
    const env = await sandbox.createEnvironment(config());
    await env.invoke(event);
    fresh.push(performance.now() - t);
    env.dispose();
    await idleTurn();
    progress("end to end, cold (new version)", i + 1, ROUNDS.fresh);
  }
  const warm: number[] = [];
  for (let i = 0; i < ROUNDS.warm; i++) {
    const t = performance.now();
    await keepAlive.invoke(event);
    warm.push(performance.now() - t);
  }
  progress("end to end, warm", ROUNDS.warm, ROUNDS.warm);

  gc();
  const rssBefore = process.memoryUsage().rss;
  const idle = [];
  for (let i = 0; i < ROUNDS.idle; i++) {
    const env = await sandbox.createEnvironment(shared);
    await env.invoke(event);
    idle.push(env);
  }
  gc();
  const perIdleKB = (process.memoryUsage().rss - rssBefore) / ROUNDS.idle / 1024;
  progress("end to end, idle environments", ROUNDS.idle, ROUNDS.idle);
  await sandbox.dispose();
  return { cold: summarize(cold), freshVersion: summarize(fresh), warm: summarize(warm), perIdleEnvironmentKB: round(perIdleKB, 1) };
}

const targets = {
  coldP50Ms: 0.5,
  coldP99Ms: 2,
  freshVersionP50Ms: 3,
  warmP50Ms: 0.1,
  perIdleEnvironmentKB: 300,
  // Issue 15: for the lodash + zod handler.
  snapStartSpeedup: 10,
  snapStartRestoreP50Ms: 2,
  // Issue 13: the full guest runtime against the one without built-ins, SDK or streaming (after / before, p50).
  guestRuntimeColdRatio: 1.1,
};
const inside = await inExecutor();
const e2e = await endToEnd();
const snapStart = await snapStartBench(ROUNDS.snapStart, progress);
const guestRuntime = await guestRuntimeBench(ROUNDS.guestRuntime, progress);
const compileShare = await compileShareBench(ROUNDS.compileShare, progress);

const rows: Array<Record<string, string | number>> = [
  ["cold, instance exists, spare ready (ms)", "cold", "p50"],
  ["cold, instance exists, spare ready p99 (ms)", "cold", "p99"],
  ["cold, no spare runtime (ms)", "coldWithoutSpare", "p50"],
  ["cold, new version (ms)", "freshVersion", "p50"],
  ["warm invoke (ms)", "warm", "p50"],
  ["warm invoke p99 (ms)", "warm", "p99"],
].map(([label, key, field]) => ({
  measure: label as string,
  "in executor": (inside[key as string] as Summary)[field as "p50" | "p99"],
  "end to end": (e2e[key as string] as Summary | undefined)?.[field as "p50" | "p99"] ?? "-",
}));
rows.push({
  measure: "memory per idle environment (KB)",
  "in executor": inside.perIdleEnvironmentKB as number,
  "end to end": e2e.perIdleEnvironmentKB as number,
});

for (const [label, r] of [
  ["spare ready", guestRuntime.cold],
  ["no spare runtime", guestRuntime.coldWithoutSpare],
] as const) {
  rows.push({
    measure: `hello cold, ${label}: runtime before / after built-ins, p50 (ms)`,
    "in executor": `${r.before.p50} / ${r.after.p50} (${r.ratio}x)`,
    "end to end": "-",
  });
}

rows.push({
  measure: `lodash + zod: INIT / compiling its ${compileShare.files} module files (${compileShare.sourceKB} KB), p50 (ms)`,
  "in executor": `${compileShare.init.p50} / ${compileShare.compileOnly.p50} (${Math.round(compileShare.share * 100)}%)`,
  "end to end": "-",
});

for (const [name, r] of Object.entries(snapStart)) {
  for (const field of ["p50", "p99"] as const) {
    rows.push({
      measure: `SnapStart ${name}: re-INIT / restore, ${field} (ms)`,
      "in executor": `${r.reInit[field]} / ${r.restore[field]} (${round(r.reInit[field] / r.restore[field], 1)}x)`,
      "end to end": "-",
    });
  }
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGB: round(os.totalmem() / 2 ** 30, 1) },
  rounds: ROUNDS,
  targets,
  inExecutor: inside,
  endToEnd: e2e,
  snapStart,
  guestRuntime,
  compileShare,
};
await writeFile("bench/results/sandbox.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(table(rows));
console.log("\nwritten: bench/results/sandbox.json");
