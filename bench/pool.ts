/**
 * `npm run bench:pool`: the Invoke API under load, against a bare Hono route returning the same
 * JSON, interleaved in one run (Hono, isolambda, Hono, ...) so the ratio means something on a
 * shared machine; plus the end-to-end latency of the first invoke of never-seen functions. The
 * design's floor (bench/floor.ts: the same threads and ring, no features) runs in each round too.
 * Servers run in this process (server CPU is measured with process.cpuUsage, workers included);
 * autocannon runs as a child process on loopback, bounded in time. Writes bench/results/pool.json.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { strToU8, zipSync } from "fflate";
import { Hono } from "hono";
import { startServer } from "../dist/server.js";
import { startFloor } from "./floor.js";
import { type Load, load as loadWith } from "./load.js";
import { median, round, summarize, table } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = 5;
const CONNECTIONS = 50;
/**
 * The same three servers at fewer and more connections, one round each: isolambda is a pipeline
 * of three busy threads (autocannon, the main thread, the executor) on the machine's cores, and
 * how many requests are in flight decides how often all three wait on each other.
 */
const SWEEP_CONNECTIONS = [10, 100];
const COLD_FUNCTIONS = Number(process.env.BENCH_COLD ?? 30);
const BURST = 50;
const body = JSON.stringify({ name: "bench" });
// As the SDKs send it: the API refuses text/plain, which a web page could post cross-site.
const json = { "content-type": "application/json" };
const answer = JSON.stringify({ statusCode: 200, body: JSON.stringify({ message: "hello bench" }) });

const load = (url: string, connections = CONNECTIONS) => loadWith(url, { seconds: SECONDS, connections, body, headers: json });

const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-"));
const isolambda = await startServer({ port: 0, host: "127.0.0.1", dataDir, functionsDir: "functions" });
const bare = new Hono()
  .post("/2015-03-31/functions/hello/invocations", (c) => c.body(answer, 200, { "content-type": "application/json" }))
  // The same JSON with the two headers Lambda's Invoke answers with (the SDKs read both): the whole
  // answer. Returned as a Response with a plain header object, Hono's fastest way to send them:
  // c.body() with more than a content type builds a web Headers object, which cost bare Hono 15%.
  .post(
    "/2015-03-31/functions/hello-headers/invocations",
    () =>
      new Response(answer, {
        status: 200,
        headers: { "x-amzn-RequestId": randomUUID(), "X-Amz-Executed-Version": "$LATEST", "content-type": "application/json" },
      }),
  );

const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((resolve) => bareServer.once("listening", resolve));
const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/2015-03-31/functions`;
const bareUrl = `${bareBase}/hello/invocations`;
const sameHeadersUrl = `${bareBase}/hello-headers/invocations`;
const isoUrl = `${isolambda.url}/2015-03-31/functions/hello/invocations`;
const floor = await startFloor();

// Warm up both paths (JIT, the first environment) outside the measurement.
for (let i = 0; i < 200; i++) {
  await fetch(isoUrl, { method: "POST", headers: json, body });
  await fetch(bareUrl, { method: "POST", headers: json, body });
  await fetch(sameHeadersUrl, { method: "POST", headers: json, body });
  await fetch(floor.invokeUrl, { method: "POST", headers: json, body });
}

const rows: Array<{
  round: number;
  hono: Load;
  honoSameHeaders: Load;
  floor: Load;
  isolambda: Load;
  ratio: number;
  floorRatio: number;
  ratioToSameHeaders: number;
}> = [];
for (let r = 1; r <= ROUNDS; r++) {
  process.stderr.write(`round ${r}/${ROUNDS}: bare Hono ${SECONDS} s, `);
  const hono = await load(bareUrl);
  process.stderr.write(`with Lambda's headers ${SECONDS} s, `);
  const honoSameHeaders = await load(sameHeadersUrl);
  process.stderr.write(`floor ${SECONDS} s, `);
  const floorLoad = await load(floor.invokeUrl);
  process.stderr.write(`isolambda ${SECONDS} s\n`);
  const iso = await load(isoUrl);
  rows.push({
    round: r,
    hono,
    honoSameHeaders,
    floor: floorLoad,
    isolambda: iso,
    ratio: round(iso.rps / hono.rps, 3),
    floorRatio: round(floorLoad.rps / hono.rps, 3),
    ratioToSameHeaders: round(iso.rps / honoSameHeaders.rps, 3),
  });
}

const sweep: Array<{ connections: number; honoRps: number; ratio: number; floorRatio: number; isolambdaP99: number }> = [];
for (const connections of SWEEP_CONNECTIONS) {
  process.stderr.write(`${connections} connections: bare Hono, floor, isolambda, ${SECONDS} s each\n`);
  const hono = await load(bareUrl, connections);
  const floorLoad = await load(floor.invokeUrl, connections);
  const iso = await load(isoUrl, connections);
  sweep.push({
    connections,
    honoRps: hono.rps,
    ratio: round(iso.rps / hono.rps, 3),
    floorRatio: round(floorLoad.rps / hono.rps, 3),
    isolambdaP99: iso.p99,
  });
}

