/** `isolambda functions list`: every function of a running server with its runtime, state, versions and aliases. */
import {
  type AliasConfiguration,
  type FunctionConfiguration,
  type LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
} from "@aws-sdk/client-lambda";
import type { Command } from "commander";
import { type AccessKey, call, DEFAULT_ENDPOINT, lambdaClient } from "./client.js";
import { out } from "./style.js";

export interface FunctionSummary {
  name: string;
  runtime: string;
  state: string;
  versions: string[];
  aliases: string[];
}

/** Follows NextMarker through every page of a List* call. */
async function all<T>(page: (marker: string | undefined) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const result = await page(marker);
    items.push(...(result.items ?? []));
    marker = result.next;
  } while (marker !== undefined);
  return items;
}

export function aliasText(alias: AliasConfiguration): string {
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).map(
    ([version, weight]) => ` +${version}@${Math.round(weight * 100)}%`,
  );
  return `${alias.Name}→${alias.FunctionVersion}${weights.join("")}`;
}

async function summary(client: LambdaClient, fn: FunctionConfiguration): Promise<FunctionSummary> {
  const name = fn.FunctionName ?? "";
  const versions = await all(async (Marker) => {
    const r = await client.send(new ListVersionsByFunctionCommand({ FunctionName: name, Marker }));
    return { items: r.Versions, next: r.NextMarker };
  });
  const aliases = await all(async (Marker) => {
    const r = await client.send(new ListAliasesCommand({ FunctionName: name, Marker }));
    return { items: r.Aliases, next: r.NextMarker };
  });
  return {
    name,
    runtime: fn.Runtime ?? "",
    state: fn.State ?? "Active",
    versions: versions.map((v) => v.Version ?? "").filter((v) => v !== "$LATEST"),
    aliases: aliases.map(aliasText),
  };
}

export async function listFunctions(endpoint: string, credentials?: AccessKey): Promise<FunctionSummary[]> {
  const client = lambdaClient(endpoint, credentials);
  return call(endpoint, "functions list", async () => {
    const functions = await all(async (Marker) => {
      const r = await client.send(new ListFunctionsCommand({ Marker }));
      return { items: r.Functions, next: r.NextMarker };
    });
    return Promise.all(functions.map((fn) => summary(client, fn)));
  });
}

/** Versions as ranges: 1-4, 7. */
function ranges(versions: string[]): string {
  const numbers = versions.map(Number).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j;
  }
  return parts.join(", ") || "-";
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join("  "));
}

async function list(options: { endpoint: string; json?: boolean }): Promise<void> {
  const functions = await listFunctions(options.endpoint);
  if (options.json) {
    console.log(JSON.stringify(functions, null, 2));
    return;
  }
  if (functions.length === 0) {
    console.log(`no functions at ${options.endpoint}; deploy one with \`isolambda deploy <folder>\``);
    return;
  }
  const rows = [
    ["NAME", "RUNTIME", "STATE", "VERSIONS", "ALIASES"],
    ...functions.map((f) => [f.name, f.runtime, f.state, ranges(f.versions), f.aliases.join(", ") || "-"]),
  ];
  const [header = "", ...lines] = table(rows);
  console.log(out("bold", header));
  for (const line of lines) console.log(line);
}

export function functionsCommand(program: Command): void {
  const functions = program.command("functions").description("inspect the functions of a running server");
  functions
    .command("list")
    .description("list functions with their runtime, state, published versions and aliases")
    .option("--endpoint <url>", "the server's Lambda API", DEFAULT_ENDPOINT)
    .option("--json", "print JSON instead of a table")
    .action(list);
}
