// The WebAssembly globals Node provides, which TypeScript types only in lib.dom.
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module
  interface Module {}
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  const Memory: { new (descriptor: { initial: number; maximum?: number }): Memory };
  function compile(bytes: ArrayBuffer | Uint8Array): Promise<Module>;
}
