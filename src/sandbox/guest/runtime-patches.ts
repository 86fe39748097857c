// Fast paths for Lambda's preinstalled AWS SDK (/var/runtime/node_modules, which isolambda ships):
// code written for V8's JIT that an interpreter runs a hundred times slower, replaced after the
// module loads by the same computation through QuickJS's C built-ins and the host. Each patch
// checks the shape it replaces and leaves the module alone if a newer SDK changed it; a copy of the
// SDK bundled into the function's own package is the function's, and never patched.

import type { HostCapabilities } from "../shared/guest-protocol.js";

const RUNTIME = "/var/runtime/node_modules/";

/**
 * @smithy/core's JSON serializer writes every string byte by byte (charCodeAt, an escape table,
 * hand-made UTF-8): 3 × SQS SendMessage of 200 KB spent 55 of its 65 ms per call there. Its output
 * is exactly the UTF-8 of JSON.stringify's (the same short escapes, lowercase `\u00xx` for the other
 * controls and for lone surrogates, DEL and U+2028/9 raw), which QuickJS computes in C, and the
 * host's V8 ~5× faster again past a few KB (a 200 KB body: 1.0 ms here, 0.3 with the crossing).
 */
interface JsonShapeSerializer {
  writeJsonString(s: string): void;
  ensure(bytes: number): void;
  i: number;
  json: Uint8Array;
}

/** Strings this long are quoted by the host: below, the crossing costs more than QuickJS's loop. */
const HOST_QUOTES_FROM = 4096;

function jsonStrings(exports: unknown, host: HostCapabilities): void {
  const proto = (exports as { JsonShapeSerializer2?: { prototype?: Partial<JsonShapeSerializer> } }).JsonShapeSerializer2?.prototype;
  if (typeof proto?.writeJsonString !== "function" || typeof proto.ensure !== "function") return;
  const encoder = new TextEncoder();
  proto.writeJsonString = function writeJsonString(this: JsonShapeSerializer, s: string) {
    if (s.length >= HOST_QUOTES_FROM) {
      const bytes = new Uint8Array(host.encodingJsonQuoted(s));
      this.ensure(bytes.byteLength);
      this.json.set(bytes, this.i);
      this.i += bytes.byteLength;
      return;
    }
    const quoted = JSON.stringify(s);
    this.ensure(quoted.length * 3);
    this.i += encoder.encodeInto(quoted, this.json.subarray(this.i)).written;
  };
}

/** A body node:http's IncomingMessage here holds whole and unread, read at once (http-incoming.ts). */
const WHOLE_BODY = Symbol.for("isolambda.wholeBody");

/**
 * @smithy/core's streamCollector reads every response of a JSON or XML protocol by piping it into
 * a Writable of its own: most of a small call's node:http time in QuickJS, in stream machinery.
 * A response of node:http here holds its whole body from the start; taken at once it ends as the
 * pipe would have ended it. Anything else (a Blob, a web stream, a stream already read) goes to
 * the SDK's own.
 */
function wholeBodies(exports: unknown): void {
  const serde = exports as { streamCollector?: (stream: unknown) => Promise<Uint8Array> };
  const collect = serde.streamCollector;
  if (typeof collect !== "function") return;
  serde.streamCollector = (stream: unknown) => {
    const body = (stream as { [WHOLE_BODY]?: () => Uint8Array | undefined } | null | undefined)?.[WHOLE_BODY]?.();
    return body === undefined ? collect(stream) : Promise.resolve(body);
  };
}

const PATCHES = new Map<string, (exports: unknown, host: HostCapabilities) => void>([
  ["@smithy/core/dist-cjs/submodules/protocols/index.js", jsonStrings],
  ["@smithy/core/dist-cjs/submodules/serde/index.js", wholeBodies],
]);

/** Called with every CommonJS module once it has run. */
export function patchRuntimeModule(path: string, exports: unknown, host: HostCapabilities): void {
  if (!path.startsWith(RUNTIME)) return;
  PATCHES.get(path.slice(RUNTIME.length))?.(exports, host);
}
