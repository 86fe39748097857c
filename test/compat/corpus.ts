/**
 * The compatibility corpus's table: each case is a handler deployed with its packages through the
 * Lambda API and invoked in the sandbox, and the same handler file run in this process by Node with
 * the same packages, so the two answers can be compared.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import type { TestServer } from "../api/server.js";
import { deployPackaged, invokeOk, type PackagedFunction } from "./deploy.js";
import { installedPackage } from "./package-closure.js";

export interface CorpusCase extends PackagedFunction {
  /** The function's name, and the test's. */
  name: string;
  /** The invocation's event; a list under `events` is invoked in order, and the answer is the list of answers. */
  event?: object | ((context: { base: string }) => unknown);
  events?: readonly unknown[];
  /**
   * Packages the handler imports without zipping them (Lambda's preinstalled AWS SDK): the sandbox
   * finds them at /var/runtime/node_modules, Node in this repository's node_modules (the corpus has none).
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
  return (JSON.parse(readFileSync(path.join(installedPackage(installed), "package.json"), "utf8")) as { name: string }).name;
}

/**
 * Runs the handler file in this process: its files in a folder of their own whose node_modules
 * links only the case's packages under their real names (their own dependencies resolve from
 * their real folders, as Node resolves symlinks), with the function's environment set meanwhile.
 */
export async function runInNode(fn: CorpusCase, events: readonly unknown[]): Promise<unknown[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "isolambda-corpus-"));
  const saved = { ...process.env };
  try {
    for (const installed of [...fn.packages, ...(fn.preinstalled ?? [])]) {
      const link = path.join(dir, "node_modules", realName(installed));
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(installedPackage(installed), link, "dir");
    }
    for (const [file, text] of Object.entries(fn.files)) writeFileSync(path.join(dir, file), text);
    const [file, exported] = (fn.handler ?? "index.handler").split(".") as [string, string];
    const main = Object.keys(fn.files).find((f) => f.replace(/\.[cm]?js$/, "") === file);
    if (main === undefined) throw new Error(`${fn.name}: no file for handler ${fn.handler}`);
    const full = path.join(dir, main);
    Object.assign(process.env, { TZ: "UTC", AWS_REGION: "us-east-1", AWS_LAMBDA_FUNCTION_NAME: fn.name }, fn.environment);
    const module = main.endsWith(".mjs")
      ? ((await import(/* @vite-ignore */ pathToFileURL(full).href)) as Record<string, unknown>)
      : (createRequire(full)(full) as Record<string, unknown>);
    const handler = module[exported] as (event: unknown, context: unknown) => Promise<unknown>;
    const answers: unknown[] = [];
    // Event and answer cross as JSON in Lambda: the handler gets its own copy (middlewares mutate it), the caller the JSON.
    for (const event of events) {
      const answer = await handler(JSON.parse(JSON.stringify(event)), nodeContext(fn.name));
      answers.push(JSON.parse(JSON.stringify(answer)));
    }
    return answers;
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
      const events = fn.events ?? [typeof fn.event === "function" ? fn.event({ base: base() }) : fn.event];
      const answers: unknown[] = [];
      for (const event of events) answers.push(await invokeOk(api, fn.name, event));
      fn.check(fn.events === undefined ? answers[0] : answers);
      if (fn.compareWithNode !== false) expect(answers).toEqual(await runInNode(fn, events));
    });
  }
}
