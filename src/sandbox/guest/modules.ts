// CommonJS as Node runs it, inside the sandbox: resolution and file reads are asked of the host
// (confined to the package in /var/task and the layers in /opt), compilation happens here with the file's own name for stack traces.
// ES modules are loaded by QuickJS itself through the host's module loader (require() of one too,
// through the host's `requireModule`); it calls back into
// `exportNames` to re-export a CommonJS module's or a built-in's properties as named exports.
// Built-ins come from `requireBuiltin` (builtins/node-builtins.js).

import type { GuestConfig, HostCapabilities } from "../shared/guest-protocol.js";
import { patchRuntimeModule } from "./runtime-patches.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// On the file's first line, so its line numbers hold in stack traces (src/sandbox/executor/native/source-map.ts counts it too).
const WRAPPER = "(function (exports, require, module, __filename, __dirname) {";

/** Node allows require() of an ES module from 20.19 and 22.12 on; nodejs18.x refuses it. */
function requiresEsm(nodeVersion: string): boolean {
  const [major, minor] = String(nodeVersion ?? "")
    .replace(/^v/, "")
    .split(".")
    .map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}

/** A module as the host resolved it: its format (builtin, cjs, json, esm) and its path or built-in name. */
export interface Resolved {
  format: string;
  path: string;
}

/** CommonJS's `module`. */
export interface Module {
  id: string;
  filename: string;
  path: string;
  loaded: boolean;
  exports: unknown;
  children: Module[];
  require: Require;
}

export interface Require {
  (specifier: unknown): unknown;
  resolve(specifier: unknown): string;
  cache: Record<string, Module>;
}

export interface Modules {
  load(resolved: Resolved): unknown;
  makeRequire(fromDir: string): Require;
  exportNames(path: string): string;
}

export function createModules(host: HostCapabilities, requireBuiltin: (name: string) => unknown, config: GuestConfig): Modules {
  const cache: Record<string, Module> = Object.create(null);

  const notFound = (specifier: unknown) => Object.assign(new Error(`Cannot find module '${specifier}'`), { code: "MODULE_NOT_FOUND" });

  const resolve = (fromDir: string, specifier: unknown): Resolved => {
    const found = host.resolve(fromDir, String(specifier), "require");
    if (found === undefined) throw notFound(specifier);
    const colon = found.indexOf(":");
    return { format: found.slice(0, colon), path: found.slice(colon + 1) };
  };

  const makeRequire = (fromDir: string): Require => {
    const require = (specifier: unknown) => load(resolve(fromDir, specifier));
    require.resolve = (specifier: unknown) => resolve(fromDir, specifier).path;
    require.cache = cache;
    return require;
  };

  /** ES modules required from CommonJS, by path: their namespace objects (Node keeps them out of require.cache). */
  const esmNamespaces = new Map<string, Record<string, unknown>>();
  const REQUIRED = Symbol.for("isolambda.requiredModule");
  const requireEsm = (path: string) => {
    if (!requiresEsm(config.nodeVersion)) {
      throw Object.assign(new Error(`require() of ES Module ${path} not supported.`), { code: "ERR_REQUIRE_ESM" });
    }
    if (!esmNamespaces.has(path)) {
      host.requireModule(path);
      esmNamespaces.set(path, (globalThis as unknown as Record<symbol, Record<string, unknown>>)[REQUIRED] as Record<string, unknown>);
      delete (globalThis as unknown as Record<symbol, unknown>)[REQUIRED];
    }
    const namespace = esmNamespaces.get(path) as Record<string, unknown>;
    // Node hands back a `module.exports` export as the module's value, for packages that say so.
    return Object.hasOwn(namespace, "module.exports") ? namespace["module.exports"] : namespace;
  };

  const load = ({ format, path }: Resolved): unknown => {
    if (format === "builtin") return requireBuiltin(path);
    const cached = cache[path];
    if (cached) return cached.exports;
    if (format === "esm") return requireEsm(path);
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    const require = makeRequire(dir);
    const module: Module = { id: path, filename: path, path: dir, loaded: false, exports: {}, children: [], require };
    cache[path] = module;
    try {
      // The host resolved the path: the file is there.
      const source = host.read(path) as string;
      if (format === "json") {
        module.exports = JSON.parse(source);
      } else {
        const body = source.startsWith("#!") ? `//${source}` : source;
        const wrapper = host.evalScript(`${WRAPPER}${body}\n})`, path) as (
          this: unknown,
          exports: unknown,
          require: Require,
          module: Module,
          filename: string,
          dirname: string,
        ) => void;
        wrapper.call(module.exports, module.exports, require, module, path, dir);
        patchRuntimeModule(path, module.exports, host);
      }
    } catch (error) {
      delete cache[path];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  };

  const requireAt = (path: string) => load(resolve("/", path));
  Object.defineProperty(globalThis, Symbol.for("isolambda.require"), { value: requireAt });

  return {
    load,
    makeRequire,
    /** Names a generated ES module re-exports for a CommonJS file or a built-in. */
    exportNames(path) {
      const value = requireAt(path);
      if (value === null || (typeof value !== "object" && typeof value !== "function")) return "";
      return Object.keys(value)
        .filter((name) => IDENTIFIER.test(name) && name !== "default")
        .join(",");
    },
  };
}
