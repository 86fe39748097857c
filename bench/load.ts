/** autocannon as a child process (never in the server's process: it would compete for its thread), loopback, bounded in time. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
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
  /** Of which this process's main thread (Hono, the API, the pool); undefined without Linux's /proc. */
  mainThreadUsPerRequest?: number;
  /**
   * CPU of the whole machine per request: the servers, autocannon, the kernel. Requests per second
   * stop growing once this fills the cores, so it says how far a cut can move the ratio.
   */
  machineUsPerRequest?: number;
}

/** Linux's clock ticks are 10 ms; /proc figures are in them. */
const TICK_US = 10_000;

/** CPU time of this process's main thread and of the whole machine (busy, not idle), in µs. */
function cpuNow(): { main: number; machine: number } | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const main = (Number(fields[11]) + Number(fields[12])) * TICK_US;
    const ticks = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    // idle and iowait are the 4th and 5th figures.
    const busy = ticks.reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
    return { main, machine: busy * TICK_US };
  } catch {
    return undefined;
  }
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
  const cpuBefore = cpuNow();
  const { stdout } = await run(autocannon, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const used = process.cpuUsage(cpu);
  const cpuAfter = cpuNow();
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const requests = Math.max(1, result.requests.total);
  const perRequest = (pick: (t: { main: number; machine: number }) => number) =>
    cpuBefore && cpuAfter ? round((pick(cpuAfter) - pick(cpuBefore)) / requests, 1) : undefined;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuUsPerRequest: round((used.user + used.system) / requests, 1),
    mainThreadUsPerRequest: perRequest((t) => t.main),
    machineUsPerRequest: perRequest((t) => t.machine),
  };
}
