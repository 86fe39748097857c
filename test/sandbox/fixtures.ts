/** Function packages written to a temporary directory, and configs for them. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { EnvironmentConfig } from "../../src/sandbox/index.js";

const roots: string[] = [];
let counter = 0;

/** Writes `files` (relative path → content) as a package and returns its directory. */
export function writePackage(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "isolambda-pkg-"));
  roots.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

export function removePackages(): void {
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A config for the package in `codeDir`; every call gets its own version key unless one is given. */
export function configFor(codeDir: string, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  counter += 1;
  return {
    functionName: "fn",
    functionVersion: "$LATEST",
    versionKey: `fn:${counter}`,
    handler: "index.handler",
    runtime: "nodejs20.x",
    memorySizeMB: 128,
    timeoutSeconds: 3,
    codeDir,
    environment: {},
    region: "us-east-1",
    accountId: "000000000000",
    ...overrides,
  };
}
