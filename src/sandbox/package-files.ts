/**
 * The function package as the handler sees it: /var/task, read-only, confined to the host
 * directory it was unpacked in. Resolution follows Node's CommonJS and ESM rules closely enough
 * for Lambda packages: relative files, extensions, directory indexes, package.json `main`,
 * `exports` (string, "." or conditions) and node_modules lookup up to the package root.
 */
import fs from "node:fs";
import path from "node:path";

export const TASK_ROOT = "/var/task";
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

export class PackageFiles {
  readonly #root: string;
  readonly #stats = new Map<string, Stat>();
  readonly #sources = new Map<string, string>();
  readonly #manifests = new Map<string, Record<string, unknown> | undefined>();

  constructor(codeDir: string) {
    this.#root = fs.realpathSync(codeDir);
  }

  /** Maps a guest path to the host file it names, or undefined when it lies outside the package. */
  #hostPath(guestPath: string): string | undefined {
    const normal = posix.normalize(guestPath);
    if (normal !== TASK_ROOT && !normal.startsWith(`${TASK_ROOT}/`)) return undefined;
    const host = path.join(this.#root, normal.slice(TASK_ROOT.length));
    let real: string;
    try {
      real = fs.realpathSync(host);
    } catch {
      return undefined;
    }
    // A symlink in the package must not lead out of it.
    return real === this.#root || real.startsWith(this.#root + path.sep) ? real : undefined;
  }

  stat(guestPath: string): Stat {
    if (this.#stats.has(guestPath)) return this.#stats.get(guestPath);
    const host = this.#hostPath(guestPath);
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
    const host = this.#hostPath(guestPath);
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
    for (let dir = posix.dirname(file); dir.startsWith(TASK_ROOT); dir = posix.dirname(dir)) {
      const manifest = this.#manifest(dir);
      if (manifest !== undefined) return manifest.type === "module" ? "esm" : "cjs";
      if (dir === TASK_ROOT) break;
    }
    return "cjs";
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

  #exportsTarget(exportsField: unknown, mode: ResolveMode): string | undefined {
    if (typeof exportsField === "string") return exportsField;
    if (typeof exportsField !== "object" || exportsField === null || Array.isArray(exportsField)) return undefined;
    const map = exportsField as Record<string, unknown>;
    if ("." in map) return this.#exportsTarget(map["."], mode);
    for (const condition of [mode, "node", "default"]) {
      if (condition in map) return this.#exportsTarget(map[condition], mode);
    }
    return undefined;
  }

  #asPackage(pkgDir: string, subpath: string, mode: ResolveMode): ResolvedModule | undefined {
    if (subpath) return this.#asFile(posix.join(pkgDir, subpath), mode) ?? this.#asDirectory(posix.join(pkgDir, subpath), mode);
    const target = this.#exportsTarget(this.#manifest(pkgDir)?.exports, mode);
    if (target !== undefined) return this.#asFile(posix.join(pkgDir, target), mode);
    return this.#asDirectory(pkgDir, mode);
  }

  /** Resolves `specifier` as required or imported from a file in `fromDir`. */
  resolve(fromDir: string, specifier: string, mode: ResolveMode): ResolvedModule | undefined {
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier === "." || specifier === "..") {
      const candidate = posix.resolve(fromDir, specifier);
      return this.#asFile(candidate, mode) ?? this.#asDirectory(candidate, mode);
    }
    const parts = specifier.split("/");
    const nameLength = specifier.startsWith("@") ? 2 : 1;
    const name = parts.slice(0, nameLength).join("/");
    const subpath = parts.slice(nameLength).join("/");
    for (let dir = fromDir; dir.startsWith(TASK_ROOT); dir = posix.dirname(dir)) {
      const found = this.#asPackage(posix.join(dir, "node_modules", name), subpath, mode);
      if (found) return found;
      if (dir === TASK_ROOT) break;
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
