/**
 * Components transpiled by jco, on disk once per component: `<root>/<sha256>/` holds the ES module
 * jco generates and the core modules it instantiates. Deploy fills it (and reports an invalid
 * component there); an executor that misses an entry transpiles it the same way.
 *
 * Transpiled with explicit instantiation: the module imports nothing, and isolambda hands it every
 * interface the component imports (wasi.ts), never jco's preview2-shim, which would give the
 * component the host's files, network and environment.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { transpileBytes } from "@bytecodealliance/jco-transpile";
import { WASI_INTERFACES } from "./wasi.js";

/** isolambda's own runtime name for WebAssembly components (DESIGN: Function packages). */
export const COMPONENT_RUNTIME = "wasm32-wasip2";
/** The handler world's interface of runtime functions (wasm/wit/handler.wit). */
export const RUNTIME_INTERFACE = "isolambda:function/runtime";
/**
 * The ES module jco writes (as component.js); it exports `instantiate(getCoreModule, imports,
 * instantiateCore)`. Stored as .mjs: outside a package.json saying "module", .js could be read as CommonJS.
 */
export const ENTRY_MODULE = "component.mjs";

const TRANSPILE_OPTIONS = {
  name: "component",
  instantiation: "async",
  // Every core module stays a file, so each one's memory passes through the memory limit.
  base64Cutoff: 0,
  // A result's `err` is thrown as the value itself (environment.ts tells it from traps by that).
  noComponentErrorWrapping: true,
  emitTypescriptDeclarations: false,
  minify: false,
} as const;

/** Not a component isolambda can run; the message is jco's, or says what is missing. */
export class InvalidComponentError extends Error {
  override readonly name = "InvalidComponentError";
}

interface Transpiler {
  transpileBytes: typeof transpileBytes;
  version: string;
}

let transpiler: Promise<Transpiler> | undefined;

/** jco, loaded on the first component: a server that runs none never pays for loading it. */
function loadTranspiler(): Promise<Transpiler> {
  transpiler ??= (async () => {
    try {
      const jco = await import("@bytecodealliance/jco-transpile");
      const manifest = await readFile(new URL("../package.json", import.meta.resolve("@bytecodealliance/jco-transpile")), "utf8");
      return { transpileBytes: jco.transpileBytes, version: (JSON.parse(manifest) as { version: string }).version };
    } catch (error) {
      transpiler = undefined;
      const why = error instanceof Error ? error.message : String(error);
      throw new InvalidComponentError(`WebAssembly components need @bytecodealliance/jco-transpile, which cannot be loaded here (${why})`);
    }
  })();
  return transpiler;
}

/** Checks that jco's view of the component matches the handler world and what isolambda provides. */
function checkShape(imports: string[], exports: Array<[string, string]>): void {
  if (!exports.some(([name, kind]) => name === "handle" && kind === "function")) {
    throw new InvalidComponentError(
      "the component does not export the function `handle` of the world isolambda:function/handler (see wasm/wit/handler.wit)",
    );
  }
  const unknown = imports.filter((name) => name !== RUNTIME_INTERFACE && !WASI_INTERFACES.includes(name));
  if (unknown.length > 0) {
    throw new InvalidComponentError(`the component imports ${unknown.join(", ")}, which isolambda does not provide`);
  }
}

/**
 * The component a function runs: its Handler names the .wasm file in the package (for example
 * `hello.wasm`), which must stay inside the package.
 */
export function componentFile(codeDir: string, handler: string): string {
  const file = path.resolve(codeDir, handler);
  if (!handler.endsWith(".wasm") || !file.startsWith(path.resolve(codeDir) + path.sep)) {
    throw new InvalidComponentError(
      `the handler of a ${COMPONENT_RUNTIME} function is the path of its .wasm file in the package, not ${handler}`,
    );
  }
  return file;
}

export class ComponentCache {
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(readonly root: string) {}

  /** The directory of `wasmFile`'s transpiled component, transpiling it the first time. */
  async prepare(wasmFile: string): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await readFile(wasmFile);
    } catch {
      throw new InvalidComponentError(`the component ${path.basename(wasmFile)} is not in the package`);
    }
    const key = createHash("sha256")
      .update(`${(await loadTranspiler()).version}\n${JSON.stringify(TRANSPILE_OPTIONS)}\n`)
      .update(bytes)
      .digest("hex");
    const dir = path.join(this.root, key);
    if (existsSync(path.join(dir, ENTRY_MODULE))) return dir;
    const pending = this.#inFlight.get(key) ?? this.#transpile(bytes, dir).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, pending);
    return pending;
  }

  async #transpile(bytes: Uint8Array, dir: string): Promise<string> {
    const jco = await loadTranspiler();
    let result: Awaited<ReturnType<typeof transpileBytes>>;
    try {
      // A copy: jco fills in defaults on the object it is given, which would change the cache key.
      result = await jco.transpileBytes(bytes, { ...TRANSPILE_OPTIONS });
    } catch (error) {
      throw new InvalidComponentError(error instanceof Error ? error.message : String(error));
    }
    checkShape(result.imports, result.exports);
    await mkdir(this.root, { recursive: true });
    const temp = await mkdtemp(path.join(this.root, ".tmp-"));
    try {
      for (const [name, content] of Object.entries(result.files)) {
        if (name === "component.js") await writeFile(path.join(temp, ENTRY_MODULE), content);
        else if (name.endsWith(".wasm")) await writeFile(path.join(temp, name), content);
      }
      // Written whole, then renamed: a directory with the entry module is complete. Another
      // process that renamed first wrote the same files.
      await rename(temp, dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    return dir;
  }
}
