/**
 * QuickJS WebAssembly module instances, one per execution environment, as Lambda gives every
 * environment its own memory: the environment's MemorySize holds its whole linear memory
 * (memory-gate.ts), and the memory goes back to the host with the environment. The wasm is
 * compiled once per process; an instance costs ~2 ms and ~230 KB, so one is kept ready with the
 * guest runtime booted in it (a spare), and a cold start pays only for INIT.
 */
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import { MemoryGate } from "./memory-gate.js";
import type { MemorySnapshot } from "./snapshot.js";

// The package's CommonJS typings describe its default export as a namespace; at run time (ESM) it is the variant.
const RELEASE_SYNC = releaseSync as unknown as QuickJSSyncVariant;

/**
 * The next ready instance is prepared this long after the request that took the last one, so that
 * request's own follow-up work goes first.
 */
export const SPARE_DELAY_MS = 5;

/** A booted runtime waiting for its function. */
export interface Spare {
  dispose(): void;
}

export interface Instance {
  readonly module: QuickJSWASMModule;
  readonly memory: MemoryGate;
  /** The guest runtime, booted ahead of the function that will take this instance. */
  spare?: Spare;
  /** SnapStart: the snapshot already copied into its memory, waiting to be restored (a restore target). */
  loaded?: MemorySnapshot;
}

export class ModuleInstances {
  readonly #wasmModule: WebAssembly.Module;
  /** The instance the next environment takes, its spare booted. */
  #ready: Promise<Instance> | undefined;
  /** Boots a spare runtime in an instance (set by the executor, which knows the guest runtime). */
  prepareSpare: (instance: Instance) => void = () => {};

  /** @param keepsSpares keep an instance ready with the guest runtime booted; off, every cold start makes and boots its own. */
  constructor(
    wasmModule: WebAssembly.Module,
    readonly keepsSpares = true,
  ) {
    this.#wasmModule = wasmModule;
  }

  /** An instance of its own for one environment: the ready one if there is one. */
  async acquire(): Promise<Instance> {
    const ready = this.#ready;
    this.#ready = undefined;
    if (this.keepsSpares) setTimeout(() => this.#prepareReady(), SPARE_DELAY_MS);
    return (await ready?.catch(() => undefined)) ?? this.dedicated();
  }

  /** A fresh instance, in `wasmMemory` if given (a memory prepared for a restore). */
  async dedicated(wasmMemory?: WebAssembly.Memory): Promise<Instance> {
    const memory = new MemoryGate(wasmMemory);
    const module = await newQuickJSWASMModuleFromVariant(
      newVariant(RELEASE_SYNC, { wasmModule: this.#wasmModule, wasmMemory: memory.memory }),
    );
    return { module, memory };
  }

  /** The ready instance's module, made now if there is none. */
  async readyModule(): Promise<QuickJSWASMModule> {
    this.#prepareReady();
    return (await (this.#ready ?? this.dedicated())).module;
  }

  #prepareReady(): void {
    if (this.#ready !== undefined) return;
    const next = this.dedicated().then((instance) => {
      if (this.keepsSpares) this.prepareSpare(instance);
      return instance;
    });
    this.#ready = next;
    next.catch(() => {
      if (this.#ready === next) this.#ready = undefined;
    });
  }

  /** Takes the instance's spare, if it has one. */
  takeSpare(instance: Instance): Spare | undefined {
    const spare = instance.spare;
    instance.spare = undefined;
    return spare;
  }
}
