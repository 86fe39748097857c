/**
 * The function package and its layers as the handler sees them, read-only: /var/task confined to
 * the host directory the package was unpacked in, and /opt the layers' directories merged (a later
 * layer's file overriding an earlier one's, as Lambda extracts them in order). A guest path maps
 * to a host path only below one of those roots, after resolving symlinks, so no name the guest
 * gives reaches anything else. Resolution follows Node's CommonJS and ESM rules closely enough for
 * Lambda packages: relative files, extensions, directory indexes, package.json `main`, `exports`
 * and `imports` (package-exports.ts), node_modules in every ancestor directory, then NODE_PATH.
 */
import fs from "node:fs";
import path from "node:path";
import { hasModuleSyntax } from "./module-syntax.js";
import { conditionsFor, resolveExports, resolveImports } from "./package-exports.js";
import { RUNTIME_MODULES } from "./runtime-modules.js";

export const TASK_ROOT = "/var/task";
export const OPT_ROOT = "/opt";
const posix = path.posix;

export type ModuleFormat = "cjs" | "esm" | "json";
export type ResolveMode = "require" | "import";

export interface ResolvedModule {
  path: string;
  format: ModuleFormat;
}

const REQUIRE_EXTENSIONS = [".js", ".json", ".cjs"];
const IMPORT_EXTENSIONS = [".js", ".mjs", ".cjs", ".json"];

type Stat = "file" | "dir" | undefined;

export interface PackageFilesOptions {
  /** Host directories of the layers, in the function's order. */
  layerDirs?: readonly string[];
  /** NODE_PATH: where a bare `require` looks after the node_modules of the requiring file's ancestors. */
  nodePath?: readonly string[];
  /** The preinstalled SDK at /var/runtime/node_modules: package name → host directory. */
  runtimeModules?: ReadonlyMap<string, string>;
}

/** `guestPath` (normalised) is `root` or below it: the rest after the root ("" or "/..."), else undefined. */
function below(guestPath: string, root: string): string | undefined {
  if (guestPath === root) return "";
  return guestPath.startsWith(`${root}/`) ? guestPath.slice(root.length) : undefined;
}

/** The real host path of `rest` below `root`, unless it does not exist or a symlink leads out of `root`. */
function contained(root: string, rest: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, rest));
  } catch {
    return undefined;
  }
  return real === root || real.startsWith(root + path.sep) ? real : undefined;
}

export class PackageFiles {
  readonly #root: string;
  /** Real host roots of the layers, in the function's order: the last one wins. */
  readonly #layers: string[];
  readonly #nodePath: readonly string[];
  readonly #runtimeModules: ReadonlyMap<string, string>;
  readonly #stats = new Map<string, Stat>();
  readonly #sources = new Map<string, string>();
  readonly #manifests = new Map<string, Record<string, unknown> | undefined>();
  readonly #detectedFormats = new Map<string, ModuleFormat>();

  constructor(codeDir: string, options: PackageFilesOptions = {}) {
    this.#root = fs.realpathSync(codeDir);
    this.#layers = (options.layerDirs ?? []).map((dir) => fs.realpathSync(dir));
    this.#nodePath = options.nodePath ?? [];
    this.#runtimeModules = options.runtimeModules ?? new Map();
  }

