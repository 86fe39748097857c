/**
 * How QuickJS loads ES modules in an environment: names normalised with Node's resolution rules
 * inside /var/task, sources read from the package, and an ES module facade over CommonJS files
 * and built-ins (default export plus named exports), as Node's ESM loader provides.
 */
import { isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { JSModuleLoadResult, JSModuleNormalizeResult, QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { type PackageFiles, TASK_ROOT } from "./package-files.js";

/**
 * Source as QuickJS can take it: quickjs-emscripten hands source to the parser as a C string, which
 * ends at the first NUL, so a NUL written as itself (legal in a string, template or regular
 * expression literal) is written as the escape \x00, which means the same there.
 */
export const withoutNul = (source: string): string => (source.includes("\0") ? source.replaceAll("\0", "\\x00") : source);

/** QuickJS leaves import.meta empty; Node fills it. Set on the first line, line numbers hold. */
export function esmPrelude(name: string): string {
  return [
    `import.meta.url = ${JSON.stringify(pathToFileURL(name).href)};`,
    `import.meta.filename = ${JSON.stringify(name)};`,
    `import.meta.dirname = ${JSON.stringify(path.posix.dirname(name))};`,
  ].join(" ");
}

export class EsmLoader {
  /** Import specifiers that resolved to nothing, by the module name given to QuickJS: their error. */
  readonly #unresolved = new Map<string, string>();

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly files: () => PackageFiles,
    /** The guest's `exportNames` entry point. */
    private readonly exportNames: () => QuickJSHandle | undefined,
  ) {}

  normalize(base: string, requested: string): JSModuleNormalizeResult {
    if (isBuiltin(requested)) return `node:${requested.replace(/^node:/, "")}`;
    const fromDir = base.startsWith("/") ? path.posix.dirname(base) : TASK_ROOT;
    const found = this.files().resolve(fromDir, requested, "import");
    if (found !== undefined) return found.path;
    // quickjs-emscripten drops an error returned by the normalizer (QuickJS then loads the module
    // named ""), so the name resolves and its loading fails with Node's ERR_MODULE_NOT_FOUND.
    const relative = /^\.{0,2}\//.test(requested);
    const name = relative ? path.posix.resolve(fromDir, requested) : requested;
    this.#unresolved.set(name, `Cannot find ${relative ? "module" : "package"} '${name}' imported from ${base}`);
    return name;
  }

  load(name: string): JSModuleLoadResult {
    const missing = this.#unresolved.get(name);
    if (missing !== undefined) {
      const error = this.ctx.newError(missing);
      using code = this.ctx.newString("ERR_MODULE_NOT_FOUND");
      this.ctx.setProp(error, "code", code);
      return { error };
    }
    const files = this.files();
    const format = name.startsWith("node:") ? "cjs" : files.formatOf(name);
    if (format === "cjs") return this.#reexport(name);
    const source = files.read(name);
    if (source === undefined) return { error: new Error(`Cannot find module '${name}'`) };
    if (format === "json") return `export default ${source};`;
    return `${esmPrelude(name)}${source.startsWith("#!") ? "//" : ""}${withoutNul(source)}`;
  }

  /** An ES module facade over a CommonJS file or a built-in: default plus its named properties. */
  #reexport(name: string): JSModuleLoadResult {
    const ctx = this.ctx;
    const fn = this.exportNames();
    if (fn === undefined) return { error: new Error("guest runtime not booted") };
    using arg = ctx.newString(name);
    const result = ctx.callFunction(fn, ctx.undefined, arg);
    if (result.error) return { error: result.error };
    const names = ctx.getString(result.value);
    result.value.dispose();
    const load = `globalThis[Symbol.for("isolambda.require")](${JSON.stringify(name)})`;
    return `const m = ${load};\nexport default m;\n${names ? `export const { ${names} } = m;\n` : ""}`;
  }
}
