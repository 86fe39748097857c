/** `isolambda logs`: a function's stored invocation logs, read from the data dir (the server need not run). */
import type { Command } from "commander";
import { printLogs } from "../observe/log-reader.js";
import { CliError } from "./errors.js";

interface LogsOptions {
  dataDir: string;
  follow?: boolean;
  streams?: boolean;
}

function logs(fn: string, options: LogsOptions): void {
  const found = printLogs(options.dataDir, fn, { follow: options.follow === true, streams: options.streams === true }, (text) =>
    process.stdout.write(text),
  );
  if (!found) throw new CliError(`no logs for ${fn} in ${options.dataDir} (invoke it first, or pass --data-dir)`);
}

export function logsCommand(program: Command): void {
  program
    .command("logs")
    .description("print a function's stored invocation logs (START … REPORT), from the data dir")
    .argument("<function>", "function name")
    .option("--data-dir <dir>", "the server's data directory", ".isolambda")
    .option("-f, --follow", "keep printing new lines as they are written")
    .option("--streams", "prefix each line with its log stream (one per execution environment)")
    .action(logs);
}
