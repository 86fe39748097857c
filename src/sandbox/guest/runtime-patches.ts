// Fast paths for Lambda's preinstalled AWS SDK (/var/runtime/node_modules, which isolambda ships):
// code written for V8's JIT that an interpreter runs a hundred times slower, replaced after the
// module loads by the same computation through QuickJS's C built-ins and the host. Each patch
// checks the shape it replaces and leaves the module alone if a newer SDK changed it; a copy of the
// SDK bundled into the function's own package is the function's, and never patched.

const RUNTIME = "/var/runtime/node_modules/";

/**
 * @smithy/core's JSON serializer writes every string byte by byte (charCodeAt, an escape table,
 * hand-made UTF-8): 3 × SQS SendMessage of 200 KB spent 55 of its 65 ms per call there. Its output
 * is exactly the UTF-8 of JSON.stringify's (the same short escapes, lowercase `\u00xx` for the other
 * controls and for lone surrogates, DEL and U+2028/9 raw), which QuickJS computes in C.
 */
interface JsonShapeSerializer {
  writeJsonString(s: string): void;
  ensure(bytes: number): void;
  i: number;
  json: Uint8Array;
}

function jsonStrings(exports: unknown): void {
  const proto = (exports as { JsonShapeSerializer2?: { prototype?: Partial<JsonShapeSerializer> } }).JsonShapeSerializer2?.prototype;
  if (typeof proto?.writeJsonString !== "function" || typeof proto.ensure !== "function") return;
  const encoder = new TextEncoder();
  proto.writeJsonString = function writeJsonString(this: JsonShapeSerializer, s: string) {
    const quoted = JSON.stringify(s);
    this.ensure(quoted.length * 3);
    this.i += encoder.encodeInto(quoted, this.json.subarray(this.i)).written;
  };
}

const PATCHES = new Map<string, (exports: unknown) => void>([["@smithy/core/dist-cjs/submodules/protocols/index.js", jsonStrings]]);

/** Called with every CommonJS module once it has run. */
export function patchRuntimeModule(path: string, exports: unknown): void {
  if (!path.startsWith(RUNTIME)) return;
  PATCHES.get(path.slice(RUNTIME.length))?.(exports);
}
