/**
 * The files of npm packages and of their whole dependency closure, keyed by their path in a
 * deployment package (`node_modules/<name>/...`). The packages are the compatibility corpus's
 * (test/corpus, its own package with its own node_modules, which the test run installs) and resolve
 * as Node resolves them from there: the corpus's node_modules, then the repository's, where the
 * packages isolambda itself depends on (hono, zod, the AWS SDK) are found.
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
/** The corpus's package folder: handlers' packages resolve from here. */
export const CORPUS_DIR = path.join(REPO_ROOT, "test", "corpus");

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

/** The folder of the installed package `installed` (a name or an npm alias), as the corpus resolves it. */
export function installedPackage(installed: string): string {
  const dir = resolvePackage(installed, CORPUS_DIR);
  if (dir === undefined) throw new Error(`${installed} is installed neither in test/corpus/node_modules nor in node_modules`);
  return dir;
}

/** The folders of `names` and of everything they depend on, each once. */
export function dependencyClosure(names: readonly string[]): string[] {
  const found = new Set<string>();
  const pending = names.map((name) => ({ name, fromDir: CORPUS_DIR, required: true }));
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
      // Lambda's runtime preinstalls the v3 SDK, so bundlers leave it out (esbuild's externals in CDK and
      // SAM): a package's SDK peers (Powertools' clients) come from /var/runtime/node_modules, as there.
      if (name.startsWith("@aws-sdk/") && manifest.peerDependencies?.[name] !== undefined) continue;
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

/** A file's path in the zip: from the first node_modules of its path, the corpus's or the repository's. */
function zipRelative(file: string): string {
  const relative = path.relative(REPO_ROOT, file).split(path.sep).join("/");
  return relative.slice(relative.indexOf("node_modules/"));
}

/** Zip-relative folders of aliased packages (`node_modules/express5`) → their real name's folder (`node_modules/express`). */
function aliasedFolders(dirs: readonly string[]): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const dir of dirs) {
    const relative = zipRelative(dir);
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
  // A package of the corpus and one of the repository (or an alias and its real name) would share a folder of the zip.
  const zipFolders = new Map<string, string>();
  for (const dir of dirs) {
    const folder = zipPath(`${zipRelative(dir)}/`);
    const other = zipFolders.get(folder);
    if (other !== undefined) throw new Error(`${dir} and ${other} would both be ${folder} in the zip`);
    zipFolders.set(folder, dir);
  }
  const files: Record<string, Uint8Array> = {};
  for (const dir of dirs) {
    for (const file of packageFilesIn(dir)) files[zipPath(zipRelative(file))] = readFileSync(file);
  }
  return files;
}
