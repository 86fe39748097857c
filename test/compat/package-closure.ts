/**
 * The files of npm packages and of their whole dependency closure, read from this repository's
 * node_modules, keyed by their path in a deployment package (`node_modules/<name>/...`).
 *
 * Dependencies resolve as Node resolves them (the requiring package's own node_modules first, then
 * each parent's), and every package keeps its place in the tree, so a nested copy (two versions of
 * one dependency) stays nested in the zip and the sandbox resolves the same files Node would.
 * A package installed under an npm alias (`express5` for `npm:express@5`) goes into the zip under
 * its real name, the name the handler requires it by in Lambda.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** TypeScript sources, type declarations and source maps are never loaded at run time; leaving them out keeps each zip small. */
const UNUSED_AT_RUN_TIME = /(\.[cm]?ts|\.map)$/;

/** The folder `name` resolves to from `fromDir`, walking up to the repository root as Node does. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; dir.startsWith(REPO_ROOT); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === REPO_ROOT) break;
  }
  return undefined;
}

/** The folders of `names` and of everything they depend on, each once. */
export function dependencyClosure(names: readonly string[]): string[] {
  const found = new Set<string>();
  const pending = names.map((name) => ({ name, fromDir: REPO_ROOT, required: true }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const dir = resolvePackage(next.name, next.fromDir);
    if (dir === undefined) {
      // An optional or peer dependency that is not installed is not installed in Lambda either.
      if (next.required) throw new Error(`${next.name} is not installed (needed from ${next.fromDir})`);
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
    for (const name of Object.keys(manifest.dependencies ?? {})) pending.push({ name, fromDir: dir, required: true });
    for (const name of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
      pending.push({ name, fromDir: dir, required: false });
    }
  }
  return [...found].sort();
}

/** Every file of one package folder, without its nested node_modules (those are packages of their own). */
function* packageFilesIn(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") yield* packageFilesIn(full);
    } else if (entry.isFile() && !UNUSED_AT_RUN_TIME.test(entry.name)) {
      yield full;
    }
  }
}

/** Zip-relative folders of aliased packages (`node_modules/express5`) → their real name's folder (`node_modules/express`). */
function aliasedFolders(dirs: readonly string[]): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const dir of dirs) {
    const relative = path.relative(REPO_ROOT, dir).split(path.sep).join("/");
    const at = relative.lastIndexOf("node_modules/") + "node_modules/".length;
    const { name } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
    if (relative.slice(at) !== name) renamed.set(relative, relative.slice(0, at) + name);
  }
  return renamed;
}

/** The deployment-package files of `names` and their dependency closure: zip path → content. */
export function packageFiles(names: readonly string[]): Record<string, Uint8Array> {
  const dirs = dependencyClosure(names);
  const renamed = aliasedFolders(dirs);
  const zipPath = (relative: string): string => {
    for (const [alias, real] of renamed) if (relative.startsWith(`${alias}/`)) return real + relative.slice(alias.length);
    return relative;
  };
  const files: Record<string, Uint8Array> = {};
  for (const dir of dirs) {
    for (const file of packageFilesIn(dir)) {
      files[zipPath(path.relative(REPO_ROOT, file).split(path.sep).join("/"))] = readFileSync(file);
    }
  }
  return files;
}
