/**
 * `isolambda serve` as a child process on an ephemeral port, for the tests that kill it, signal it
 * or watch its output: the data dir, function folders and an empty config (not the repository's,
 * whose doors take fixed ports) live in `dir`. Resolves once the server prints its Lambda API URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** Everything the server printed so far, stdout and stderr as they arrived. */
  output(): string;
  /** Resolves with the match once the output matches `pattern`; rejects if the server exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

export interface ServeChildOptions {
  /** More `serve` options, such as --watch. */
  args?: string[];
  /** The command before `serve`: node with dist/cli.js unless a test runs the single binary. */
  command?: string[];
  cwd?: string;
  /** false: no --config at all, as a person types `isolambda serve`. */
  config?: false;
}

function serveChild(dir: string, options: ServeChildOptions): Promise<ChildServer> {
  const config = path.join(dir, "isolambda.config.json");
  if (options.config !== false) writeFileSync(config, "{}");
  const args = [
    "serve",
    "--port",
    "0",
    "--data-dir",
    path.join(dir, "data"),
    "--functions",
    path.join(dir, "functions"),
    ...(options.config === false ? [] : ["--config", config]),
    ...(options.args ?? []),
  ];
  const [command = process.execPath, ...before] = options.command ?? [process.execPath, path.resolve("dist/cli.js")];
  const child = spawn(command, [...before, ...args], { stdio: ["ignore", "pipe", "pipe"], cwd: options.cwd });
  let out = "";
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match === null) return;
        waiters.delete(check);
        child.off("exit", exited);
        resolve(match);
      };
      const exited = (code: number | null) => {
        waiters.delete(check);
        reject(new Error(`serve exited with ${code} before printing ${pattern}: ${out}`));
      };
      child.once("exit", exited);
      waiters.add(check);
      check();
    });
  return waitFor(/Lambda API {2}(http:\/\/\S+)/).then((match) => ({
    child,
    url: match[1] ?? "",
    output: () => out,
    waitFor,
  }));
}

/** The servers a test started, so that afterAll can kill whatever is left of them. */
export class ChildServers {
  readonly #children: ChildProcess[] = [];

  async start(dir: string, options: ServeChildOptions = {}): Promise<ChildServer> {
    const server = await serveChild(dir, options);
    this.#children.push(server.child);
    return server;
  }

  killAll(): void {
    for (const child of this.#children) child.kill("SIGKILL");
  }
}
