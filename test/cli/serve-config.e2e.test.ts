/**
 * `isolambda serve` reads a config only when named: run in the checkout beside the example
 * isolambda.config.json (doors on fixed ports 8080–8083), it opens no door, so two can run there.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChildServers } from "../api/serve-child.js";

const servers = new ChildServers();
const dirs: string[] = [];
afterAll(() => {
  servers.killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const checkout = path.resolve(import.meta.dirname, "../..");
const exited = (child: import("node:child_process").ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe("isolambda serve without --config", () => {
  it("opens no door when run in the checkout, so a second server there starts too", async () => {
    const started = await Promise.all(
      [1, 2].map(() => {
        const dir = mkdtempSync(path.join(tmpdir(), "isolambda-serve-config-"));
        dirs.push(dir);
        return servers.start(dir, { config: false, cwd: checkout });
      }),
    );
    for (const server of started) {
      await server.waitFor(/data dir/);
      expect(server.output()).not.toMatch(/door/);
      expect(server.output()).not.toMatch(/EADDRINUSE/);
      const listed = await fetch(`${server.url}/2015-03-31/functions`);
      expect(listed.status).toBe(200);
    }
    expect(started[0]?.url).not.toBe(started[1]?.url);
    for (const server of started) {
      const code = exited(server.child);
      server.child.kill("SIGTERM");
      expect(await code).toBe(0);
    }
  });

  it("is given the example doors by npm start, which names the config", () => {
    const manifest = JSON.parse(readFileSync(path.join(checkout, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toMatch(/ serve .*--config isolambda\.config\.json/);
  });
});
