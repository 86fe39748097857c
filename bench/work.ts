/**
 * `npm run bench:work`: realistic handler work, the same handler file (bench/work/handler.mjs) in
 * Node in-process and inside isolambda (a real server in this process, invoked through the Invoke
 * API on loopback), in one run and interleaved, timed by what the handler itself reports
 * (performance.now around the work), so neither side pays for transport. The run goes over all
 * the cases in rounds (BENCH_ROUNDS, 3); a case's ratio (isolambda / Node) is the median of its
 * rounds' ratios of medians, reported with their range, and the geometric mean is over the cases
 * that ran on both. SDK cases reach the server's own SQS API and a loopback S3 stand-in started
 * here. `--quick` does one round of one measured run a case. Writes bench/results/work.json and work.md (or to `--out <dir>`).
 */
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { strToU8, zipSync } from "fflate";
import { exportJWK, importPKCS8, SignJWT } from "jose";
import { startServer } from "../dist/server.js";
import { packageFiles } from "../test/compat/package-closure.js";
import { median, round } from "./stats.js";
import { CASES, TARGETS, type WorkCase } from "./work/cases.js";

const QUICK = process.argv.includes("--quick");
const caseIndex = process.argv.indexOf("--case");
/** `--case <id>` runs that case alone (its figures print; the results files are left as they are). */
const ONLY = caseIndex === -1 ? undefined : process.argv[caseIndex + 1];
const outIndex = process.argv.indexOf("--out");
/** Where the results go: bench/results unless --out names another directory (the smoke test's). */
const OUT = outIndex === -1 ? "bench/results" : (process.argv[outIndex + 1] as string);
const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 7);
/** Rounds over all the cases; a case's ratio is the median of its rounds' (the scripts' way to measure here). */
const ROUNDS = QUICK ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
/** Calls of each side before the measured runs, the first of which prepares the case. */
const WARM_RUNS = QUICK ? 1 : 5;
/** A case stops taking more runs in a round once its isolambda side has used this much time (at least one run). */
const CASE_BUDGET_MS = QUICK ? 5_000 : 30_000;
const HANDLER = new URL("./work/handler.mjs", import.meta.url);
const json = { "content-type": "application/json" };
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };

interface Outcome {
  ms: number;
  check: string;
}
type Invoker = (event: Record<string, unknown>) => Promise<Outcome>;

// A loopback stand-in for S3: PutObject needs only a 200 and an ETag.
const s3 = createServer((req, res) => {
  const hash = createHash("md5");
  req.on("data", (chunk: Buffer) => hash.update(chunk));
  req.on("end", () => {
    res.writeHead(200, { ETag: `"${hash.digest("hex")}"`, "content-length": "0" });
    res.end();
  });
});
await new Promise<void>((resolve) => s3.listen(0, "127.0.0.1", resolve));
const s3Url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;

const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-bench-work-"));
const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
const sqs = new SQSClient({ endpoint: server.url, region: "us-east-1", credentials });
const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-work" }));
sqs.destroy();

// Tokens signed here, by the host's Node: the handlers only verify, as an auth hook does.
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const sign = async (alg: "RS256" | "ES256", sub: string, key: KeyObject) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg })
    .setExpirationTime("1h")
    .sign(await importPKCS8(key.export({ type: "pkcs8", format: "pem" }) as string, alg));
const rsaToken = await sign("RS256", "user-rs256", rsa.privateKey);
const esToken = await sign("ES256", "user-es256", ec.privateKey);
// A Cognito user pool's access token (RS256 under the kid its JWKS names), for aws-jwt-verify.
const USER_POOL = "us-east-1_Bench";
const cognitoToken = await new SignJWT({ token_use: "access", client_id: "bench-client", scope: "read" })
  .setProtectedHeader({ alg: "RS256", kid: "bench-1" })
  .setIssuer(`https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL}`)
  .setSubject("user-cognito")
  .setIssuedAt()
  .setExpirationTime("1h")
  .sign(await importPKCS8(rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string, "RS256"));
const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: "bench-1", alg: "RS256", use: "sig" }] };

function eventFor(c: WorkCase): Record<string, unknown> {
  const event: Record<string, unknown> = { case: c.id };
  if (c.needs === "jwt-rs256") Object.assign(event, { token: rsaToken, publicKey: rsa.publicKey.export({ type: "spki", format: "pem" }) });
  if (c.needs === "jwt-es256") Object.assign(event, { token: esToken, publicKey: ec.publicKey.export({ type: "spki", format: "pem" }) });
  if (c.needs === "cognito") Object.assign(event, { token: cognitoToken, jwks, userPoolId: USER_POOL, clientId: "bench-client" });
  if (c.needs === "sqs") Object.assign(event, { endpoint: server.url, queueUrl: QueueUrl, credentials });
  if (c.needs === "s3") Object.assign(event, { endpoint: s3Url, credentials });
  return event;
}

