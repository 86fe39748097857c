/**
 * `npm run bench:doors`: the doors under load, each against a bare Hono route returning the same
 * JSON, interleaved in one run (Hono, ALB, CloudFront, origin alone, function URL; repeated) so the
 * ratios mean something on a shared machine:
 *   (a) bare Hono;  (b) ALB door → warm QuickJS hello;  (c) CloudFront door with a viewer-request
 *   hook (edge-auth, passing the request on) in front of a local origin, and that origin alone;
 *   (d) function URL → hello; and the Invoke API → hello, the same invocation without a door; and
 *   the design's floor (bench/floor.ts): a door's listener, the ring and QuickJS, without features.
 * Servers run in this process (server CPU is measured with process.cpuUsage, workers included);
 * autocannon runs as a child process on loopback, bounded in time. Writes bench/results/doors.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { parseConfig } from "../dist/config/index.js";
import { startServer } from "../dist/server.js";
import { startFloor } from "./floor.js";
import { type Load, load as loadWith } from "./load.js";
import { median, round, table } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
/** What functions/hello answers to an event without a name, as the bare routes answer it. */
const answer = JSON.stringify({ message: "hello world" });

/** Headers are given as autocannon takes them on its command line: "name=value". */
function load(url: string, headers: string[] = [], method = "GET"): Promise<Load> {
  return loadWith(url, {
    seconds: SECONDS,
    connections: CONNECTIONS,
    method: method === "POST" ? "POST" : "GET",
    body: method === "POST" ? "{}" : undefined,
    headers: Object.fromEntries(headers.map((h) => [h.slice(0, h.indexOf("=")), h.slice(h.indexOf("=") + 1)])),
  });
}

async function listen(app: Hono): Promise<{ url: string; close(): void }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const bare = await listen(new Hono().get("*", (c) => c.body(answer, 200, { "content-type": "application/json" })));
const origin = await listen(new Hono().get("*", (c) => c.body(answer, 200, { "content-type": "application/json" })));
const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-doors-"));
const doors = parseConfig({
  doors: [
    { type: "alb", port: 0, rules: [{ priority: 1, path: "*", target: "hello" }] },
    { type: "cloudfront", port: 0, behaviors: [{ path: "*", origin: origin.url, viewerRequest: "edge-auth:1" }] },
    { type: "url", port: 0, target: "hello" },
  ],
}).doors;
const isolambda = await startServer({ port: 0, host: "127.0.0.1", dataDir, functionsDir: "functions", doors, onLog: () => {} });
const [alb, cloudfront, url] = isolambda.doors.map((d) => `${d.url}/data`) as [string, string, string];
const floor = await startFloor();
/** edge-auth lets a request with a session cookie through to the origin. */
const session = ["cookie=session=bench"];

const scenarios: Array<{ name: string; url: string; headers?: string[]; method?: string }> = [
  { name: "bare Hono", url: `${bare.url}/data` },
  { name: "ALB door", url: alb },
  { name: "ALB floor (no features)", url: floor.albUrl },
  { name: "CloudFront door + viewer-request", url: cloudfront, headers: session },
  { name: "origin alone", url: `${origin.url}/data`, headers: session },
  { name: "function URL door", url },
  // The same invocation without a door: what the doors add is the difference to this one.
  { name: "Invoke API (no door)", url: `${isolambda.url}/2015-03-31/functions/hello/invocations`, method: "POST" },
];

// Warm up every path outside the measurement: the JIT, and as many environments per function as
// there will be connections, so no scenario pays for the pool scaling up to 50 concurrent invocations.
for (let i = 0; i < 10; i++) {
  for (const s of scenarios) {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const res = await fetch(s.url, {
          method: s.method ?? "GET",
          body: s.method === "POST" ? "{}" : undefined,
          headers: s.headers ? { cookie: "session=bench" } : {},
        });
        if (res.status !== 200) throw new Error(`${s.name}: warm-up answered ${res.status}`);
        await res.arrayBuffer();
      }),
    );
  }
}

const rounds: Array<Record<string, Load>> = [];
for (let r = 1; r <= ROUNDS; r++) {
  const round: Record<string, Load> = {};
  for (const s of scenarios) {
    process.stderr.write(`round ${r}/${ROUNDS}: ${s.name}, ${SECONDS} s\n`);
    round[s.name] = await load(s.url, s.headers, s.method);
  }
  rounds.push(round);
}

await isolambda.close();
await floor.close();
bare.close();
origin.close();
rmSync(dataDir, { recursive: true, force: true });

/** Per round, a scenario's req/s over bare Hono's (or over the origin alone's, for CloudFront's own ratio). */
const ratios = (name: string, base = "bare Hono") => rounds.map((r) => round((r[name]?.rps ?? 0) / (r[base]?.rps ?? 1), 3));
const summary = Object.fromEntries(
  scenarios.map((s) => {
    const rs = ratios(s.name);
    const of = (k: keyof Load) => median(rounds.map((r) => r[s.name]?.[k] ?? Number.NaN));
    return [
      s.name,
      {
        medianRps: of("rps"),
        medianRatioToHono: median(rs),
        ratioRange: [Math.min(...rs), Math.max(...rs)],
        p50: of("p50"),
        p99: of("p99"),
        cpuUsPerRequest: of("cpuUsPerRequest"),
        mainThreadUsPerRequest: of("mainThreadUsPerRequest"),
        machineUsPerRequest: of("machineUsPerRequest"),
      },
    ];
  }),
);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
  targets: { albRatioToHono: 0.4, albP99Ms: 5 },
  summary,
  cloudfrontRatioToOriginAlone: median(ratios("CloudFront door + viewer-request", "origin alone")),
  albRatioToFloor: median(ratios("ALB door", "ALB floor (no features)")),
  rounds,
};
await writeFile("bench/results/doors.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(
    scenarios.map((s) => {
      const x = summary[s.name] as (typeof summary)[string];
      return {
        scenario: s.name,
        "req/s (median)": x.medianRps,
        "× bare Hono": `${x.medianRatioToHono} (${x.ratioRange[0]}–${x.ratioRange[1]})`,
        "p50/p99 ms": `${x.p50}/${x.p99}`,
        "server CPU µs/req": x.cpuUsPerRequest,
        "main thread µs/req": x.mainThreadUsPerRequest,
        "machine µs/req": x.machineUsPerRequest,
      };
    }),
  ),
);
const albSummary = summary["ALB door"];
console.log(`\nCloudFront door with a viewer-request hook: ${result.cloudfrontRatioToOriginAlone}× the origin alone`);
console.log(`ALB door: ${albSummary?.medianRatioToHono}× bare Hono (target ≥ 0.4), p99 ${albSummary?.p99} ms (target < 5 ms)`);
const albFloor = summary["ALB floor (no features)"];
console.log(
  `the design's floor: ${albFloor?.medianRatioToHono}× bare Hono, p99 ${albFloor?.p99} ms; the ALB door is ${result.albRatioToFloor}× its floor`,
);
console.log("written: bench/results/doors.json");
