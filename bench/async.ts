/**
 * `npm run bench:async`: Event invokes of a no-op function under load (autocannon, loopback,
 * bounded): how many per second the server accepts — each stored durably in SQLite before its
 * 202 — and how fast they are then delivered, end to end. Writes bench/results/async.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { startServer } from "../dist/server.js";
import { load } from "./load.js";
import { round, table } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = 5;
const CONNECTIONS = 50;
const TARGET_ACCEPTED_PER_S = 5000;

const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-async-"));
const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
const zip = Buffer.from(zipSync({ "index.mjs": strToU8("export const handler = async () => null;") })).toString("base64");
const created = await fetch(`${server.url}/2015-03-31/functions`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ FunctionName: "noop", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip } }),
});
if (created.status !== 201) throw new Error(`CreateFunction: ${created.status} ${await created.text()}`);
const url = `${server.url}/2015-03-31/functions/noop/invocations`;

async function invocations(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('isolambda_invocations_total{function="noop"'));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

interface Round {
  round: number;
  accepted: number;
  acceptedPerS: number;
  p50: number;
  p99: number;
  deliveredPerS: number;
  drainSeconds: number;
}

const rows: Round[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  process.stderr.write(`round ${r}/${ROUNDS}: ${SECONDS} s of Event invokes, then the queue drains\n`);
  const before = await invocations();
  const started = performance.now();
  const result = await load(url, {
    seconds: SECONDS,
    connections: CONNECTIONS,
    body: '{"n":1}',
    headers: { "X-Amz-Invocation-Type": "Event" },
  });
  const accepted = result.requests;
  let delivered = (await invocations()) - before;
  for (let waited = 0; delivered < accepted; waited += 50) {
    if (waited > 120_000) throw new Error(`only ${delivered} of ${accepted} events delivered after 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    delivered = (await invocations()) - before;
  }
  const total = (performance.now() - started) / 1000;
  rows.push({
    round: r,
    accepted,
    acceptedPerS: Math.round(accepted / SECONDS),
    p50: result.p50,
    p99: result.p99,
    deliveredPerS: Math.round(accepted / total),
    drainSeconds: round(total - SECONDS, 2),
  });
}

await server.close();
rmSync(dataDir, { recursive: true, force: true });

const sorted = rows.map((r) => r.acceptedPerS).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  settings: {
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    durability: "SQLite WAL, synchronous=NORMAL, one commit per event",
  },
  targets: { acceptedPerS: TARGET_ACCEPTED_PER_S },
  rounds: rows,
  medianAcceptedPerS: median,
};
await writeFile("bench/results/async.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(
    rows.map((r) => ({
      round: r.round,
      "accepted/s": r.acceptedPerS,
      "202 p50/p99 ms": `${r.p50}/${r.p99}`,
      "delivered/s (end to end)": r.deliveredPerS,
      "drain after load s": r.drainSeconds,
    })),
  ),
);
console.log(`\naccepted Event invokes per second, median of ${ROUNDS}: ${median} (target ${TARGET_ACCEPTED_PER_S})`);
console.log("written: bench/results/async.json");
