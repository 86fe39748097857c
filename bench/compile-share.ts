/**
 * Issue 13's question of compiling module source once per CodeSha256: quickjs-emscripten-core
 * 0.32.0 cannot serialise compiled code (docs/node-compat.md), so this row measures what such a
 * cache could at most save. For the lodash + zod handler: INIT (from a booted spare, as a cold
 * start runs it) against compiling, without running, every module file INIT read, in the same
 * CommonJS wrapper the guest uses, alternated in one run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { GuestEnvironment } from "../dist/sandbox/executor/environment.js";
import { ModuleInstances } from "../dist/sandbox/executor/instances.js";
import { PackageFiles } from "../dist/sandbox/executor/package-files.js";
import { guestBootstrapSource } from "../dist/sandbox/shared/guest-bundle.js";
import { benchConfig, idleTurn } from "./environments.js";
import { libraryPackage } from "./snapstart.js";
import { round, type Summary, summarize } from "./stats.js";

export interface CompileShareResult {
  files: number;
  sourceKB: number;
  init: Summary;
  compileOnly: Summary;
  /** compileOnly p50 / init p50: the most a compiled-code cache could take off INIT. */
  share: number;
}

export async function compileShareBench(
  rounds: number,
  progress: (label: string, done: number, total: number) => void,
): Promise<CompileShareResult> {
  const require = createRequire(import.meta.url);
  const wasm = await WebAssembly.compile(await readFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")));
  const instances = new ModuleInstances(wasm);
  const bootstrap = guestBootstrapSource();
  instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instance, bootstrap);
  const dir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-compile-"));
  try {
    const codeDir = libraryPackage(dir);
    const files = new PackageFiles(codeDir);
    // The module files INIT reads: PackageFiles.read is the guest's only way to a file's source.
    const sources = new Map<string, string>();
    const read = files.read.bind(files);
    files.read = (file: string) => {
      const text = read(file);
      if (text !== undefined && /\.c?js$/.test(file)) sources.set(file, text);
      return text;
    };
    const config = benchConfig({
      functionName: "lodash-zod",
      functionVersion: "1",
      versionKey: "lodash-zod:compile-share",
      codeDir,
      memorySizeMB: 256,
      timeoutSeconds: 10,
    });
    const module = await instances.readyModule();
    const init: number[] = [];
    const compileOnly: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const created = await GuestEnvironment.create(instances, config, files, bootstrap);
      if (!created.init.ok) throw new Error(created.init.payload);
      init.push(created.init.durationMs);
      created.env.dispose();
      await idleTurn();
      const runtime = module.newRuntime();
      const ctx = runtime.newContext();
      const t = performance.now();
      for (const [file, source] of sources) {
        ctx.evalCode(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, file, { compileOnly: true }).dispose();
      }
      compileOnly.push(performance.now() - t);
      ctx.dispose();
      runtime.dispose();
      await idleTurn();
      progress("lodash + zod: INIT vs compiling its modules", i + 1, rounds);
    }
    const sourceKB = [...sources.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1024;
    const [initSummary, compileSummary] = [summarize(init), summarize(compileOnly)];
    return {
      files: sources.size,
      sourceKB: Math.round(sourceKB),
      init: initSummary,
      compileOnly: compileSummary,
      share: round(compileSummary.p50 / initSummary.p50, 2),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
