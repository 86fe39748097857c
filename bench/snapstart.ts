/**
 * SnapStart rows of `npm run bench:sandbox`: cold start plus first invocation with INIT run again
 * (the version's instance exists, its spare runtime booted: the best path without a snapshot)
 * against a restore from the version's snapshot (a restore target with the snapshot loaded ready), in the
 * executor's code path, the two interleaved in one run. Handlers: hello, one that loads lodash
 * and zod and builds a schema at INIT, and one that creates an SQS client of the AWS SDK at INIT.
 * The re-INIT rows are also issue 13's cold starts of those handlers.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { GuestEnvironment } from "../dist/sandbox/executor/environment.js";
import { ModuleInstances } from "../dist/sandbox/executor/instances.js";
import { PackageFiles } from "../dist/sandbox/executor/package-files.js";
import { runtimeModules } from "../dist/sandbox/executor/runtime-modules.js";
import { SnapshotStore } from "../dist/sandbox/executor/snapshot-store.js";
import { guestBootstrapSource } from "../dist/sandbox/shared/guest-bundle.js";
import { nodePathOf } from "../dist/sandbox/shared/lambda-env.js";
import { benchConfig, benchEvent, idleTurn, wireContext } from "./environments.js";
import { type Summary, summarize } from "./stats.js";

const require = createRequire(import.meta.url);

/** A package whose INIT loads lodash and zod, as real handlers' INIT loads their libraries. */
export function libraryPackage(dir: string): string {
  const codeDir = path.join(dir, "lodash-zod");
  for (const name of ["lodash", "zod"]) {
    const from = path.dirname(require.resolve(`${name}/package.json`));
    mkdirSync(path.join(codeDir, "node_modules"), { recursive: true });
    cpSync(from, path.join(codeDir, "node_modules", name), { recursive: true });
  }
  writeFileSync(
    path.join(codeDir, "index.js"),
    `const _ = require("lodash");
     const { z } = require("zod");
     const Order = z.object({ id: z.string(), items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })) });
     exports.handler = async (event) => {
       const order = Order.parse({ id: "o-1", items: [{ sku: "a", qty: 2 }, { sku: "b", qty: 1 }] });
       return { total: _.sumBy(order.items, "qty"), name: event.name };
     };`,
  );
  return codeDir;
}

/** A package whose INIT creates an SQS client from the AWS SDK Lambda's runtime provides (/var/runtime/node_modules). */
function sdkClientPackage(dir: string): string {
  const codeDir = path.join(dir, "sdk-client");
  mkdirSync(codeDir, { recursive: true });
  writeFileSync(
    path.join(codeDir, "index.js"),
    `const { SQSClient } = require("@aws-sdk/client-sqs");
     const sqs = new SQSClient({});
     exports.handler = async (event) => ({ region: await sqs.config.region(), name: event.name });`,
  );
  return codeDir;
}

const configOf = (functionName: string, codeDir: string) =>
  benchConfig({
    functionName,
    functionVersion: "1",
    versionKey: `${functionName}:snapstart-bench`,
    codeDir,
    memorySizeMB: 256,
    timeoutSeconds: 10,
  });

export interface SnapStartResult {
  reInit: Summary;
  restore: Summary;
  /** Snapshot: changed memory saved, and the linear memory it restores into. */
  snapshotKB: number;
  memoryKB: number;
}

export async function snapStartBench(
  rounds: number,
  progress: (label: string, done: number, total: number) => void,
): Promise<Record<string, SnapStartResult>> {
  const wasmPath = require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
  const wasm = await WebAssembly.compile(await readFile(wasmPath));
  const instances = new ModuleInstances(wasm);
  const bootstrap = guestBootstrapSource();
  instances.prepareSpare = (instance) => GuestEnvironment.prepareSpare(instance, bootstrap);
  const dir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-snapstart-"));
  const store = new SnapshotStore(instances, bootstrap, "bench", path.join(dir, "snapshots"));
  const handlers = {
    hello: configOf("hello", path.resolve("functions/hello")),
    lodashZod: configOf("lodash-zod", libraryPackage(dir)),
    sdkClient: configOf("sdk-client", sdkClientPackage(dir)),
  };
  const results: Record<string, SnapStartResult> = {};
  try {
    for (const [name, config] of Object.entries(handlers)) {
      // As the executor opens a package: the SDK at /var/runtime/node_modules, NODE_PATH as Lambda's.
      const files = new PackageFiles(config.codeDir, { nodePath: nodePathOf(config.runtime), runtimeModules: runtimeModules() });
      const found = await store.snapshotFor(config, files);
      if ("failure" in found) throw new Error(`${name}: ${found.failure.payload}`);
      // The version's instance stays alive, as it does while a version has environments.
      const keepAlive = await GuestEnvironment.create(instances, config, files, bootstrap);
      const reInit: number[] = [];
      const restore: number[] = [];
      for (let i = 0; i < rounds; i++) {
        let t = performance.now();
        const created = await GuestEnvironment.create(instances, config, files, bootstrap);
        const a = await created.env.invoke(benchEvent, wireContext(`init-${i}`, config));
        reInit.push(performance.now() - t);
        if (!a.ok) throw new Error(`${name}: ${a.payload}`);
        created.env.dispose();
        await idleTurn();
        t = performance.now();
        const target = await store.takeTarget(found.key, found.snapshot);
        const restored = await GuestEnvironment.restore(target, found.snapshot, config, files);
        const b = await restored.env.invoke(benchEvent, wireContext(`restore-${i}`, config));
        restore.push(performance.now() - t);
        if (!b.ok) throw new Error(`${name}: ${b.payload}`);
        restored.env.dispose();
        await idleTurn();
        progress(`SnapStart, ${name}: re-INIT vs restore`, i + 1, rounds);
      }
      keepAlive.env.dispose();
      results[name] = {
        reInit: summarize(reInit),
        restore: summarize(restore),
        snapshotKB: Math.round(found.snapshot.data.byteLength / 1024),
        memoryKB: Math.round(found.snapshot.memoryBytes / 1024),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
