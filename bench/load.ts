/** autocannon as a child process (never in the server's process: it would compete for its thread), loopback, bounded in time. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { round } from "./stats.js";

const run = promisify(execFile);
const autocannon = fileURLToPath(new URL("../node_modules/.bin/autocannon", import.meta.url));

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** CPU of this process (the servers under test, their workers included) per request. */
  cpuUsPerRequest: number;
}

export interface LoadOptions {
  seconds: number;
  connections: number;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
}

export async function load(url: string, options: LoadOptions): Promise<Load> {
  const args = ["-j", "-c", String(options.connections), "-d", String(options.seconds), "-m", options.method ?? "POST"];
  if (options.body !== undefined) args.push("-b", options.body);
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}=${value}`);
  const cpu = process.cpuUsage();
  const { stdout } = await run(autocannon, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const used = process.cpuUsage(cpu);
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuUsPerRequest: round((used.user + used.system) / Math.max(1, result.requests.total), 1),
  };
}
