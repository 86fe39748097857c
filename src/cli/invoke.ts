/** `isolambda invoke`: one RequestResponse invocation through a running server's Lambda API, its log tail on stderr. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DEFAULT_ENDPOINT } from "./client.js";
import { CliError, isConnectionRefused, notRunning } from "./errors.js";
import { err } from "./style.js";

interface InvokeOptions {
  payload: string;
  endpoint: string;
}

function readPayload(option: string): string {
  if (!option.startsWith("@")) return option;
  try {
    return readFileSync(option.slice(1), "utf8");
  } catch (error) {
    throw new CliError(`--payload ${option}: ${(error as Error).message}`);
  }
}

async function invoke(fn: string, options: InvokeOptions): Promise<void> {
  const payload = readPayload(options.payload);
  const [name = "", qualifier] = fn.split(":");
  const url = new URL(`/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, options.endpoint);
  if (qualifier) url.searchParams.set("Qualifier", qualifier);
  const response = await fetch(url, { method: "POST", body: payload, headers: { "X-Amz-Log-Type": "Tail" } }).catch((error: unknown) => {
    throw isConnectionRefused(error) ? notRunning(options.endpoint) : error;
  });
  const body = await response.text();
  const log = response.headers.get("X-Amz-Log-Result");
  if (log) process.stderr.write(err("dim", Buffer.from(log, "base64").toString("utf8")));
  if (!response.ok) {
    const type = response.headers.get("x-amzn-ErrorType")?.split(":")[0] ?? `HTTP ${response.status}`;
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // Not AWS's JSON error shape (a proxy in between?): the body as it came.
    }
    throw new CliError(`${fn}: ${type}: ${message}`);
  }
  console.log(body);
  // A function error (X-Amz-Function-Error) is a successful call that the caller must still notice.
  if (response.headers.get("X-Amz-Function-Error")) process.exitCode = 1;
}

export function invokeCommand(program: Command): void {
  program
    .command("invoke")
    .description("invoke a function through a running server's Lambda API; prints the response, the log tail goes to stderr")
    .argument("<function>", "name[:qualifier] (a version or an alias)")
    .option("--payload <json>", "event JSON, or @file to read it from a file", "{}")
    .option("--endpoint <url>", "the server's Lambda API", DEFAULT_ENDPOINT)
    .action(invoke);
}
