// The WebAssembly globals Node provides, which TypeScript types only in lib.dom.
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module
  interface Module {}
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  const Memory: { new (descriptor: { initial: number; maximum?: number }): Memory };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  type Imports = Record<string, Record<string, unknown>>;
  /** A trap: unreachable, out-of-bounds access, division by zero and the like. */
  class RuntimeError extends Error {}
  function compile(bytes: ArrayBuffer | Uint8Array): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
