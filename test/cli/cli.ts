/** Runs the built CLI (dist/cli.js) as a person would, collecting its exit code and output. */
import { execFile } from "node:child_process";
import path from "node:path";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function isolambda(args: string[], options: { cwd?: string; command?: string[] } = {}): Promise<CliRun> {
  const [command = process.execPath, ...before] = options.command ?? [process.execPath, path.resolve("dist/cli.js")];
  return new Promise((resolve) => {
    execFile(command, [...before, ...args], { cwd: options.cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}
