/** The host's Node running a handler package as the sandbox does, to compare the two answers. */
import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { writePackage } from "./fixtures.js";
import { type Files, invokeOnce, resultOf } from "./harness.js";

/**
 * Writes `files` and calls `index.js`'s handler in a child Node from an I/O callback, as Lambda's
 * runtime calls one (after the Runtime API's answer: Node's poll phase, which decides the order of
 * immediates, timers and MessagePort messages); answers what it resolved, through JSON. The child
 * exits once it answered, whatever handles the handler left open. Asynchronous, so a server of the
 * test's own process can answer the child.
 */
export function runInNode(files: Files, event: unknown = {}): Promise<unknown> {
  const file = path.join(writePackage(files), "index.js");
  const driver = `require("node:fs").stat(${JSON.stringify(file)}, () => Promise.resolve(require(${JSON.stringify(file)}).handler(${JSON.stringify(event)}, {})).then(
    (result) => { process.stdout.write(JSON.stringify(result ?? null)); process.exit(0); },
    (error) => { console.error(error); process.exit(1); }));`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ["-e", driver], { encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

/** Runs `files` in the sandbox and in the host's Node, expects the same answer, and returns Node's. */
export async function answersAsNode(sandbox: Sandbox, files: Files, event: unknown = {}): Promise<unknown> {
  const node = await runInNode(files, event);
  expect(resultOf(await invokeOnce(sandbox, files, event))).toEqual(node);
  return node;
}
