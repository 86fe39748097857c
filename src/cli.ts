#!/usr/bin/env node
/** The isolambda command line: one file per command under src/cli/. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { benchCommand } from "./cli/bench.js";
import { deployCommand } from "./cli/deploy.js";
import { report } from "./cli/errors.js";
import { functionsCommand } from "./cli/functions.js";
import { invokeCommand } from "./cli/invoke.js";
import { logsCommand } from "./cli/logs.js";
import { serveCommand } from "./cli/serve.js";
import { err } from "./cli/style.js";

/** package.json sits above dist/ in a clone or an install, and in the single binary's extracted tree. */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const program = new Command()
  .name("isolambda")
  .description("AWS Lambda without AWS and without Docker, in WebAssembly sandboxes.")
  .version(version())
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(err("red", text)) });

serveCommand(program);
invokeCommand(program);
deployCommand(program);
logsCommand(program);
functionsCommand(program);
benchCommand(program);

program.parseAsync().catch(report);
