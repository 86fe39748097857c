/** Temporary data dirs, zips and settings for the registry suites (no vitest here: writer-process.ts uses it too). */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import type { FunctionSettings } from "../../src/registry/types.js";

const dirs: string[] = [];

/** A new empty directory, removed by removeTempDirs(). */
export function tempDir(prefix = "isolambda-registry-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A zip of these files; a fixed mtime makes the same files the same bytes in any process, at any time. */
export function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])), {
    mtime: new Date(2024, 0, 31, 12),
  });
}

export const sha256Base64 = (data: Uint8Array) => createHash("sha256").update(data).digest("base64");
export const sha256Hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const LAMBDA_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

export const SETTINGS: FunctionSettings = {
  runtime: "nodejs20.x",
  handler: "index.handler",
  memorySize: 128,
  timeout: 3,
  description: "",
  environment: {},
  role: "arn:aws:iam::000000000000:role/test",
  layers: [],
  ephemeralStorageMB: 512,
  deadLetterTarget: "",
  snapStartApplyOn: "None",
  logging: { logFormat: "Text" },
};
