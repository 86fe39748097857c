/**
 * `npm run bench:soak [-- --cycles 10000 --every 200]`: create/invoke/delete cycles against one
 * server, each with a package of its own, sampling what a leak would grow: the process's open file
 * descriptors (and how many are log files), the code directory's entries and bytes, the registry
 * database, the log groups, and RSS. Writes bench/results/soak.json.
 *
 * It runs the sources (through tsx, no build): it measures what stays behind, not speed. Run it
 * under `ulimit -n 256` (macOS's default) to see a descriptor leak fail CreateFunction with EMFILE.
 * Log groups stay after DeleteFunction, as in CloudWatch Logs: they grow by design, and are
 * reported apart from the rest of the data dir.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CreateFunctionCommand, DeleteFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { startServer } from "../src/server.js";
import { round, table } from "./stats.js";

const { values } = parseArgs({
  options: { cycles: { type: "string", default: "10000" }, every: { type: "string" } },
});
const CYCLES = Number(values.cycles);
const EVERY = Number(values.every ?? Math.max(1, Math.round(CYCLES / 50)));
if (!Number.isInteger(CYCLES) || CYCLES < 1 || !Number.isInteger(EVERY) || EVERY < 1) {
  throw new Error("--cycles and --every take positive integers");
}
const MiB = 1024 * 1024;

interface Sample {
  cycle: number;
  seconds: number;
  fds: number;
  logFds: number;
  codeEntries: number;
  codeBytes: number;
  databaseBytes: number;
  logBytes: number;
  rssMiB: number;
  heapUsedMiB: number;
}

/** Bytes of the regular files below `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

function openFiles(): string[] {
  const files: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      files.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return files;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-soak-"));
const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
const started = performance.now();

function sample(cycle: number): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const files = openFiles();
  const memory = process.memoryUsage();
  const logs = path.join(dataDir, "logs");
  return {
    cycle,
    seconds: round((performance.now() - started) / 1000, 1),
    fds: files.length,
    logFds: files.filter((file) => file.startsWith(`${logs}/`)).length,
    codeEntries: readdirSync(path.join(dataDir, "code")).length,
    codeBytes: bytesUnder(path.join(dataDir, "code")),
    databaseBytes: readdirSync(dataDir)
      .filter((name) => name.startsWith("registry.db"))
      .reduce((sum, name) => sum + statSync(path.join(dataDir, name)).size, 0),
    logBytes: bytesUnder(logs),
    rssMiB: round(memory.rss / MiB, 1),
    heapUsedMiB: round(memory.heapUsed / MiB, 1),
  };
}

const client = new LambdaClient({
  endpoint: server.url,
  region: "us-east-1",
  credentials: { accessKeyId: "soak", secretAccessKey: "soak" },
  maxAttempts: 1,
});

async function cycle(i: number): Promise<void> {
  const name = `soak-${i}`;
  // A package of its own each time: every cycle stores, unpacks and must remove one.
  const zip = zipSync({ "index.js": strToU8(`exports.handler = async () => ${i};`) });
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/soak",
      Code: { ZipFile: zip },
    }),
  );
  const out = await client.send(new InvokeCommand({ FunctionName: name }));
  const answer = new TextDecoder().decode(out.Payload);
  if (out.FunctionError !== undefined || answer !== String(i)) throw new Error(`${name} answered ${answer}`);
  await client.send(new DeleteFunctionCommand({ FunctionName: name }));
}

const samples: Sample[] = [];
try {
  // The first cycle opens what the server keeps for good (the executor, the registry's files, the connection).
  await cycle(0);
  samples.push(sample(0));
  for (let i = 1; i <= CYCLES; i++) {
    await cycle(i);
    if (i % EVERY === 0 || i === CYCLES) {
      const s = sample(i);
      samples.push(s);
      process.stderr.write(
        `cycle ${i}/${CYCLES}: ${s.fds} fds (${s.logFds} log files), code ${s.codeEntries} entries ${s.codeBytes} B, ` +
          `db ${round(s.databaseBytes / MiB, 2)} MiB, logs ${round(s.logBytes / MiB, 2)} MiB, rss ${s.rssMiB} MiB, ` +
          `${round(i / s.seconds, 0)} cycles/s\n`,
      );
    }
  }
} finally {
  client.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const first = samples[0] as Sample;
const last = samples.at(-1) as Sample;
const growth = {
  fds: last.fds - first.fds,
  logFds: last.logFds - first.logFds,
  codeEntries: last.codeEntries - first.codeEntries,
  codeBytes: last.codeBytes - first.codeBytes,
  databaseBytes: last.databaseBytes - first.databaseBytes,
  logBytesPerCycle: round((last.logBytes - first.logBytes) / CYCLES, 1),
  rssMiB: round(last.rssMiB - first.rssMiB, 1),
  heapUsedMiB: round(last.heapUsedMiB - first.heapUsedMiB, 1),
};
const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  settings: { cycles: CYCLES, every: EVERY, fdLimit: "as the shell gave (ulimit -n)" },
  growth,
  samples,
};
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/soak.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(
    [first, last].map((s) => ({
      cycle: s.cycle,
      fds: s.fds,
      "log fds": s.logFds,
      "code entries": s.codeEntries,
      "code B": s.codeBytes,
      "db MiB": round(s.databaseBytes / MiB, 2),
      "logs MiB": round(s.logBytes / MiB, 2),
      "rss MiB": s.rssMiB,
      "heap MiB": s.heapUsedMiB,
    })),
  ),
);
console.log(`\ngrowth over ${CYCLES} cycles: ${JSON.stringify(growth)}`);
console.log("written: bench/results/soak.json");
