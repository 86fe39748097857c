/**
 * Issue 13's before/after rows of `npm run bench:sandbox`: hello-world cold starts (create, INIT,
 * first invocation) in the executor's code path with the guest runtime as it was before Node's
 * built-ins, the AWS SDK and response streaming (bench/guest/minimal-bootstrap.js, bundled here as
 * scripts/build.mjs bundles the real one) and with the full one (dist/guest/bootstrap.js). The two
 * alternate within each round, so a busy machine weighs on both alike. Measured with a spare
 * runtime ready (the usual path) and without one (every cold start of a burst past the first).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { GuestEnvironment } from "../dist/sandbox/executor/environment.js";
import { ModuleInstances } from "../dist/sandbox/executor/instances.js";
import { PackageFiles } from "../dist/sandbox/executor/package-files.js";
import { guestBootstrapSource } from "../dist/sandbox/shared/guest-bundle.js";
import { GUEST_BUNDLE } from "../scripts/guest-builtins.mjs";
import { benchConfig, benchEvent, idleTurn, wireContext } from "./environments.js";
import { round, type Summary, summarize } from "./stats.js";

export interface BeforeAfter {
  before: Summary;
  after: Summary;
  /** after p50 / before p50 */
  ratio: number;
}

export interface GuestRuntimeResult {
  bootstrapKB: { before: number; after: number };
  cold: BeforeAfter;
  coldWithoutSpare: BeforeAfter;
}

async function minimalBootstrap(): Promise<string> {
  const out = await build({ ...GUEST_BUNDLE, entryPoints: ["bench/guest/minimal-bootstrap.js"], globalName: "__boot", write: false });
  return out.outputFiles[0]?.text ?? "";
}

const codeDir = path.resolve("functions/hello");
async function compare(
  wasm: WebAssembly.Module,
  bootstraps: { before: string; after: string },
  withSpare: boolean,
  rounds: number,
  progress: (done: number) => void,
): Promise<BeforeAfter> {
  const files = new PackageFiles(codeDir);
  const sides = await Promise.all(
    (["before", "after"] as const).map(async (side) => {
      const bootstrap = bootstraps[side];
      const instances = new ModuleInstances(wasm, withSpare);
      instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instance, bootstrap);
      const config = benchConfig({ codeDir, versionKey: `hello:${side}` });
      // The version's instance stays alive, as it does while a version has environments.
      const keepAlive = await GuestEnvironment.create(instances, config, files, bootstrap);
      return { side, bootstrap, instances, config, keepAlive: keepAlive.env, samples: [] as number[] };
    }),
  );
  for (let i = 0; i < rounds; i++) {
    // Alternating which goes first, so neither always follows the other's garbage.
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      const t = performance.now();
      const { env } = await GuestEnvironment.create(s.instances, s.config, files, s.bootstrap);
      const out = await env.invoke(benchEvent, wireContext(`${s.side}-${i}`, s.config));
      s.samples.push(performance.now() - t);
      if (!out.ok) throw new Error(`${s.side}: ${out.payload}`);
      env.dispose();
      await idleTurn();
    }
    progress(i + 1);
  }
  for (const s of sides) s.keepAlive.dispose();
  const [before, after] = sides.map((s) => summarize(s.samples)) as [Summary, Summary];
  return { before, after, ratio: round(after.p50 / before.p50, 3) };
}

export async function guestRuntimeBench(
  rounds: number,
  progress: (label: string, done: number, total: number) => void,
): Promise<GuestRuntimeResult> {
  const wasmPath = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
  const wasm = await WebAssembly.compile(await readFile(wasmPath));
  const bootstraps = { before: await minimalBootstrap(), after: guestBootstrapSource() };
  const cold = await compare(wasm, bootstraps, true, rounds, (done) => progress("guest runtime before/after, cold", done, rounds));
  const coldWithoutSpare = await compare(wasm, bootstraps, false, rounds, (done) =>
    progress("guest runtime before/after, cold without spare", done, rounds),
  );
  const kb = (text: string) => round(Buffer.byteLength(text) / 1024, 1);
  return { bootstrapKB: { before: kb(bootstraps.before), after: kb(bootstraps.after) }, cold, coldWithoutSpare };
}
