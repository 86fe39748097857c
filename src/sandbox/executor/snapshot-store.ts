/**
 * SnapStart's snapshots in one executor worker: made once per version (INIT plus beforeSnapshot
 * hooks in an instance of their own), kept in memory, and stored gzip-compressed in the data
 * directory so that a restarted server restores them without running INIT again. A snapshot is
 * keyed by the SHA-256 of the QuickJS wasm binary, of the guest runtime, and of the version's
 * code and configuration: a change to one makes a new key, and the files nothing can restore any more
 * are deleted (snapshot-files.ts).
 * Each version also keeps one restore target ready: a fresh instance with the snapshot already
 * copied into its memory, so a cold start pays for neither the instantiation nor the copy.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { removeSnapshots, snapshotFile } from "../shared/snapshot-files.js";
import type { EnvironmentConfig } from "../shared/types.js";
import { GuestEnvironment } from "./environment.js";
import { type Instance, type ModuleInstances, SPARE_DELAY_MS } from "./instances.js";
import type { PackageFiles } from "./package-files.js";
import type { PhaseOutcome } from "./phase.js";
import { Baseline, decodeSnapshot, encodeSnapshot, loadSnapshot, type MemorySnapshot, restoreMemory } from "./snapshot.js";

/** Compression is paid once per version, decompression once per worker and restart: the fastest level. */
const GZIP_LEVEL = 1;
/**
 * Restore targets kept ready, one per version, least recently used dropped first: each holds
 * its snapshot's size of touched memory.
 */
const TARGETS_MAX = 8;

/**
 * Snapshots kept in memory, least recently used dropped first: one dropped is read from its file
 * again, and one whose version was deleted is never asked for again.
 */
const SNAPSHOTS_IN_MEMORY_MAX = 32;

export type SnapshotResult = { key: string; snapshot: MemorySnapshot } | { key: string; failure: PhaseOutcome };

export class SnapshotStore {
  readonly #snapshots = new Map<string, Promise<SnapshotResult>>();
  readonly #targets = new Map<string, Promise<Instance>>();
  #baseline: Promise<Baseline> | undefined;

  constructor(
    private readonly instances: ModuleInstances,
    private readonly bootstrap: string,
    /** SHA-256 of the wasm binary and of the guest runtime. */
    private readonly runtimeSha256: string,
    /** Where snapshots are stored (snapshot-files.ts); created when the first one is. */
    private readonly dir: string,
  ) {}

  /** What identifies a snapshot: everything INIT saw, except what each environment gets anew. */
  keyOf(config: EnvironmentConfig): string {
    const { initializationType: _perEnvironment, snapStart: _flag, ...rest } = config;
    return createHash("sha256").update(this.runtimeSha256).update(JSON.stringify(rest)).digest("hex");
  }

  /** The version's snapshot: from memory, from disk, or made now. A failure is not kept: the next create tries again. */
  snapshotFor(config: EnvironmentConfig, files: PackageFiles): Promise<SnapshotResult> {
    const key = this.keyOf(config);
    let result = this.#snapshots.get(key);
    // Most recently used last: a Map iterates in insertion order.
    this.#snapshots.delete(key);
    if (result === undefined) {
      const made = this.#load(key, config, files);
      made.then(
        (r) => {
          if ("failure" in r && this.#snapshots.get(key) === made) this.#snapshots.delete(key);
        },
        () => {
          if (this.#snapshots.get(key) === made) this.#snapshots.delete(key);
        },
      );
      result = made;
    }
    this.#snapshots.set(key, result);
    const oldest = this.#snapshots.keys().next().value;
    if (this.#snapshots.size > SNAPSHOTS_IN_MEMORY_MAX && oldest !== undefined) this.#snapshots.delete(oldest);
    return result;
  }

  async #load(key: string, config: EnvironmentConfig, files: PackageFiles): Promise<SnapshotResult> {
    const file = snapshotFile(this.dir, this.runtimeSha256, config.functionName, config.functionVersion, key);
    try {
      return { key, snapshot: decodeSnapshot(gunzipSync(readFileSync(file))) };
    } catch {
      // Missing or unreadable (an interrupted write is never renamed into place): made again.
    }
    const made = await GuestEnvironment.snapshot(this.instances, config, files, this.bootstrap, await this.#baselineOf());
    if (made.snapshot === undefined) return { key, failure: made.init };
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(temporary, gzipSync(encodeSnapshot(made.snapshot), { level: GZIP_LEVEL }));
      renameSync(temporary, file);
    } catch {
      // Kept in memory all the same; a restarted server runs INIT again (or the version is being deleted).
      rmSync(temporary, { force: true });
      return { key, snapshot: made.snapshot };
    }
    // The version's earlier configuration ($LATEST updated in place) is restored no more.
    void removeSnapshots(this.dir, this.runtimeSha256, config.functionName, config.functionVersion, file).catch(() => {});
    return { key, snapshot: made.snapshot };
  }

  /** A fresh instance's memory, to diff against; one per worker. */
  #baselineOf(): Promise<Baseline> {
    this.#baseline ??= this.instances.dedicated().then((instance) => new Baseline(instance.module.getWasmMemory()));
    return this.#baseline;
  }

  /** A restore target for `key` (its snapshot loaded): the one prepared, or one made now; another is prepared after. */
  async takeTarget(key: string, snapshot: MemorySnapshot): Promise<Instance> {
    const ready = this.#targets.get(key);
    this.#targets.delete(key);
    const target = await (ready ?? this.#prepare(snapshot));
    setTimeout(() => {
      if (this.#targets.has(key)) return;
      this.#targets.set(key, this.#prepare(snapshot));
      // A Map iterates in insertion order: the first key is the least recently restored.
      const oldest = this.#targets.keys().next().value;
      if (this.#targets.size > TARGETS_MAX && oldest !== undefined) this.#targets.delete(oldest);
    }, SPARE_DELAY_MS);
    return target;
  }

  async #prepare(snapshot: MemorySnapshot): Promise<Instance> {
    const instance = await this.instances.dedicated(restoreMemory(snapshot));
    loadSnapshot(instance.module, snapshot);
    instance.loaded = snapshot;
    return instance;
  }
}
