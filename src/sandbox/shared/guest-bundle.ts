/**
 * The guest runtime as scripts/build.mjs bundles it into dist/guest/: the bootstrap and one bundle
 * per built-in module. The executor boots and loads them; the main thread keys SnapStart snapshots
 * by their hash.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

// From dist/sandbox/shared/ or src/sandbox/shared/ alike (src and dist sit side by side).
const guestDir = new URL("../../../dist/guest/", import.meta.url);
const builtinSources = new Map<string, string>();

export function guestBootstrapSource(): string {
  return readFileSync(new URL("bootstrap.js", guestDir), "utf8");
}

/** Identifies the guest runtime (bootstrap and built-ins): a SnapStart snapshot holds it, so it keys them. */
export function guestRuntimeSha256(): string {
  const hash = createHash("sha256").update(guestBootstrapSource());
  for (const name of readdirSync(new URL("builtins/", guestDir)).sort()) {
    hash.update(name).update(readFileSync(new URL(`builtins/${name}`, guestDir)));
  }
  return hash.digest("hex");
}

/** A built-in module's bundle, read once per executor; undefined for a name that has none. */
export function builtinSource(name: string): string | undefined {
  if (!/^[a-z-]+$/.test(name)) return undefined;
  let source = builtinSources.get(name);
  if (source === undefined) {
    try {
      source = readFileSync(new URL(`builtins/${name}.js`, guestDir), "utf8");
    } catch {
      return undefined;
    }
    builtinSources.set(name, source);
  }
  return source;
}
