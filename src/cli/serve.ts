/**
 * `isolambda serve`: the server in the foreground. It prints a banner (what listens where, what
 * was deployed), a progress bar while provisioned environments initialise, each invocation's log,
 * and with --watch redeploys a function folder as soon as a file in it changes.
 */
import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { AuthSettings } from "../api/auth/index.js";
import { loadConfig, parseConfig } from "../config/index.js";
import { type RunningServer, startServer } from "../server.js";
import { CliError } from "./errors.js";
import { listFunctions } from "./functions.js";
import { installLastResort } from "./last-resort.js";
import { provisioningProgress } from "./progress.js";
import { out, stdoutHasColours } from "./style.js";
import { watchFunctions } from "./watch.js";

interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  functions: string;
  config?: string;
  watch?: boolean;
  auth?: "none" | "sigv4";
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is an integer from 0 to 65535");
  return n;
}

/** With SigV4 on and no key in the config, the keys isolambda's own clients would sign with: the environment's. */
function authSettings(mode: AuthSettings["mode"], credentials: AuthSettings["credentials"]): AuthSettings {
  if (mode === "none" || credentials.length > 0) return { mode, credentials };
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    throw new CliError(
      "--auth sigv4 needs access keys: list them in the config's auth.credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
  return { mode, credentials: [{ accessKeyId, secretAccessKey }] };
}

/** On a terminal, the runtime's START/END/REPORT lines (JSON: platform records) step back so that the handler's own lines stand out. */
function dimLambdaLines(log: string): string {
  return log.replace(/^(?:(?:START|END|REPORT|INIT_START) |\{"time":"[^"]*","type":"platform\.).*$/gm, (line) => out("dim", line));
}

async function banner(server: RunningServer, options: ServeOptions, auth: AuthSettings, startedMs: number): Promise<void> {
  const line = (label: string, value: string, note = "") =>
    console.log(`  ${label}${" ".repeat(Math.max(2, 12 - label.length))}${value}${note && out("dim", `  (${note})`)}`);
  console.log(`${out(["bold", "green"], "isolambda ready")} in ${Math.round(performance.now() - startedMs)} ms`);
  // Two spaces after the label: scripts (and the tests) find the URL with /Lambda API {2}(http:\/\/\S+)/.
  line("Lambda API", out("cyan", server.url), `aws --endpoint-url ${server.url} lambda invoke ...`);
  line("SQS API", out("cyan", server.url), `aws --endpoint-url ${server.url} sqs create-queue ...`);
  for (const door of server.doors) line(`${door.type} door`, out("cyan", door.url), door.summary);
  line("data dir", options.dataDir);
  if (server.deployed.size === 0) {
    line("functions", out("dim", `no folders under ${options.functions}`));
    return;
  }
  const summaries = new Map((await listFunctions(server.url, auth.credentials[0])).map((f) => [f.name, f]));
  console.log(`  functions${options.watch ? out("dim", `   (watching ${options.functions})`) : ""}`);
  const width = Math.max(...[...server.deployed.keys()].map((name) => name.length));
  for (const [name, outcome] of server.deployed) {
    const f = summaries.get(name);
    const versions = f?.versions.length ? `versions ${f.versions.join(", ")}` : "$LATEST only";
    const aliases = f?.aliases.length ? `  aliases ${f.aliases.join(", ")}` : "";
    console.log(`    ${out("bold", name.padEnd(width))}  ${out("dim", outcome.padEnd(9))}  ${versions}${aliases}`);
  }
}

async function serve(options: ServeOptions): Promise<void> {
  const started = performance.now();
  // Only a named config: one found by name in the working directory (the checkout's example, with its
  // fixed door ports) would make every serve started there compete for the same ports.
  const config = options.config === undefined ? parseConfig({}) : loadConfig(options.config);
  const auth = authSettings(options.auth ?? config.auth.mode, config.auth.credentials);
  if (options.watch && !existsSync(options.functions)) throw new CliError(`--watch: ${options.functions}: no such directory to watch`);
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
    onLog: (_name, _stream, log) => process.stdout.write(stdoutHasColours ? dimLambdaLines(log) : log),
    doors: config.doors,
    auth,
    egress: config.egress,
  });
  installLastResort();
  let progress: { stop(): void } | undefined;
  // Watching before the banner: whoever waits for the URL may edit a file at once.
  const watcher = options.watch ? watchFunctions(server, options.functions) : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: the user does not want to wait for the drain.
      console.error(`\n${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: finishing running invocations, then stopping (${signal} again to exit now)`);
    progress?.stop();
    watcher?.close();
    await server.close();
    process.exit(0);
  };
  // Before the banner: a signal during it must drain too, not kill the process.
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  await banner(server, options, auth, started);
  if (stopping) return;
  progress = provisioningProgress(server);
}

export function serveCommand(program: Command): void {
  program
    .command("serve")
    .description("start the Lambda API and the doors, and deploy the function folders")
    .option("--port <port>", "port of the Lambda API", port, 9000)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "where isolambda keeps its data", ".isolambda")
    .option("--functions <dir>", "deploy every function folder under this directory", "./functions")
    .option("--config <file>", "region, account, limits and doors (none unless named: npm start names isolambda.config.json)")
    .addOption(
      new Option(
        "--auth <mode>",
        "verify SigV4 signatures on the Lambda and SQS APIs (keys from the config's auth.credentials or AWS_ACCESS_KEY_ID)",
      ).choices(["none", "sigv4"]),
    )
    .option("-w, --watch", "redeploy a function folder when a file in it changes (the next invocation is a cold start)")
    .action(serve);
}