  /** The host paths a guest path can name, the one that wins first; empty outside /var/task and /opt. */
  #hostRoots(guestPath: string): Array<{ root: string; rest: string }> {
    const normal = posix.normalize(guestPath);
    const inTask = below(normal, TASK_ROOT);
    if (inTask !== undefined) return [{ root: this.#root, rest: inTask }];
    const inRuntime = below(normal, RUNTIME_MODULES);
    if (inRuntime !== undefined) {
      // Each preinstalled package is a root of its own: /var/runtime/node_modules/<name>/...
      const parts = inRuntime.split("/");
      const nameLength = parts[1]?.startsWith("@") ? 2 : 1;
      const root = this.#runtimeModules.get(parts.slice(1, 1 + nameLength).join("/"));
      return root === undefined ? [] : [{ root, rest: parts.slice(1 + nameLength).join("/") }];
    }
    const inOpt = below(normal, OPT_ROOT);
    if (inOpt === undefined) return [];
    return this.#layers.map((root) => ({ root, rest: inOpt })).reverse();
  }

  /** Maps a guest path to the host file or directory it names, or undefined when it names nothing. */
  hostPath(guestPath: string): string | undefined {
    for (const { root, rest } of this.#hostRoots(guestPath)) {
      const real = contained(root, rest);
      if (real !== undefined) return real;
    }
    return undefined;
  }

  /**
   * A directory's entries: under /opt the union over the layers, a later layer's entry winning.
   * Entries that are symlinks are shown as what they lead to; those leading out are left out.
   */
  list(guestPath: string): Map<string, "file" | "dir"> | undefined {
    const normal = posix.normalize(guestPath);
    let found = false;
    const entries = new Map<string, "file" | "dir">();
    for (const { root, rest } of this.#hostRoots(normal).reverse()) {
      const dir = contained(root, rest);
      if (dir === undefined || !fs.statSync(dir).isDirectory()) continue;
      found = true;
      for (const name of fs.readdirSync(dir)) {
        const real = contained(root, posix.join(rest, name));
        const stat = real === undefined ? undefined : fs.statSync(real, { throwIfNoEntry: false });
        if (stat?.isFile()) entries.set(name, "file");
        else if (stat?.isDirectory()) entries.set(name, "dir");
      }
    }
    return found ? entries : undefined;
  }

  stat(guestPath: string): Stat {
    if (this.#stats.has(guestPath)) return this.#stats.get(guestPath);
    const host = this.hostPath(guestPath);
    let kind: Stat;
    if (host !== undefined) {
      const s = fs.statSync(host, { throwIfNoEntry: false });
      kind = s?.isFile() ? "file" : s?.isDirectory() ? "dir" : undefined;
    }
    this.#stats.set(guestPath, kind);
    return kind;
  }

  read(guestPath: string): string | undefined {
    const cached = this.#sources.get(guestPath);
    if (cached !== undefined) return cached;
    if (this.stat(guestPath) !== "file") return undefined;
    const host = this.hostPath(guestPath);
    if (host === undefined) return undefined;
    const source = fs.readFileSync(host, "utf8");
    this.#sources.set(guestPath, source);
    return source;
  }

  #manifest(dir: string): Record<string, unknown> | undefined {
    if (this.#manifests.has(dir)) return this.#manifests.get(dir);
    let manifest: Record<string, unknown> | undefined;
    const text = this.read(posix.join(dir, "package.json"));
    if (text !== undefined) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === "object" && parsed !== null) manifest = parsed as Record<string, unknown>;
      } catch {
        manifest = undefined;
      }
    }
    this.#manifests.set(dir, manifest);
    return manifest;
  }

  formatOf(file: string): ModuleFormat {
    if (file.endsWith(".mjs")) return "esm";
    if (file.endsWith(".cjs")) return "cjs";
    if (file.endsWith(".json")) return "json";
    for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
      const manifest = this.#manifest(dir);
      if (manifest !== undefined) return manifest.type === "module" ? "esm" : manifest.type === undefined ? this.#detected(file) : "cjs";
      if (dir === "/" || dir === TASK_ROOT || dir === OPT_ROOT) break;
    }
    return this.#detected(file);
  }

  /** A `.js` file no `type` field speaks for is what its syntax says, as Node detects it. */
  #detected(file: string): ModuleFormat {
    let format = this.#detectedFormats.get(file);
    if (format === undefined) {
      const source = file.endsWith(".js") ? this.read(file) : undefined;
      format = source !== undefined && hasModuleSyntax(source, file) ? "esm" : "cjs";
      this.#detectedFormats.set(file, format);
    }
    return format;
  }

  #found(file: string): ResolvedModule {
    return { path: file, format: this.formatOf(file) };
  }

  #asFile(candidate: string, mode: ResolveMode): ResolvedModule | undefined {
    if (this.stat(candidate) === "file") return this.#found(candidate);
    for (const ext of mode === "require" ? REQUIRE_EXTENSIONS : IMPORT_EXTENSIONS) {
      if (this.stat(candidate + ext) === "file") return this.#found(candidate + ext);
    }
    return undefined;
  }

  #asDirectory(dir: string, mode: ResolveMode): ResolvedModule | undefined {
    if (this.stat(dir) !== "dir") return undefined;
    const main = this.#manifest(dir)?.main;
    if (typeof main === "string") {
      const target = posix.join(dir, main);
      const found = this.#asFile(target, mode) ?? this.#asFile(posix.join(target, "index"), mode);
      if (found) return found;
    }
    return this.#asFile(posix.join(dir, "index"), mode);
  }

  /** `exports` and `imports` targets name exact files: Node adds no extension and no index to them. */
  #exactFile(file: string): ResolvedModule | undefined {
    return this.stat(file) === "file" ? this.#found(file) : undefined;
  }

  #asPackage(pkgDir: string, subpath: string, mode: ResolveMode): ResolvedModule | undefined {
    const exportsField = this.#manifest(pkgDir)?.exports;
    if (exportsField !== undefined && exportsField !== null) {
      // With `exports`, only what it maps is reachable, as in Node (ERR_PACKAGE_PATH_NOT_EXPORTED otherwise).
      const target = resolveExports(exportsField, subpath ? `./${subpath}` : ".", conditionsFor(mode));
      return typeof target === "string" ? this.#exactFile(posix.join(pkgDir, target)) : undefined;
    }
    if (subpath) return this.#asFile(posix.join(pkgDir, subpath), mode) ?? this.#asDirectory(posix.join(pkgDir, subpath), mode);
    return this.#asDirectory(pkgDir, mode);
  }

  /** The folder of the nearest package.json at or above `dir`: the package scope of a file in `dir`. */
  #packageScope(dir: string): string | undefined {
    for (let at = posix.normalize(dir); ; at = posix.dirname(at)) {
      if (this.#manifest(at) !== undefined) return at;
      if (at === "/") return undefined;
    }
  }

  /** A `#name` specifier through the `imports` of the requiring file's package. */
  #asImport(fromDir: string, specifier: string, mode: ResolveMode): ResolvedModule | undefined {
    const scope = this.#packageScope(fromDir);
    if (scope === undefined) return undefined;
    const target = resolveImports(this.#manifest(scope)?.imports, specifier, conditionsFor(mode));
    if (typeof target !== "string") return undefined;
    return target.startsWith("./") ? this.#exactFile(posix.join(scope, target)) : this.resolve(scope, target, mode);
  }

  /** Resolves `specifier` as required or imported from a file in `fromDir`. */
  resolve(fromDir: string, specifier: string, mode: ResolveMode): ResolvedModule | undefined {
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier === "." || specifier === "..") {
      const candidate = posix.resolve(fromDir, specifier);
      return this.#asFile(candidate, mode) ?? this.#asDirectory(candidate, mode);
    }
    if (specifier.startsWith("#")) return this.#asImport(fromDir, specifier, mode);
    const parts = specifier.split("/");
    const nameLength = specifier.startsWith("@") ? 2 : 1;
    const name = parts.slice(0, nameLength).join("/");
    const subpath = parts.slice(nameLength).join("/");
    for (let dir = posix.normalize(fromDir); ; dir = posix.dirname(dir)) {
      // Node looks in `<dir>/node_modules` for every ancestor, except those that are node_modules folders.
      if (posix.basename(dir) !== "node_modules") {
        const found = this.#asPackage(posix.join(dir, "node_modules", name), subpath, mode);
        if (found) return found;
      }
      if (dir === "/") break;
    }
    // Then NODE_PATH, as Lambda sets it (layers first). Node's ESM resolver ignores NODE_PATH, but
    // Lambda's Node.js 18+ runtimes resolve imports from layers and of the preinstalled SDK.
    for (const dir of this.#nodePath) {
      if (mode === "import" && below(dir, OPT_ROOT) === undefined && dir !== RUNTIME_MODULES) continue;
      const found = this.#asPackage(posix.join(dir, name), subpath, mode);
      if (found) return found;
    }
    return undefined;
  }

  /** Lambda's handler lookup: `<module>.js`, then `.mjs`, then `.cjs`, relative to /var/task. */
  handlerModule(modulePath: string): ResolvedModule | undefined {
    const base = posix.join(TASK_ROOT, modulePath);
    for (const ext of [".js", ".mjs", ".cjs"]) {
      if (this.stat(base + ext) === "file") return this.#found(base + ext);
    }
    return undefined;
  }
}
