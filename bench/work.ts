/**
 * `npm run bench:work`: realistic handler work, the same handler file (bench/work/handler.mjs) in
 * Node in-process and inside isolambda (a real server in this process, invoked through the Invoke
 * API on loopback), in one run and interleaved. Each case's figure is the median, after warm-up
 * calls, of the time the handler itself reports (performance.now around the work), so neither side pays for transport;
 * the ratio is isolambda / Node, and the geometric mean is over the cases that ran on both.
 * SDK cases reach the server's own SQS API and a loopback S3 stand-in started here. `--quick`
 * does one measured run a case. Writes bench/results/work.json and work.md (or to `--out <dir>`).
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
/** Calls of each side before the measured runs, the first of which prepares the case. */
const WARM_RUNS = QUICK ? 1 : 5;
/** A case stops taking more runs once its isolambda side has used this much time (at least one run). */
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
  ratio?: number;
  runs: number;
  fails?: string;
  checksDiffer?: { node: string; isolambda: string };
}

const rows: Row[] = [];
const started = performance.now();
const chosen = CASES.filter((c) => ONLY === undefined || c.id === ONLY);
if (chosen.length === 0) throw new Error(`No case ${ONLY}: the cases are ${CASES.map((c) => c.id).join(", ")}`);
for (const [index, c] of chosen.entries()) {
  process.stderr.write(`[${index + 1}/${chosen.length}] ${c.name}: `);
  const event = eventFor(c);
  const node: number[] = [];
  const iso: number[] = [];
  // The first call of each side prepares the case (inputs, packages, clients); the next warm it:
  // V8 compiles the host side of a new code path (Node's and the sandbox's) over its first few
  // thousand calls, which made the first 5,000 small HMACs of an environment run 2-5x slower.
  const nodeWarm = await inNode(event);
  let fails: string | undefined;
  let isoCheck: string | undefined;
  try {
    isoCheck = (await inIsolambda(event)).check;
    for (let run = 1; run < WARM_RUNS; run++) {
      await inNode(event);
      await inIsolambda(event);
    }
  } catch (error) {
    fails = error instanceof Error ? error.message : String(error);
  }
  let spent = 0;
  for (let run = 0; run < RUNS && (fails !== undefined || spent < CASE_BUDGET_MS || run === 0); run++) {
    node.push((await inNode(event)).ms);
    if (fails !== undefined) continue;
    const t = performance.now();
    try {
      iso.push((await inIsolambda(event)).ms);
    } catch (error) {
      fails = error instanceof Error ? error.message : String(error);
    }
    spent += performance.now() - t;
    process.stderr.write(".");
  }
  const nodeMs = round(median(node), 3);
  const row: Row = { id: c.id, name: c.name, kind: c.kind, target: TARGETS[c.kind], nodeMs, runs: node.length };
  if (fails !== undefined) row.fails = fails.slice(0, 200);
  else {
    row.isolambdaMs = round(median(iso), 3);
    row.ratio = round(row.isolambdaMs / Math.max(nodeMs, 0.001), 2);
    if (isoCheck !== nodeWarm.check) row.checksDiffer = { node: nodeWarm.check, isolambda: isoCheck ?? "" };
  }
  rows.push(row);
  if (ONLY !== undefined)
    process.stderr.write(
      `\n  runs: Node ${node.map((ms) => round(ms, 2)).join(" ")}\n  runs: isolambda ${iso.map((ms) => round(ms, 2)).join(" ")}\n`,
    );
  process.stderr.write(
    ` Node ${nodeMs} ms, isolambda ${row.fails === undefined ? `${row.isolambdaMs} ms (${row.ratio}×)` : `fails: ${row.fails}`}\n`,
  );
}

const geometricMean = (ratios: number[]): number | undefined =>
  ratios.length === 0 ? undefined : round(Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length), 2);
const ran = rows.filter((r) => r.ratio !== undefined);
const result = {
  date: new Date().toISOString(),
  quick: QUICK,
  runsPerCase: RUNS,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  seconds: round((performance.now() - started) / 1000, 1),
  geometricMean: geometricMean(ran.map((r) => r.ratio as number)),
  geometricMeanBuiltIns: geometricMean(ran.filter((r) => r.kind === "built-in").map((r) => r.ratio as number)),
  failing: rows.filter((r) => r.fails !== undefined).map((r) => r.id),
  rows,
};

const fmt = (ms: number | undefined) => (ms === undefined ? "" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const markdown = [
  `# bench:work — ${result.date}${QUICK ? " (quick)" : ""}`,
  "",
  `The same handler in Node ${process.version} in-process and inside isolambda, median of ${RUNS} runs after ${WARM_RUNS} warm-up calls, of the time the handler reports (${result.machine.cpus} CPUs, ${result.machine.model}).`,
  "",
  "| work | kind | Node | isolambda | × | target |",
  "|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const iso = r.fails === undefined ? `${fmt(r.isolambdaMs)} ms` : `fails: ${r.fails.replaceAll("|", "\\|")}`;
    const ratio = r.ratio === undefined ? "—" : `${r.ratio}×${r.checksDiffer ? " (results differ)" : ""}`;
    return `| ${r.name} | ${r.kind} | ${fmt(r.nodeMs)} ms | ${iso} | ${ratio} | ${r.target === undefined ? "none" : `≤ ${r.target}×`} |`;
  }),
  "",
  `Geometric mean over the ${ran.length} cases that ran on both: ${result.geometricMean ?? "—"}× (built-ins only: ${result.geometricMeanBuiltIns ?? "—"}×).`,
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
