/**
 * `npm run bench:sources`: messages per second through an event source mapping to a no-op
 * function, end to end (sent to the built-in queue, polled, invoked, deleted), with batch sizes
 * 10 and 100, durable storage on. Writes bench/results/sources.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { startServer } from "../dist/server.js";
import { round, table } from "./stats.js";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const TARGET_PER_S = 5000;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-sources-"));
const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, onLog: () => {} });
const zip = Buffer.from(zipSync({ "index.mjs": strToU8("export const handler = async () => null;") })).toString("base64");
const api = async (suffix: string, body: unknown, method = "POST") => {
  const response = await fetch(`${server.url}${suffix}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${suffix}: ${response.status} ${await response.text()}`);
  return response;
};
await api("/2015-03-31/functions", { FunctionName: "noop", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip } });

const rows: Array<{ batchSize: number; messages: number; seconds: number; perS: number }> = [];
for (const batchSize of [10, 100]) {
  const queue = `bench-${batchSize}`;
  server.queues.createQueue(queue);
  const arn = server.queues.arnOf(queue);
  // Sent through the store directly: the load generator measures the poller, not SendMessage.
  const record = server.queues.queue(queue);
  for (let i = 0; i < MESSAGES; i++) {
    server.queues.enqueue(record, server.queues.validate(record, String(i), undefined, undefined));
  }
  process.stderr.write(`batch ${batchSize}: ${MESSAGES} messages queued, polling\n`);
  const started = performance.now();
  const mapping = (await (
    await api("/2015-03-31/event-source-mappings", {
      FunctionName: "noop",
      EventSourceArn: arn,
      BatchSize: batchSize,
      MaximumBatchingWindowInSeconds: batchSize > 10 ? 1 : 0,
    })
  ).json()) as { UUID: string };
  for (let waited = 0; ; waited += 20) {
    const counts = server.queues.counts(server.queues.queue(queue));
    if (counts.visible + counts.inFlight + counts.delayed === 0) break;
    if (waited > 300_000) throw new Error(`batch ${batchSize}: not drained after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await api(`/2015-03-31/event-source-mappings/${mapping.UUID}`, {}, "DELETE");
  rows.push({ batchSize, messages: MESSAGES, seconds: round(seconds, 2), perS: Math.round(MESSAGES / seconds) });
}
await server.close();
rmSync(dataDir, { recursive: true, force: true });

const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  settings: { messages: MESSAGES, durability: "SQLite WAL, synchronous=NORMAL" },
  targets: { messagesPerS: TARGET_PER_S },
  rows,
};
await writeFile("bench/results/sources.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(rows.map((r) => ({ "batch size": r.batchSize, messages: r.messages, seconds: r.seconds, "messages/s end to end": r.perS }))),
);
console.log(`\ntarget: ${TARGET_PER_S} messages/s end to end`);
console.log("written: bench/results/sources.json");
