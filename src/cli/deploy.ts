/**
 * `isolambda deploy <folder|zip>`: what `serve` does for its function folders, through a running
 * server's Lambda API: CreateFunction, or UpdateFunctionCode and UpdateFunctionConfiguration where
 * they changed; then PublishVersion, and the aliases and concurrency function.json declares.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import type { Command } from "commander";
import { type FunctionSettings, RUNTIMES, readFunctionFolder } from "../functions/folder.js";
import { zipFolder } from "../registry/zip-folder.js";
import { call, DEFAULT_ENDPOINT, lambdaClient } from "./client.js";
import { CliError } from "./errors.js";
import { out } from "./style.js";

interface DeployOptions {
  endpoint: string;
  name?: string;
  handler: string;
  runtime: string;
}

interface Package {
  name: string;
  zip: Uint8Array;
  /** function.json of a folder; a zip only has what the options say. */
  settings?: FunctionSettings;
}

function readPackage(source: string, options: DeployOptions): Package {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(source);
  } catch {
    throw new CliError(`${source}: no such folder or zip file`);
  }
  if (stat.isDirectory()) {
    const folder = readFunctionFolder(source);
    const local = folder.settings.layers.filter((layer) => !layer.startsWith("arn:"));
    if (local.length > 0)
      throw new CliError(
        `${source}/function.json: layers: ${local.join(", ")}: deploy takes layer version ARNs; local layer folders are for serve`,
      );
    return { name: options.name ?? folder.name, zip: zipFolder(source), settings: folder.settings };
  }
  if (!source.endsWith(".zip")) throw new CliError(`${source}: deploy takes a function folder or a .zip file`);
  return { name: options.name ?? path.basename(source, ".zip"), zip: readFileSync(source) };
}

/** The configuration to ask for: function.json's, or for a zip the handler and runtime options. */
function wanted(pkg: Package, options: DeployOptions) {
  const s = pkg.settings;
  if (s === undefined) return { Handler: options.handler, Runtime: options.runtime as FunctionConfiguration["Runtime"] };
  return {
    Handler: s.handler,
    Runtime: s.runtime as FunctionConfiguration["Runtime"],
    MemorySize: s.memorySize,
    Timeout: s.timeout,
    Description: s.description,
    Environment: { Variables: s.environment },
    Layers: s.layers,
    EphemeralStorage: { Size: s.ephemeralStorage },
  };
}

/** Whether what the server has differs from what is wanted, field by field as GetFunctionConfiguration shows it. */
function differs(current: FunctionConfiguration, config: ReturnType<typeof wanted>): boolean {
  const shown: Record<string, unknown> = {
    ...current,
    Environment: { Variables: current.Environment?.Variables ?? {} },
    Layers: (current.Layers ?? []).map((layer) => layer.Arn),
  };
  return Object.entries(config).some(([key, value]) => JSON.stringify(shown[key]) !== JSON.stringify(value));
}

async function existing(client: LambdaClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function moveAliases(client: LambdaClient, name: string, aliases: NonNullable<FunctionSettings["aliases"]>): Promise<string[]> {
  const moved: string[] = [];
  for (const [alias, target] of Object.entries(aliases)) {
    const input = {
      FunctionName: name,
      Name: alias,
      FunctionVersion: typeof target === "string" ? target : target.version,
      RoutingConfig: { AdditionalVersionWeights: typeof target === "string" ? {} : (target.weights ?? {}) },
    };
    try {
      await client.send(new UpdateAliasCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateAliasCommand(input));
    }
    moved.push(`${alias} → ${input.FunctionVersion}`);
  }
  return moved;
}

async function deploy(source: string, options: DeployOptions): Promise<void> {
  if (!(RUNTIMES as readonly string[]).includes(options.runtime))
    throw new CliError(`--runtime ${options.runtime}: one of ${RUNTIMES.join(", ")}`);
  const pkg = readPackage(source, options);
  const client = lambdaClient(options.endpoint);
  const config = wanted(pkg, options);
  const result = await call(options.endpoint, pkg.name, async () => {
    const current = await existing(client, pkg.name);
    let outcome = "unchanged";
    if (current === undefined) {
      await client.send(
        new CreateFunctionCommand({
          FunctionName: pkg.name,
          Role: "arn:aws:iam::000000000000:role/isolambda-deploy",
          Code: { ZipFile: pkg.zip },
          ...config,
        }),
      );
      outcome = "created";
    } else {
      const code = await client.send(new UpdateFunctionCodeCommand({ FunctionName: pkg.name, ZipFile: pkg.zip }));
      if (code.CodeSha256 !== current.CodeSha256) outcome = "updated";
      if (differs(current, config)) {
        await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: pkg.name, ...config }));
        outcome = "updated";
      }
    }
    // As serve does for its folders: every deployment is published (an unchanged one returns the newest version).
    const version = await client.send(new PublishVersionCommand({ FunctionName: pkg.name }));
    const aliases = await moveAliases(client, pkg.name, pkg.settings?.aliases ?? {});
    const reserved = pkg.settings?.reservedConcurrency;
    if (reserved !== undefined)
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: pkg.name, ReservedConcurrentExecutions: reserved }));
    for (const [qualifier, requested] of Object.entries(pkg.settings?.provisionedConcurrency ?? {}))
      await client.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: pkg.name,
          Qualifier: qualifier,
          ProvisionedConcurrentExecutions: requested,
        }),
      );
    return { outcome, version: version.Version, aliases };
  });
  const aliases = result.aliases.length > 0 ? `, aliases ${result.aliases.join(", ")}` : "";
  console.log(`${out("bold", pkg.name)} ${out("green", result.outcome)}: version ${result.version}${aliases}`);
  const ignored = ["schedules", "eventSources"].filter((key) => {
    const value = pkg.settings?.[key as keyof FunctionSettings];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (ignored.length > 0)
    console.error(out("yellow", `note: ${ignored.join(", ")} in function.json take effect when serve deploys the folder`));
}

export function deployCommand(program: Command): void {
  program
    .command("deploy")
    .description("create or update a function on a running server from a function folder (with its function.json) or a zip")
    .argument("<source>", "a function folder or a .zip file")
    .option("--name <name>", "function name (default: the folder's or zip's name)")
    .option("--handler <handler>", "handler of a zip (a folder's comes from function.json)", "index.handler")
    .option("--runtime <runtime>", "runtime of a zip (a folder's comes from function.json)", "nodejs20.x")
    .option("--endpoint <url>", "the server's Lambda API", DEFAULT_ENDPOINT)
    .action(deploy);
}
