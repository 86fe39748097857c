/**
 * `npm run bench` / `isolambda bench [--quick]`: every scenario in one run, one process tree,
 * loopback only, each bounded in time and count, with a progress bar. Writes
 * bench/results/<timestamp>.json, latest.md and latest.svg.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { components } from "./components.js";
import { isolambda } from "./isolambda.js";
import { peers } from "./peers.js";
import { markdown, svg } from "./report.js";
import type { Row, Settings } from "./types.js";
import { upperBounds } from "./upper-bounds.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: "bench/results" },
    "no-miniflare": { type: "boolean", default: false },
  },
});
const quick = values.quick === true;
const miniflare = values["no-miniflare"] !== true;
const settings: Settings = quick
  ? { quick, miniflare, seconds: 1, connections: 20, coldVersions: 5, densityEnvironments: 50, slowPeerSamples: 2 }
  : { quick, miniflare, seconds: 5, connections: 50, coldVersions: 50, densityEnvironments: 500, slowPeerSamples: 10 };
/** One per step() call below: the progress bar's total (Miniflare's peer takes two). */
const STEPS = miniflare ? 18 : 16;

const bar = new SingleBar({ format: "{bar} {value}/{total} {label}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 });
bar.start(STEPS, 0, { label: "starting" });
let done = -1;
const step = (label: string) => {
  done += 1;
  bar.update(done, { label });
};

const rows: Row[] = [];
const started = new Date();
try {
  rows.push(...(await upperBounds(settings, step)));
  rows.push(...(await isolambda(settings, step)));
  rows.push(...(await components(settings, step)));
  rows.push(...(await peers(settings, step)));
  bar.update(STEPS, { label: "done" });
} finally {
  bar.stop();
}

const byId = new Map(rows.map((row) => [row.id, row]));
for (const row of rows) {
  if (row.ratio !== undefined) continue;
  if (row.kind === "throughput" && row.id !== "node-http" && row.rps !== undefined) {
    row.ratio = { to: "hono", value: row.rps / (byId.get("hono")?.rps ?? Number.NaN) };
  } else if ((row.group === "peer" || row.id.startsWith("component.cold")) && row.kind === "latency" && row.p50 !== undefined) {
    row.ratio = { to: "isolambda.cold", value: row.p50 / (byId.get("isolambda.cold")?.p50 ?? Number.NaN) };
  }
}

const cpus = os.cpus();
const facts = {
  date: started.toISOString(),
  mode: quick ? "quick (smoke: seconds, small samples)" : "full",
  machine: `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 1024 ** 3)} GB`,
  node: process.version,
  "seconds per throughput run": settings.seconds,
  connections: settings.connections,
};
mkdirSync(values.out ?? "bench/results", { recursive: true });
const out = (file: string) => path.join(values.out ?? "bench/results", file);
const stamp = started.toISOString().replace(/[:.]/g, "-");
writeFileSync(out(`${stamp}.json`), `${JSON.stringify({ ...facts, settings, rows }, null, 2)}\n`);
writeFileSync(out("latest.md"), markdown(rows, facts));
writeFileSync(out("latest.svg"), svg(rows));
console.log(markdown(rows, facts));
console.log(`written: ${out(`${stamp}.json`)}, ${out("latest.md")}, ${out("latest.svg")}`);
