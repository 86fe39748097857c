/**
 * `isolambda serve` as a child process on an ephemeral port, for the tests that kill it: the data
 * dir, function folders and an empty config (not the repository's, whose doors take fixed ports)
 * live in `dir`. Resolves once the server prints its Lambda API URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

export interface ChildServer {
  child: ChildProcess;
  url: string;
}

function serveChild(dir: string): Promise<ChildServer> {
  const config = path.join(dir, "isolambda.config.json");
  writeFileSync(config, "{}");
  const args = [
    "serve",
    "--port",
    "0",
    "--data-dir",
    path.join(dir, "data"),
    "--functions",
    path.join(dir, "functions"),
    "--config",
    config,
  ];
  const child = spawn(process.execPath, ["dist/cli.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Lambda API {2}(http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** The servers a test started, so that afterAll can kill whatever is left of them. */
export class ChildServers {
  readonly #children: ChildProcess[] = [];

  async start(dir: string): Promise<ChildServer> {
    const server = await serveChild(dir);
    this.#children.push(server.child);
    return server;
  }

  killAll(): void {
    for (const child of this.#children) child.kill("SIGKILL");
  }
}