// The function: the handler file as index.mjs, with the JWT libraries (aws-jwt-verify's too); the SDK clients are the runtime's.
const created = await fetch(`${server.url}/2015-03-31/functions`, {
  method: "POST",
  headers: json,
  body: JSON.stringify({
    FunctionName: "work",
    Runtime: "nodejs22.x",
    Handler: "index.handler",
    MemorySize: 1024,
    Timeout: 120,
    Code: {
      ZipFile: Buffer.from(
        zipSync({ ...packageFiles(["jsonwebtoken", "jose", "aws-jwt-verify"]), "index.mjs": strToU8(readFileSync(HANDLER, "utf8")) }),
      ).toString("base64"),
    },
  }),
});
if (created.status !== 201) throw new Error(`CreateFunction: ${created.status} ${await created.text()}`);

const inNode: Invoker = async (event) => {
  const { handler } = (await import(HANDLER.href)) as { handler: Invoker };
  return handler(event);
};
const inIsolambda: Invoker = async (event) => {
  const out = await fetch(`${server.url}/2015-03-31/functions/work/invocations`, {
    method: "POST",
    headers: json,
    body: JSON.stringify(event),
  });
  const payload = (await out.json()) as Outcome & { errorMessage?: string; errorType?: string };
  if (out.headers.get("x-amz-function-error") !== null || out.status !== 200) {
    throw new Error(`${payload.errorType ?? out.status}: ${payload.errorMessage ?? JSON.stringify(payload)}`);
  }
  return payload;
};

interface Row {
  id: string;
  name: string;
  kind: string;
  target?: number;
  nodeMs: number;
  isolambdaMs?: number;
  /** The median of the rounds' ratios, and their lowest and highest. */
  ratio?: number;
  ratioRange?: [number, number];
  runs: number;
  fails?: string;
  checksDiffer?: { node: string; isolambda: string };
}

/** One case's runs so far, over the rounds. */
interface Tally {
  node: number[];
  iso: number[];
  /** Each round's ratio of medians. */
  ratios: number[];
  nodeCheck?: string;
  isoCheck?: string;
  fails?: string;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Prepares a case on both sides (its first call) and warms it: the first round's only. */
async function warm(c: WorkCase, tally: Tally): Promise<void> {
  const event = eventFor(c);
  // The first call of each side prepares the case (inputs, packages, clients); the next warm it:
  // V8 compiles the host side of a new code path (Node's and the sandbox's) over its first few
  // thousand calls, which made the first 5,000 small HMACs of an environment run 2-5x slower.
  tally.nodeCheck = (await inNode(event)).check;
  try {
    tally.isoCheck = (await inIsolambda(event)).check;
    for (let run = 1; run < WARM_RUNS; run++) {
      await inNode(event);
      await inIsolambda(event);
    }
  } catch (error) {
    tally.fails = message(error);
  }
}

/** One round of a case: its runs, the two sides interleaved, and the round's ratio. */
async function measure(c: WorkCase, tally: Tally): Promise<void> {
  const event = eventFor(c);
  const node: number[] = [];
  const iso: number[] = [];
  let spent = 0;
  for (let run = 0; run < RUNS && (tally.fails !== undefined || spent < CASE_BUDGET_MS || run === 0); run++) {
    node.push((await inNode(event)).ms);
    if (tally.fails !== undefined) continue;
    const t = performance.now();
    try {
      iso.push((await inIsolambda(event)).ms);
    } catch (error) {
      tally.fails = message(error);
    }
    spent += performance.now() - t;
  }
  tally.node.push(...node);
  tally.iso.push(...iso);
  if (tally.fails === undefined) tally.ratios.push(median(iso) / Math.max(median(node), 0.001));
}

const started = performance.now();
const chosen = CASES.filter((c) => ONLY === undefined || c.id === ONLY);
if (chosen.length === 0) throw new Error(`No case ${ONLY}: the cases are ${CASES.map((c) => c.id).join(", ")}`);
const tallies = new Map(chosen.map((c) => [c.id, { node: [], iso: [], ratios: [] } as Tally]));
// Rounds over all the cases, not all of a case's runs at once: a minute in which the machine is
// busy elsewhere then disturbs one round of many cases, which the median over rounds sets aside.
for (let pass = 1; pass <= ROUNDS; pass++) {
  process.stderr.write(`round ${pass}/${ROUNDS}: `);
  for (const c of chosen) {
    const tally = tallies.get(c.id) as Tally;
    if (pass === 1) await warm(c, tally);
    await measure(c, tally);
    process.stderr.write(tally.fails === undefined ? "." : "x");
  }
  process.stderr.write("\n");
}

const rows: Row[] = chosen.map((c) => {
  const tally = tallies.get(c.id) as Tally;
  const nodeMs = round(median(tally.node), 3);
  const row: Row = { id: c.id, name: c.name, kind: c.kind, target: TARGETS[c.kind], nodeMs, runs: tally.node.length };
  if (tally.fails !== undefined) row.fails = tally.fails.slice(0, 200);
  else {
    row.isolambdaMs = round(median(tally.iso), 3);
    row.ratio = round(median(tally.ratios), 2);
    row.ratioRange = [round(Math.min(...tally.ratios), 2), round(Math.max(...tally.ratios), 2)];
    if (tally.isoCheck !== tally.nodeCheck) row.checksDiffer = { node: tally.nodeCheck ?? "", isolambda: tally.isoCheck ?? "" };
  }
  const figures =
    row.fails === undefined ? `${row.isolambdaMs} ms (${row.ratio}×, rounds ${row.ratioRange?.join("–")}×)` : `fails: ${row.fails}`;
  process.stderr.write(`${c.name}: Node ${nodeMs} ms, isolambda ${figures}\n`);
  if (ONLY !== undefined) {
    const runs = (values: number[]) => values.map((ms) => round(ms, 2)).join(" ");
    process.stderr.write(`  runs: Node ${runs(tally.node)}\n  runs: isolambda ${runs(tally.iso)}\n`);
  }
  return row;
});

const geometricMean = (ratios: number[]): number | undefined =>
  ratios.length === 0 ? undefined : round(Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length), 2);
