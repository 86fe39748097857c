#!/usr/bin/env node
/** The isolambda command line. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError, loadConfig } from "./config/index.js";
import { FunctionFolderError } from "./functions/folder.js";
import { printLogs } from "./observe/log-reader.js";
import { startServer } from "./server.js";

const program = new Command().name("isolambda").description("AWS Lambda without AWS and without Docker, in WebAssembly sandboxes.");

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is an integer from 0 to 65535");
  return n;
}

program
  .command("serve")
  .description("start the Lambda API and the doors, and deploy the function folders")
  .option("--port <port>", "port of the Lambda API", port, 9000)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--data-dir <dir>", "where isolambda keeps its data", ".isolambda")
  .option("--functions <dir>", "deploy every function folder under this directory", "./functions")
  .option("--config <file>", "region, account, limits and doors (isolambda.config.json when present)")
  .action(async (options: { port: number; host: string; dataDir: string; functions: string; config?: string }) => {
    const started = performance.now();
    const config = loadConfig(options.config ?? "isolambda.config.json", options.config !== undefined);
    const server = await startServer({
      port: options.port,
      host: options.host,
      dataDir: options.dataDir,
      functionsDir: options.functions,
      region: config.region,
      accountId: config.accountId,
      limits: config.limits,
      codeStorageLimitBytes: config.limits.codeStorageBytes,
      pool: { ...config.pool, scalingRate: config.limits.scalingRate },
      async: config.async,
      credentials: config.credentials,
      snapStartEverywhere: config.snapStart.allVersions,
      onLog: (_name, _stream, log) => process.stdout.write(log),
      doors: config.doors,
    });
    const deployed = [...server.deployed].map(([name, outcome]) => `${name} (${outcome})`);
    console.log(`isolambda ready in ${Math.round(performance.now() - started)} ms, data in ${options.dataDir}`);
    console.log(`  Lambda API  ${server.url}  (aws --endpoint-url ${server.url} lambda invoke ...)`);
    console.log(`  SQS API     ${server.url}  (aws --endpoint-url ${server.url} sqs create-queue ...)`);
    console.log(`  functions   ${deployed.length > 0 ? deployed.join(", ") : `no folders under ${options.functions}`}`);
    for (const door of server.doors) console.log(`  ${`${door.type} door`.padEnd(16)}${door.url}  (${door.summary})`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: shutting down`);
      await server.close();
      process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  });

program
  .command("invoke")
  .description("invoke a function through a running server's Lambda API")
  .argument("<function>", "name[:qualifier]")
  .option("--payload <json>", "event JSON, or @file to read it from a file", "{}")
  .option("--endpoint <url>", "the server's Lambda API", "http://127.0.0.1:9000")
  .action(async (fn: string, options: { payload: string; endpoint: string }) => {
    const payload = options.payload.startsWith("@") ? readFileSync(options.payload.slice(1), "utf8") : options.payload;
    const [name, qualifier] = fn.split(":");
    const url = new URL(`/2015-03-31/functions/${encodeURIComponent(name ?? "")}/invocations`, options.endpoint);
    if (qualifier) url.searchParams.set("Qualifier", qualifier);
    const response = await fetch(url, { method: "POST", body: payload, headers: { "X-Amz-Log-Type": "Tail" } });
    const body = await response.text();
    const log = response.headers.get("X-Amz-Log-Result");
    if (log) process.stderr.write(Buffer.from(log, "base64").toString("utf8"));
    const functionError = response.headers.get("X-Amz-Function-Error");
    if (!response.ok) {
      const type = response.headers.get("x-amzn-ErrorType") ?? `HTTP ${response.status}`;
      console.error(`${type}: ${(JSON.parse(body) as { message?: string }).message ?? body}`);
      process.exitCode = 1;
      return;
    }
    console.log(body);
    if (functionError) process.exitCode = 1;
  });

program
  .command("logs")
  .description("print a function's stored invocation logs")
  .argument("<function>", "function name")
  .option("--data-dir <dir>", "the server's data directory", ".isolambda")
  .option("-f, --follow", "keep printing new lines as they are written")
  .option("--streams", "prefix each line with its log stream (one per execution environment)")
  .action((fn: string, options: { dataDir: string; follow?: boolean; streams?: boolean }) => {
    const found = printLogs(options.dataDir, fn, { follow: options.follow === true, streams: options.streams === true }, (text) =>
      process.stdout.write(text),
    );
    if (!found) {
      console.error(`isolambda: no logs for ${fn} in ${options.dataDir} (invoke it first, or pass --data-dir)`);
      process.exitCode = 1;
    }
  });

program
  .command("bench")
  .description("run the benchmark harness: isolambda's cold and warm starts next to real peers (from a clone of the repository)")
  .option("--quick", "a smoke run of seconds, with small samples")
  .option("--out <dir>", "where to write the results", "bench/results")
  .action((options: { quick?: boolean; out: string }) => {
    const harness = fileURLToPath(new URL("../bench/harness/run.ts", import.meta.url));
    let tsx: string | undefined;
    try {
      tsx = import.meta.resolve("tsx");
    } catch {
      // Installed without devDependencies: no harness to run.
    }
    if (!existsSync(harness) || tsx === undefined) {
      console.error("isolambda: the benchmark harness runs from a clone of the repository: git clone …, npm install, npm run bench");
      process.exitCode = 1;
      return;
    }
    // tsx (a devDependency of the clone) runs the harness's TypeScript.
    const args = [
      "--expose-gc",
      "--import",
      import.meta.resolve("tsx"),
      harness,
      "--out",
      options.out,
      ...(options.quick ? ["--quick"] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: "inherit" });
    child.on("exit", (code) => {
      process.exitCode = code ?? 1;
    });
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof FunctionFolderError || error instanceof ConfigError || (error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    console.error(`isolambda: ${(error as Error).message}`);
  } else if ((error as NodeJS.ErrnoException).code === "ECONNREFUSED" || (error as Error).message === "fetch failed") {
    console.error("isolambda: no server answers at the endpoint; start one with `isolambda serve`");
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
