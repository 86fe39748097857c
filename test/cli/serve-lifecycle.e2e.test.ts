/**
 * `isolambda serve` as a person runs it: the banner, a config error naming its line, Ctrl-C/SIGTERM
 * letting a running invocation finish before exiting 0, and --watch redeploying an edited folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../src/registry/database.js";
import { type ChildServer, ChildServers } from "../api/serve-child.js";
import { useGate } from "../loopback.js";
import { waitFor } from "../wait.js";
import { isolambda } from "./cli.js";

const servers = new ChildServers();
const dirs: string[] = [];

/** Handlers knock here as they start and wait to be let in, so that a signal lands while one surely runs. */
const gate = useGate();

/** A function that knocks at the gate, then does `then`. */
function gatedHandler(then: string): Record<string, string> {
  return {
    "index.js": `exports.handler = async () => { await fetch(process.env.GATE); ${then} };`,
    "function.json": JSON.stringify({ timeout: 10, environment: { GATE: gate.url } }),
  };
}

/** Sends SIGTERM while a handler waits at the closed gate, and lets it finish once serve has said it is draining. */
async function terminateWhileRunning(server: ChildServer): Promise<void> {
  await waitFor(() => gate.held === 1, "the handler running");
  server.child.kill("SIGTERM");
  await server.waitFor(/SIGTERM: finishing running invocations/);
  gate.open();
}

afterAll(() => {
  servers.killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(functions: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "isolambda-serve-"));
  dirs.push(dir);
  for (const [name, files] of Object.entries(functions)) {
    mkdirSync(path.join(dir, "functions", name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, "functions", name, file), text);
  }
  return dir;
}

function invoke(url: string, name: string, payload = "{}"): Promise<Response> {
  return fetch(`${url}/2015-03-31/functions/${name}/invocations`, { method: "POST", body: payload, headers: { "X-Amz-Log-Type": "Tail" } });
}

const exited = (child: import("node:child_process").ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe("isolambda serve", () => {
  it("prints the API URL, the data dir, each function with its versions and aliases, and when provisioned ones are ready", async () => {
    const dir = project({
      hello: {
        "index.js": "exports.handler = async () => 'hi';",
        "function.json": JSON.stringify({ aliases: { live: "1" }, provisionedConcurrency: { live: 2 } }),
      },
      plain: { "index.js": "exports.handler = async () => 'plain';" },
    });
    const server = await servers.start(dir);
    await server.waitFor(/plain .*\n/);
    const banner = server.output();
    expect(banner).toMatch(/^isolambda ready in \d+ ms\n/);
    expect(banner).toContain(`data dir    ${path.join(dir, "data")}`);
    expect(banner).toMatch(/ {4}hello +created +versions 1 +aliases live→1\n/);
    expect(banner).toMatch(/ {4}plain +created +versions 1\n/);
    // Not a terminal: no progress bar, one line once the environments are up.
    await server.waitFor(/provisioned {2}2\/2 environments ready\n/);
    server.child.kill("SIGTERM");
    expect(await exited(server.child)).toBe(0);
  });

  it("refuses a config with the file and line of the bad field, and --watch with nothing to watch", async () => {
    const dir = project({});
    const config = path.join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ region: "us-east-1", doors: [{ type: "url", port: -1, target: "hello" }] }, null, 2));
    const run = await isolambda(["serve", "--port", "0", "--data-dir", path.join(dir, "data"), "--config", config]);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining(`isolambda: ${config}:6: doors.0.port: `) });
    const empty = path.join(dir, "empty.json");
    writeFileSync(empty, "{}");
    const missing = path.join(dir, "none");
    const unwatched = await isolambda([
      "serve",
      "--port",
      "0",
      "--data-dir",
      path.join(dir, "data"),
      "--config",
      empty,
      "--watch",
      "--functions",
      missing,
    ]);
    expect(unwatched).toMatchObject({ code: 1, stderr: `isolambda: --watch: ${missing}: no such directory to watch\n` });
  });

  it("on SIGTERM lets the running invocation finish, answers it, and exits 0", async () => {
    const dir = project({ slow: gatedHandler("return 'finished';") });
    const server = await servers.start(dir);
    const exit = exited(server.child);
    gate.close();
    const response = invoke(server.url, "slow");
    await terminateWhileRunning(server);
    const answered = await response;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('"finished"');
    expect(await exit).toBe(0);
    expect(server.output()).toContain("SIGTERM: finishing running invocations");
  });

  it("on SIGTERM lets a running Event invocation finish and records it, so a restart does not run it again", async () => {
    const dir = project({ later: gatedHandler("console.log('done later');") });
    const server = await servers.start(dir);
    const exit = exited(server.child);
    gate.close();
    const accepted = await fetch(`${server.url}/2015-03-31/functions/later/invocations`, {
      method: "POST",
      body: "{}",
      headers: { "X-Amz-Invocation-Type": "Event" },
    });
    expect(accepted.status).toBe(202);
    await terminateWhileRunning(server);
    expect(await exit).toBe(0);
    expect(server.output()).toContain("done later");
    const db = new Database(path.join(dir, "data", DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT COUNT(*) AS n FROM async_events").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("with --watch, redeploys an edited function: the next invocation is a cold start of the new code", async () => {
    const dir = project({ live: { "index.js": "exports.handler = async () => 'old';" } });
    const server = await servers.start(dir, { args: ["--watch"] });
    expect(await (await invoke(server.url, "live")).text()).toBe('"old"');
    writeFileSync(path.join(dir, "functions", "live", "index.js"), "exports.handler = async () => 'new';");
    await server.waitFor(/↻ live updated/);
    const after = await invoke(server.url, "live");
    expect(await after.text()).toBe('"new"');
    const tail = Buffer.from(after.headers.get("X-Amz-Log-Result") ?? "", "base64").toString();
    expect(tail).toMatch(/Init Duration: /);

    // A broken function.json is reported and the running code keeps serving.
    writeFileSync(path.join(dir, "functions", "live", "function.json"), '{ "timeout": 0 }');
    await server.waitFor(/live not redeployed: .*function\.json:1: timeout: /);
    expect(await (await invoke(server.url, "live")).text()).toBe('"new"');
    server.child.kill("SIGTERM");
  });
});
