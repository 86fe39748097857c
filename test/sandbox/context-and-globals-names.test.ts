/**
 * The sandbox's global names against those of the host's Node 20 running a module, taken at test
 * time: they differ only by the names docs/node-compat.md lists ("Globals"). And the globals that
 * cost a bundle are still unevaluated getters in an environment that has not touched them.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { writePackage } from "./fixtures.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** Node's that the sandbox leaves out: QuickJS has neither shared-memory threads nor WebAssembly for guest code. */
const NOT_IN_SANDBOX = ["Atomics", "WebAssembly"];
/** The sandbox's that Node 20 lacks: Lambda's runtime global, and what QuickJS's newer ECMAScript adds. */
const ONLY_IN_SANDBOX = ["Float16Array", "InternalError", "Iterator", "awslambda"];

/** Globals whose bundle loads on first use, in a fresh environment. */
const LAZY = [
  "DOMException",
  "FormData",
  "CustomEvent",
  "Crypto",
  "CryptoKey",
  "SubtleCrypto",
  "MessageChannel",
  "MessagePort",
  "MessageEvent",
  "BroadcastChannel",
  "Performance",
  "PerformanceEntry",
  "PerformanceMark",
  "PerformanceMeasure",
  "PerformanceObserver",
  "PerformanceObserverEntryList",
  "PerformanceResourceTiming",
];

const nodeGlobals = (): Promise<string[]> => {
  const file = path.join(
    writePackage({ "names.mjs": "process.stdout.write(JSON.stringify(Object.getOwnPropertyNames(globalThis)));" }),
    "names.mjs",
  );
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [file], { encoding: "utf8" }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
  );
};

const major = Number(process.versions.node.split(".")[0]);

describe("global names", () => {
  it.skipIf(major !== 20)("are Node 20's, but for the documented ones", async () => {
    const node = await nodeGlobals();
    const files = { "index.mjs": "export const handler = async () => Object.getOwnPropertyNames(globalThis);" };
    const guest = resultOf(await invokeOnce(sandbox, files)) as string[];
    expect(node.filter((name) => !guest.includes(name)).sort()).toEqual(NOT_IN_SANDBOX);
    expect(guest.filter((name) => !node.includes(name)).sort()).toEqual(ONLY_IN_SANDBOX);
  });

  it("that cost a bundle are not evaluated until used", async () => {
    const files = {
      "index.js": `exports.handler = async () => ({
        getters: ${JSON.stringify(LAZY)}.filter((name) => typeof Object.getOwnPropertyDescriptor(globalThis, name).get !== "function"),
        // performance's prototype is the stand-in that loads Performance's bundle, whose parent is Object.prototype.
        performance: Object.getPrototypeOf(Object.getPrototypeOf(performance)) === Object.prototype,
        now: typeof performance.now(),
      });`,
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ getters: [], performance: true, now: "number" });
  });
});