const cold: number[] = [];
const zip = Buffer.from(
  zipSync({ "index.mjs": strToU8("export const handler = async (e) => ({ statusCode: 200, body: JSON.stringify(e) });") }),
).toString("base64");
for (let i = 0; i < COLD_FUNCTIONS; i++) {
  const name = `cold-${i}`;
  const created = await fetch(`${isolambda.url}/2015-03-31/functions`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip } }),
  });
  if (created.status !== 201) throw new Error(`CreateFunction ${name}: ${created.status}`);
  // A gap between cold starts, as between real deployments: the executor prepares its spares.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const t = performance.now();
  const out = await fetch(`${isolambda.url}/2015-03-31/functions/${name}/invocations`, { method: "POST", headers: json, body });
  await out.text();
  cold.push(performance.now() - t);
  if (process.stderr.isTTY) process.stderr.write(`\rfirst invoke of new functions: ${i + 1}/${COLD_FUNCTIONS}`);
}
process.stderr.write(`${process.stderr.isTTY ? "\n" : ""}first invoke of new functions: ${COLD_FUNCTIONS}/${COLD_FUNCTIONS}\n`);

// A burst of BURST parallel invokes: a version with BURST provisioned environments against one without.
const api = (suffix: string, init?: RequestInit) => fetch(`${isolambda.url}/2015-03-31/functions${suffix}`, init);
async function burst(name: string): Promise<number[]> {
  return Promise.all(
    Array.from({ length: BURST }, async () => {
      const t = performance.now();
      const out = await api(`/${name}/invocations?Qualifier=1`, { method: "POST", headers: json, body });
      await out.text();
      return performance.now() - t;
    }),
  );
}
for (const name of ["burst-provisioned", "burst-on-demand"]) {
  await api("", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip } }),
  });
  const published = await api(`/${name}/versions`, { method: "POST", headers: json, body: "{}" });
  if (published.status !== 201) throw new Error(`PublishVersion ${name}: ${published.status} ${await published.text()}`);
}
await fetch(`${isolambda.url}/2019-09-30/functions/burst-provisioned/provisioned-concurrency?Qualifier=1`, {
  method: "PUT",
  headers: json,
  body: JSON.stringify({ ProvisionedConcurrentExecutions: BURST }),
});
for (let status = "", attempt = 0; status !== "READY"; attempt++) {
  if (attempt > 1000) throw new Error(`provisioned environments not READY after 20 s (status ${status})`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const config = await (await fetch(`${isolambda.url}/2019-09-30/functions/burst-provisioned/provisioned-concurrency?Qualifier=1`)).json();
  status = (config as { Status: string }).Status;
}
process.stderr.write(`burst of ${BURST}: ${BURST} provisioned environments READY\n`);
const provisionedBurst = summarize(await burst("burst-provisioned"));
const onDemandBurst = summarize(await burst("burst-on-demand"));

await isolambda.close();
await floor.close();
bareServer.close();
rmSync(dataDir, { recursive: true, force: true });

const ratios = rows.map((r) => r.ratio).sort((a, b) => a - b);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  settings: {
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    sweepConnections: SWEEP_CONNECTIONS,
    coldFunctions: COLD_FUNCTIONS,
    burst: BURST,
  },
  targets: { warmThroughputRatio: 0.4, firstInvokeP50Ms: 5 },
  warm: {
    rounds: rows,
    medianRatio: median(ratios),
    ratioRange: [ratios[0], ratios.at(-1)],
    floorMedianRatio: median(rows.map((r) => r.floorRatio)),
    sameHeadersMedianRatio: median(rows.map((r) => r.ratioToSameHeaders)),
    byConnections: sweep,
  },
  firstInvokeOfNewFunction: summarize(cold),
  burst: {
    size: BURST,
    provisioned: provisionedBurst,
    onDemand: onDemandBurst,
    p99Ratio: round(onDemandBurst.p99 / provisionedBurst.p99, 2),
  },
};
await writeFile("bench/results/pool.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(
    rows.map((r) => ({
      round: r.round,
      "Hono req/s (with headers)": `${r.hono.rps} (${r.honoSameHeaders.rps})`,
      "floor req/s": r.floor.rps,
      "isolambda req/s": r.isolambda.rps,
      "ratio (floor)": `${r.ratio} (${r.floorRatio})`,
      "Hono p50/p99 ms": `${r.hono.p50}/${r.hono.p99}`,
      "isolambda p50/p99 ms": `${r.isolambda.p50}/${r.isolambda.p99}`,
      "server CPU µs/req (Hono / floor / isolambda)": `${r.hono.cpuUsPerRequest} / ${r.floor.cpuUsPerRequest} / ${r.isolambda.cpuUsPerRequest}`,
      "main thread µs/req": [r.hono, r.floor, r.isolambda].map((l) => l.mainThreadUsPerRequest ?? "–").join(" / "),
      "machine µs/req": [r.hono, r.floor, r.isolambda].map((l) => l.machineUsPerRequest ?? "–").join(" / "),
    })),
  ),
);
console.log(`\nwarm throughput ratio, median of ${ROUNDS}: ${result.warm.medianRatio} (range ${ratios[0]}–${ratios.at(-1)})`);
console.log(`the design's floor (bench/floor.ts, no features): ${result.warm.floorMedianRatio}× bare Hono`);
console.log(`against bare Hono answering with Lambda's two headers too: ${result.warm.sameHeadersMedianRatio}×`);
const sweepText = sweep.map((s) => `${s.connections}: ${s.ratio}× (floor ${s.floorRatio}×, p99 ${s.isolambdaP99} ms)`);
console.log(`by connections, one round each: ${sweepText.join("; ")}`);
const c = result.firstInvokeOfNewFunction;
console.log(`first invoke of a new function, end to end: p50 ${c.p50} ms, p99 ${c.p99} ms (n=${c.n})`);
const b = result.burst;
console.log(
  `burst of ${BURST} parallel invokes: p99 ${b.provisioned.p99} ms with ${BURST} provisioned, ${b.onDemand.p99} ms without (${b.p99Ratio}x)`,
);
console.log("written: bench/results/pool.json");
