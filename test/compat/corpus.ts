/**
 * The compatibility corpus's table: each case is a handler deployed with its packages through the
 * Lambda API and invoked in the sandbox, and the same handler file run in this process by Node with
 * the same packages, so the two answers can be compared.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import type { TestServer } from "../api/server.js";
import { deployPackaged, invokeOk, type PackagedFunction } from "./deploy.js";

const REPO_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules");

export interface CorpusCase extends PackagedFunction {
  /** The function's name, and the test's. */
  name: string;
  /** The event of each invocation. */
  event: unknown | ((context: { base: string }) => unknown);
  /**
   * Packages the handler imports without zipping them (Lambda's preinstalled AWS SDK): the sandbox
   * finds them at /var/runtime/node_modules, Node in this repository's node_modules.
   */
  preinstalled?: readonly string[];
  /** False where Node's answer cannot equal the sandbox's (it names the sandbox, or the server's own state). */
  compareWithNode?: boolean;
  /** What the answer must hold, beside equality with Node's: known values, so a wrong answer in both fails. */
  // biome-ignore lint/suspicious/noExplicitAny: each case reads the fields of its own handler's JSON answer.
  check(answer: any): void;
}

/** The Lambda context a handler reads, for the Node run. */
function nodeContext(name: string) {
  return {
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: "512",
    awsRequestId: "00000000-0000-4000-8000-000000000000",
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: "node",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  };
}

/** The real name of an installed package folder (an alias such as `middy-core5` is `@middy/core`). */
function realName(installed: string): string {
  return (JSON.parse(readFileSync(path.join(REPO_MODULES, installed, "package.json"), "utf8")) as { name: string }).name;
}

/**
 * Runs the handler file in this process: its files in a folder of their own whose node_modules
 * links only the case's packages under their real names (their own dependencies resolve from
 * their real folders, as Node resolves symlinks), with the function's environment set meanwhile.
 */
export async function runInNode(fn: CorpusCase, event: unknown): Promise<unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), "isolambda-corpus-"));
  const saved = { ...process.env };
  try {
    for (const installed of [...fn.packages, ...(fn.preinstalled ?? [])]) {
      const link = path.join(dir, "node_modules", realName(installed));
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join(REPO_MODULES, installed), link, "dir");
    }
    for (const [file, text] of Object.entries(fn.files)) writeFileSync(path.join(dir, file), text);
    const [file, exported] = (fn.handler ?? "index.handler").split(".") as [string, string];
    const main = Object.keys(fn.files).find((f) => f.replace(/\.[cm]?js$/, "") === file);
    if (main === undefined) throw new Error(`${fn.name}: no file for handler ${fn.handler}`);
    const full = path.join(dir, main);
    const module = main.endsWith(".mjs")
      ? ((await import(/* @vite-ignore */ pathToFileURL(full).href)) as Record<string, unknown>)
      : (createRequire(full)(full) as Record<string, unknown>);
    Object.assign(process.env, { TZ: "UTC", AWS_REGION: "us-east-1", AWS_LAMBDA_FUNCTION_NAME: fn.name }, fn.environment);
    const handler = module[exported] as (event: unknown, context: unknown) => Promise<unknown>;
    // The answer crosses as JSON in Lambda: compare what the caller would receive.
    return JSON.parse(JSON.stringify(await handler(event, nodeContext(fn.name)))) as unknown;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Registers the cases as tests of the calling file: every function is deployed at once before
 * them, then each test invokes its function, checks the answer and compares it with Node's.
 */
export function corpusTests(api: TestServer, cases: readonly CorpusCase[], base: () => string = () => ""): void {
  beforeAll(async () => {
    await Promise.all(cases.map((fn) => deployPackaged(api, fn.name, fn)));
  }, 120_000);
  for (const fn of cases) {
    it(fn.name, async () => {
      const event = typeof fn.event === "function" ? fn.event({ base: base() }) : fn.event;
      const answer = await invokeOk(api, fn.name, event);
      fn.check(answer);
      if (fn.compareWithNode !== false) expect(answer).toEqual(await runInNode(fn, event));
    });
  }
}
