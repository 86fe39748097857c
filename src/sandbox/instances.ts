/**
 * QuickJS WebAssembly module instances, one per function version and worker: environments of
 * different versions never share a linear memory. The wasm is compiled once per process; an
 * instance costs ~2 ms. Linear memory never shrinks, so an instance whose environments are all
 * gone is kept for reuse only while it is small, and dropped otherwise. One unassigned instance is
 * kept ready so that a never-seen version does not wait for instantiation.
 */
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import type { MemorySnapshot } from "./snapshot.js";

// The package's CommonJS typings describe its default export as a namespace; at run time (ESM) it is the variant.
const RELEASE_SYNC = releaseSync as unknown as QuickJSSyncVariant;

/** An idle instance grown past this is dropped rather than kept: its memory cannot be returned. */
const RECYCLE_ABOVE_BYTES = 64 * 1024 * 1024;
/** Idle instances kept per worker, least recently used dropped first. */
const IDLE_INSTANCES_MAX = 16;

/**
 * Spares (a booted runtime per version, one unassigned instance) are prepared this long after the
 * request that used the last one, so that request's own follow-up work goes first.
 */
export const SPARE_DELAY_MS = 5;

/** A booted runtime waiting for its function; it holds one reference to its instance. */
export interface Spare {
  dispose(): void;
}

export interface Instance {
  /** The version it serves; "" while it waits, unassigned, for a version never seen. */
  key: string;
  readonly module: QuickJSWASMModule;
  environments: number;
  /** Set when a disposal failed inside the module: nothing new may be created in it. */
  poisoned: boolean;
  spare?: Spare;
  /**
   * Holds one environment and is never shared nor reused (SnapStart: a snapshot is the whole
   * linear memory, so the environment saved and every one restored has an instance of its own).
   */
  dedicated?: boolean;
  /** SnapStart: the snapshot already copied into its memory, waiting to be restored (a restore target). */
  loaded?: MemorySnapshot;
}

export class ModuleInstances {
  readonly #wasmModule: WebAssembly.Module;
  readonly #live = new Map<string, Instance>();
  readonly #idle = new Map<string, Instance>();
  /** A fresh module instance, not yet given to any version: a never-seen version takes it. */
  #unassigned: Promise<Instance> | undefined;
  /** Boots a spare runtime in an instance (set by the executor, which knows the guest runtime). */
  prepareSpare: (instance: Instance) => void = () => {};

  /**
   * @param keepsSpares keep one booted runtime per live instance, so a cold start skips booting
   * the guest runtime (~190 KB each); off, every cold start boots its own.
   */
  constructor(
    wasmModule: WebAssembly.Module,
    readonly keepsSpares = true,
  ) {
    this.#wasmModule = wasmModule;
  }

  async acquire(key: string): Promise<Instance> {
    let instance = this.#live.get(key) ?? this.#idle.get(key);
    this.#idle.delete(key);
    if (instance === undefined || instance.poisoned) {
      const fresh = await (this.#unassigned ?? this.#newInstance());
      if (this.#unassigned !== undefined) this.#unassigned = undefined;
      if (this.keepsSpares) setTimeout(() => this.#prepareUnassigned(), SPARE_DELAY_MS);
      // Another create for the same key may have finished while this one awaited.
      instance = this.#live.get(key);
      if (instance === undefined) {
        fresh.key = key;
        instance = fresh;
      } else {
        // Not needed after all: it goes, spare included, and is never reused.
        const spare = fresh.spare;
        fresh.spare = undefined;
        fresh.poisoned = true;
        spare?.dispose();
      }
    }
    instance.environments += 1;
    this.#live.set(key, instance);
    return instance;
  }

  async #newInstance(): Promise<Instance> {
    const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: this.#wasmModule }));
    return { key: "", module, environments: 0, poisoned: false };
  }

  /** A fresh instance for one environment, in `wasmMemory` if given (a memory prepared for a restore). */
  async dedicated(wasmMemory?: WebAssembly.Memory): Promise<Instance> {
    const options = wasmMemory === undefined ? { wasmModule: this.#wasmModule } : { wasmModule: this.#wasmModule, wasmMemory };
    const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, options));
    return { key: "", module, environments: 1, poisoned: false, dedicated: true };
  }

  /** The unassigned instance's module, created now if there is none. */
  async unassignedModule(): Promise<QuickJSWASMModule> {
    this.#prepareUnassigned();
    return (await (this.#unassigned ?? this.#newInstance())).module;
  }

  #prepareUnassigned(): void {
    if (this.#unassigned !== undefined) return;
    // The waiting instance gets a booted runtime too: a never-seen version then pays only for INIT.
    const next = this.#newInstance().then((instance) => {
      if (this.keepsSpares) this.prepareSpare(instance);
      return instance;
    });
    this.#unassigned = next;
    next.catch(() => {
      if (this.#unassigned === next) this.#unassigned = undefined;
    });
  }

  /** One more reference to an instance already held. */
  retain(instance: Instance): void {
    instance.environments += 1;
  }

  /** Takes the instance's spare; its reference replaces the one the caller acquired. */
  takeSpare(instance: Instance): Spare | undefined {
    const spare = instance.spare;
    if (spare === undefined) return undefined;
    instance.spare = undefined;
    instance.environments -= 1;
    return spare;
  }

  release(instance: Instance): void {
    instance.environments -= 1;
    // Its memory goes with it: nothing else lives there.
    if (instance.dedicated) return;
    const spare = instance.spare;
    if (spare !== undefined && instance.environments === 1) {
      // Only the spare is left: it goes too, and its release lets the instance go idle.
      instance.spare = undefined;
      spare.dispose();
      return;
    }
    if (instance.environments > 0) return;
    this.#live.delete(instance.key);
    if (instance.poisoned || instance.module.getWasmMemory().buffer.byteLength > RECYCLE_ABOVE_BYTES) return;
    this.#idle.set(instance.key, instance);
    if (this.#idle.size > IDLE_INSTANCES_MAX) {
      const oldest = this.#idle.keys().next().value;
      if (oldest !== undefined) this.#idle.delete(oldest);
    }
  }
}
