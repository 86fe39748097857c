/**
 * isolambda itself, through its Lambda API: warm throughput, the first invocation of fresh
 * versions (each a new environment), the same with provisioned concurrency READY, cold starts
 * arriving together, and how many idle environments fit in a GB.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { parseConfig } from "../../dist/config/index.js";
import { startServer } from "../../dist/server.js";
import { load } from "../load.js";
import { summarize } from "../stats.js";
import { throughputFigures } from "./figures.js";
import { EVENT, HELLO_SOURCE } from "./hello.js";
import type { Row, Settings, Step } from "./types.js";

const zipOf = (source: string) => Buffer.from(zipSync({ "index.mjs": strToU8(source) })).toString("base64");
const HELLO_ZIP = zipOf(HELLO_SOURCE);
/** Holds its environment long enough for the others of a burst to need their own. */
const HOLDING_ZIP = zipOf("export const handler = async () => { await new Promise((r) => setTimeout(r, 300)); return 1; };");

export async function isolambda(settings: Settings, step: Step): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-harness-"));
  const doors = parseConfig({
    doors: [
      { type: "alb", port: 0, rules: [{ priority: 1, path: "*", target: "hello" }] },
      { type: "url", port: 0, target: "hello" },
    ],
  }).doors;
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, doors, onLog: () => {} });
  const api = async (suffix: string, init?: RequestInit): Promise<Response> => {
    // JSON, as the SDKs send it: the API refuses text/plain, which a web page could post cross-site.
    const response = await fetch(`${server.url}${suffix}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
    if (response.status >= 300) throw new Error(`${init?.method ?? "GET"} ${suffix}: ${response.status} ${await response.text()}`);
    return response;
  };
  const create = (name: string, zip = HELLO_ZIP) =>
    api("/2015-03-31/functions", {
      method: "POST",
      body: JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip } }),
    });
  const invoke = async (name: string, qualifier?: string): Promise<number> => {
    const started = performance.now();
    const response = await api(`/2015-03-31/functions/${name}/invocations${qualifier ? `?Qualifier=${qualifier}` : ""}`, {
      method: "POST",
      body: EVENT,
    });
    await response.arrayBuffer();
    return performance.now() - started;
  };
  const rows: Row[] = [];
  try {
    step("isolambda warm: Invoke API");
    await create("hello");
    await Promise.all(Array.from({ length: settings.connections }, () => invoke("hello")));
    const warm = await load(`${server.url}/2015-03-31/functions/hello/invocations`, {
      seconds: settings.seconds,
      connections: settings.connections,
      body: EVENT,
    });
    rows.push({
      id: "isolambda.warm.api",
      group: "isolambda warm",
      label: "Invoke API → warm QuickJS",
      kind: "throughput",
      ...throughputFigures(warm),
    });
    const [alb, url] = server.doors.map((door) => `${door.url}/hello`) as [string, string];
    // As many environments as connections before measuring, so no row pays for the pool growing.
    await Promise.all(Array.from({ length: settings.connections }, () => fetch(alb).then((r) => r.arrayBuffer())));
    step("isolambda warm: ALB door");
    const albLoad = await load(alb, { seconds: settings.seconds, connections: settings.connections, method: "GET" });
    rows.push({
      id: "isolambda.warm.alb",
      group: "isolambda warm",
      label: "ALB door → warm QuickJS",
      kind: "throughput",
      ...throughputFigures(albLoad),
    });
    step("isolambda warm: function URL door");
    const urlLoad = await load(url, { seconds: settings.seconds, connections: settings.connections, method: "GET" });
    rows.push({
      id: "isolambda.warm.url",
      group: "isolambda warm",
      label: "function URL door → warm QuickJS",
      kind: "throughput",
      ...throughputFigures(urlLoad),
    });

    step(`isolambda cold: first invoke of ${settings.coldVersions} fresh functions`);
    const cold: number[] = [];
    for (let i = 0; i < settings.coldVersions; i++) {
      await create(`cold-${i}`);
      // A gap between cold starts, as between deployments: the executor prepares its spares.
      await new Promise((resolve) => setTimeout(resolve, 20));
      cold.push(await invoke(`cold-${i}`));
    }
    rows.push({
      id: "isolambda.cold",
      group: "isolambda cold",
      label: "first invoke of a fresh function (new environment)",
      kind: "latency",
      ...latency(cold),
    });

    step("isolambda cold: first invoke with provisioned concurrency READY");
    const provisioned: number[] = [];
    for (let i = 0; i < Math.min(settings.coldVersions, 20); i++) {
      await create(`ready-${i}`);
      await api(`/2015-03-31/functions/ready-${i}/versions`, { method: "POST", body: "{}" });
      const path = `/2019-09-30/functions/ready-${i}/provisioned-concurrency?Qualifier=1`;
      await api(path, { method: "PUT", body: JSON.stringify({ ProvisionedConcurrentExecutions: 1 }) });
      for (let status = ""; status !== "READY"; ) status = ((await (await api(path)).json()) as { Status: string }).Status;
      provisioned.push(await invoke(`ready-${i}`, "1"));
    }
    rows.push({
      id: "isolambda.provisioned",
      group: "isolambda cold",
      label: "first invoke, provisioned concurrency READY",
      kind: "latency",
      ...latency(provisioned),
      ratio: { to: "isolambda.cold", value: median(provisioned) / median(cold) },
    });

    for (const together of [1, 10, 50]) {
      step(`scaling: ${together} first invokes at once`);
      await create(`burst-${together}`, HOLDING_ZIP);
      const samples = await Promise.all(Array.from({ length: together }, () => invoke(`burst-${together}`)));
      rows.push({
        id: `scaling.${together}`,
        group: "scaling",
        label: `${together} concurrent first invokes (300 ms handler)`,
        kind: "latency",
        ...latency(samples),
      });
    }

    step(`density: ${settings.densityEnvironments} idle environments`);
    await create("density", HOLDING_ZIP);
    // The baseline after what earlier scenarios left behind has been collected and settled.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    await Promise.all(Array.from({ length: settings.densityEnvironments }, () => invoke("density")));
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // heaps measured, spares settled
    const grown = process.memoryUsage().rss - before;
    // Below a megabyte the growth drowns in the heap's own noise (a quick run's 50 environments): no figure.
    rows.push({
      id: "density",
      group: "density",
      label: `idle environments per GB of RSS (${settings.densityEnvironments} kept warm)`,
      kind: "density",
      n: settings.densityEnvironments,
      perGb: grown < 1024 * 1024 ? undefined : Math.round(settings.densityEnvironments / (grown / 1024 ** 3)),
    });
    return rows;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(samples: number[]): number {
  return summarize(samples).p50;
}

export function latency(samples: number[]): Pick<Row, "n" | "p50" | "p99" | "max"> {
  const s = summarize(samples);
  return { n: s.n, p50: s.p50, p99: s.p99, max: Number(Math.max(...samples).toFixed(3)) };
}
