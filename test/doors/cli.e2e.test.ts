/** `isolambda serve` with doors: it prints each door's URL, and a door that cannot be served stops it with a clear message. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "isolambda-doors-cli-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `serve` until `done` says the output so far is enough, or the process exits. */
function serve(config: unknown, done: (out: string) => boolean): Promise<{ out: string; err: string; code: number | null }> {
  const file = path.join(dir, `config-${children.length}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [
    "dist/cli.js",
    "serve",
    "--port",
    "0",
    "--config",
    file,
    "--data-dir",
    path.join(dir, `data-${children.length}`),
  ]);
  children.push(child);
  let out = "";
  let err = "";
  return new Promise((resolve) => {
    const check = () => {
      if (done(out)) resolve({ out, err, code: null });
    };
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      check();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (code) => resolve({ out, err, code }));
  });
}

describe("isolambda serve with doors", () => {
  it("prints every door's URL, and the doors answer", async () => {
    const doors = [
      { type: "alb", port: 0, rules: [{ priority: 1, path: "/hello", target: "hello:live" }] },
      { type: "url", port: 0, target: "hello" },
    ];
    const { out } = await serve({ doors }, (text) => (text.match(/ door +http:\/\//g) ?? []).length === 2);
    const urls = [...out.matchAll(/(alb|url) door +(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[2] ?? "");
    expect(urls).toHaveLength(2);
    expect(await (await fetch(`${urls[0]}/hello`)).json()).toEqual({ message: "hello world" });
    expect(await (await fetch(`${urls[1]}/`)).json()).toEqual({ message: "hello world" });
  });

  it("stops with the path of the hook when an Edge hook's version does not exist", async () => {
    const doors = [{ type: "cloudfront", port: 0, behaviors: [{ path: "*", origin: "http://127.0.0.1:9", viewerRequest: "hello:42" }] }];
    const result = await serve({ doors }, () => false);
    expect(result.code).toBe(1);
    expect(result.err).toContain("isolambda: doors.0.behaviors.0.viewerRequest: hello:42 is not a published version of hello");
  });
});
