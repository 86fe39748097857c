/** `isolambda bench`: the benchmark harness, which runs from a clone of the repository (it needs its devDependencies). */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { CliError } from "./errors.js";

function bench(options: { quick?: boolean; miniflare: boolean; out: string }): void {
  const harness = fileURLToPath(new URL("../../bench/harness/run.ts", import.meta.url));
  let tsx: string | undefined;
  try {
    tsx = import.meta.resolve("tsx");
  } catch {
    // Installed without devDependencies (or a single binary): no harness to run.
  }
  if (!existsSync(harness) || tsx === undefined)
    throw new CliError("the benchmark harness runs from a clone of the repository: git clone …, npm install, npm run bench");
  // tsx (a devDependency of the clone) runs the harness's TypeScript.
  const args = [
    "--expose-gc",
    "--import",
    tsx,
    harness,
    "--out",
    options.out,
    ...(options.quick ? ["--quick"] : []),
    ...(options.miniflare ? [] : ["--no-miniflare"]),
  ];
  const child = spawn(process.execPath, args, { stdio: "inherit" });
  child.on("exit", (code) => {
    process.exitCode = code ?? 1;
  });
}

export function benchCommand(program: Command): void {
  program
    .command("bench")
    .description("run the benchmark harness: isolambda's cold and warm starts next to real peers (from a clone of the repository)")
    .option("--quick", "a smoke run of seconds, with small samples")
    .option("--out <dir>", "where to write the results", "bench/results")
    .option("--no-miniflare", "leave out the Miniflare peer, which needs the bench package (npm run bench installs it)")
    .action(bench);
}