const ran = rows.filter((r) => r.ratio !== undefined);
/** The cases over their target in the median of the rounds. */
const overTarget = ran.filter((r) => r.target !== undefined && (r.ratio as number) > r.target).map((r) => r.id);
const result = {
  date: new Date().toISOString(),
  quick: QUICK,
  rounds: ROUNDS,
  runsPerCase: RUNS,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  seconds: round((performance.now() - started) / 1000, 1),
  geometricMean: geometricMean(ran.map((r) => r.ratio as number)),
  geometricMeanBuiltIns: geometricMean(ran.filter((r) => r.kind === "built-in").map((r) => r.ratio as number)),
  overTarget,
  failing: rows.filter((r) => r.fails !== undefined).map((r) => r.id),
  rows,
};

const fmt = (ms: number | undefined) => (ms === undefined ? "" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const markdown = [
  `# bench:work — ${result.date}${QUICK ? " (quick)" : ""}`,
  "",
  `The same handler in Node ${process.version} in-process and inside isolambda, of the time the handler reports (${result.machine.cpus} CPUs, ${result.machine.model}), in ${ROUNDS} round${ROUNDS === 1 ? "" : "s"} over all the cases after ${WARM_RUNS} warm-up calls a side: each round takes ${RUNS} runs of a case, the two sides interleaved, and its ratio of the medians; × is the median of the rounds' ratios, beside their range. Node and isolambda are the medians of all runs.`,
  "",
  "| work | kind | Node | isolambda | × | rounds | target |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const iso = r.fails === undefined ? `${fmt(r.isolambdaMs)} ms` : `fails: ${r.fails.replaceAll("|", "\\|")}`;
    const ratio = r.ratio === undefined ? "—" : `${r.ratio}×${r.checksDiffer ? " (results differ)" : ""}`;
    const range = r.ratioRange === undefined ? "" : `${r.ratioRange[0]}–${r.ratioRange[1]}×`;
    return `| ${r.name} | ${r.kind} | ${fmt(r.nodeMs)} ms | ${iso} | ${ratio} | ${range} | ${r.target === undefined ? "none" : `≤ ${r.target}×`} |`;
  }),
  "",
  `Geometric mean over the ${ran.length} cases that ran on both: ${result.geometricMean ?? "—"}× (built-ins only: ${result.geometricMeanBuiltIns ?? "—"}×). Over their target: ${overTarget.length === 0 ? "none" : overTarget.join(", ")}.`,
  "",
].join("\n");

if (ONLY === undefined) {
  await writeFile(path.join(OUT, "work.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(path.join(OUT, "work.md"), markdown);
  process.stdout.write(`${markdown}\nwritten: ${path.join(OUT, "work.json")}, ${path.join(OUT, "work.md")}\n`);
} else process.stdout.write(`${markdown}\n`);

await server.close();
s3.close();
rmSync(dataDir, { recursive: true, force: true });
