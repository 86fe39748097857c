/**
 * Stacks as the host's Node prints them for the same files: `error.stack` read by a handler, the
 * invocation's trace and the `Invoke Error` line, source-mapped under
 * NODE_OPTIONS=--enable-source-maps, and frames on a module's first line, whose columns are the
 * file's own.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { InvokeResult, Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { errorOf, messagesAt, resultOf, useSandbox } from "./harness.js";
import { bundleTypeScript } from "./ts-bundle.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const TASK = "/var/task";

/** A package written once, run both by the sandbox and by the host's Node. */
interface Run {
  dir: string;
  invoke(event: unknown): Promise<InvokeResult>;
  /** The host's Node: what `handler(event)` resolves to, or the stack it rejects with. */
  node(event: unknown): { result?: unknown; stack?: string };
}

function runBoth(files: Record<string, string>, handlerFile: string, environment: Record<string, string>): Run {
  const dir = writePackage(files);
  return {
    dir,
    async invoke(event) {
      const env = await sandbox.createEnvironment(
        configFor(dir, { handler: `${handlerFile.replace(/\.[cm]?js$/, "")}.handler`, environment }),
      );
      try {
        return await env.invoke(JSON.stringify(event));
      } finally {
        env.dispose();
      }
    },
    node(event) {
      const driver = [
        `import(${JSON.stringify(`${dir}/${handlerFile}`)}).then(async (m) => {`,
        "  const handler = m.handler;",
        `  try { console.log(JSON.stringify({ result: await handler(${JSON.stringify(event)}) })); }`,
        "  catch (e) { console.log(JSON.stringify({ stack: e.stack })); }",
        "});",
      ].join("\n");
      const options = (environment.NODE_OPTIONS ?? "").split(" ").filter((o) => o !== "");
      const out = execFileSync(process.execPath, [...options, "-e", driver], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH },
      });
      return JSON.parse(out.trim().split("\n").at(-1) as string);
    },
  };
}

/** The lines of `stack` that are in the package, with Node's directory written as the sandbox's. */
function ownFrames(stack: string | string[], dir: string): string[] {
  const lines = Array.isArray(stack) ? stack : stack.split("\n");
  return lines
    .filter((line, index) => index === 0 || line.includes(dir) || line.includes(`${TASK}/`))
    .map((line) => line.replaceAll(dir, TASK));
}

function invokeErrorStack(logs: string): string[] {
  const line = messagesAt(logs, "ERROR").find((message) => message.startsWith("Invoke Error \t")) as string;
  return (JSON.parse(line.slice("Invoke Error \t".length)) as { stack: string[] }).stack;
}

describe("error.stack under NODE_OPTIONS=--enable-source-maps", () => {
  // Where V8 and QuickJS put a frame's column agree (a call's callee, a `throw` of a call): the
  // frames can be compared whole.
  const source = [
    "interface Order { id: string; quantity: number }",
    "",
    "function fail(order: Order): never {",
    "  throw RangeError('order ' + order.id + ' has no items');",
    "}",
    "",
    "function check(order: Order): void {",
    "  if (order.quantity < 1) fail(order);",
    "}",
    "",
    "export const handler = async (event: Order & { rethrow?: boolean }) => {",
    "  let stack = '';",
    "  try { check(event); } catch (error) { stack = (error as Error).stack ?? ''; }",
    "  if (event.rethrow) check(event);",
    "  return { stack };",
    "};",
  ].join("\n");
  const bundle = (sourcemap: "external" | "inline", minify: boolean) => bundleTypeScript(source, sourcemap, minify);

  const switchOn = { NODE_OPTIONS: "--enable-source-maps" };

  for (const [label, files] of [
    ["an external map", bundle("external", false)],
    ["the inline map of a minified bundle (all on the first line)", bundle("inline", true)],
  ] as const) {
    it(`maps the stack a handler reads, the trace and the Invoke Error line as Node does: ${label}`, async () => {
      const run = runBoth(files, "index.js", switchOn);
      const event = { id: "a1", quantity: 0 };
      const expected = ownFrames((run.node(event).result as { stack: string }).stack, run.dir);
      expect(expected.slice(0, 2)).toEqual(["RangeError: order a1 has no items", `    at fail (${TASK}/src/handler.ts:4:9)`]);

      const read = resultOf(await run.invoke(event)) as { stack: string };
      expect(ownFrames(read.stack, run.dir)).toEqual(expected);

      const failed = await run.invoke({ ...event, rethrow: true });
      const thrown = ownFrames(run.node({ ...event, rethrow: true }).stack as string, run.dir);
      const trace = errorOf(failed).trace;
      expect(ownFrames(trace, run.dir)).toEqual(thrown);
      expect(ownFrames(invokeErrorStack(failed.logs), run.dir)).toEqual(thrown);
    });
  }

  it("without the switch, a stack names the bundle's lines, as Node's does", async () => {
    const run = runBoth(bundle("external", false), "index.js", {});
    const event = { id: "a1", quantity: 0 };
    const read = resultOf(await run.invoke(event)) as { stack: string };
    // QuickJS's column is a call's parenthesis, V8's its callee (docs/node-compat.md): lines only.
    const lines = (stack: string) => ownFrames(stack, run.dir).map((frame) => frame.replace(/:(\d+):\d+\)$/, ":$1)"));
    expect(lines(read.stack)).toEqual(lines((run.node(event).result as { stack: string }).stack));
    expect(read.stack.split("\n")[1]).toMatch(/^ {4}at fail \(\/var\/task\/index\.js:\d+:\d+\)$/);
  });
});

describe("frames on a module's first line", () => {
  /** Where frames on line 1 of `file` are, as `file:1:column`, Node's `file://` URLs as paths. */
  const firstLine = (stack: string | string[], dir: string, file: string): string[] =>
    ownFrames(stack, dir)
      .map((frame) => /\((?:file:\/\/)?(\/[^()]*:1:\d+)\)$/.exec(frame)?.[1])
      .filter((where): where is string => where?.startsWith(`${TASK}/${file}:`) === true);

  // On line 1, calls whose column V8 and QuickJS both put at the same place: a parenthesised
  // callee's call, an operator's implicit toString, an unresolved name.
  const line1 = (exported: string) =>
    `const where = () => probe + ''; ${exported} async (event) => { if (event.fail) missing(); return { stack: (where)() }; };`;
  const probe = "const probe = { toString() { return new Error('first line').stack; } };";

  for (const [file, exported] of [
    ["index.js", "exports.handler ="],
    ["index.mjs", "export const handler ="],
  ] as const) {
    it(`counts the columns of ${file}'s own text, as Node does`, async () => {
      const run = runBoth({ [file]: `${line1(exported)}\n${probe}\n` }, file, {});
      const read = resultOf(await run.invoke({})) as { stack: string };
      const expected = firstLine((run.node({}).result as { stack: string }).stack, run.dir, file);
      expect(expected).toHaveLength(2);
      expect(firstLine(read.stack, run.dir, file)).toEqual(expected);

      const failed = await run.invoke({ fail: true });
      const thrown = firstLine(run.node({ fail: true }).stack as string, run.dir, file);
      expect(thrown).toHaveLength(1);
      expect(firstLine(errorOf(failed).trace, run.dir, file)).toEqual(thrown);
      expect(firstLine(invokeErrorStack(failed.logs), run.dir, file)).toEqual(thrown);
    });
  }
});
