/**
 * Isolation peers on the same machine, in the same run: Miniflare 4 / workerd (V8 isolates), a
 * process per invocation (what container-style emulators pay at least), and a node:vm context per
 * invocation (fast, but no real isolation).
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import vm from "node:vm";
import { load } from "../load.js";
import { throughputFigures } from "./figures.js";
import { ANSWER, EVENT } from "./hello.js";
import { latency } from "./isolambda.js";
import type { Row, Settings, Step } from "./types.js";

const run = promisify(execFile);
const WORKER = `export default { async fetch(request) { const event = await request.json(); return new Response(JSON.stringify({ statusCode: 200, body: JSON.stringify({ message: "hello " + event.name }) }), { headers: { "content-type": "application/json" } }); } };`;
const HANDLER_CJS =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own template literal, as source text
  'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ message: `hello ${event?.name ?? "world"}` }) });';

/** The part of Miniflare's API the harness uses: its types live in bench/node_modules, which the type check does not need. */
interface MiniflareInstance {
  ready: Promise<URL>;
  dispatchFetch(url: string, init: { method: string; body: string }): Promise<{ text(): Promise<string> }>;
  dispose(): Promise<void>;
}
type MiniflareClass = new (options: { modules: boolean; script: string }) => MiniflareInstance;

/** Miniflare comes from the bench package (bench/package.json), which `npm run bench` installs on first use. */
async function loadMiniflare(): Promise<MiniflareClass> {
  const name = "miniflare";
  try {
    return ((await import(name)) as { Miniflare: MiniflareClass }).Miniflare;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error(
      "Miniflare is not installed: npm run bench installs the benchmark's peers (bench/package.json); --no-miniflare leaves it out",
    );
  }
}

export async function peers(settings: Settings, step: Step): Promise<Row[]> {
  return [...(settings.miniflare ? await miniflare(settings, step) : []), ...(await nodePeers(settings, step))];
}

async function miniflare(settings: Settings, step: Step): Promise<Row[]> {
  const Miniflare = await loadMiniflare();
  const rows: Row[] = [];

  step("peer: Miniflare new instance → first response");
  const firstResponse: number[] = [];
  for (let i = 0; i < settings.slowPeerSamples; i++) {
    const started = performance.now();
    const mf = new Miniflare({ modules: true, script: WORKER });
    const response = await mf.dispatchFetch("http://localhost/", { method: "POST", body: EVENT });
    if ((await response.text()) !== ANSWER) throw new Error("Miniflare answered something else");
    firstResponse.push(performance.now() - started);
    await mf.dispose();
  }
  rows.push({
    id: "miniflare.cold",
    group: "peer",
    label: "Miniflare 4 / workerd: new instance → first response",
    kind: "latency",
    ...latency(firstResponse),
  });

  step("peer: Miniflare warm throughput");
  const mf = new Miniflare({ modules: true, script: WORKER });
  try {
    const url = await mf.ready;
    const warm = await load(url.href, { seconds: settings.seconds, connections: settings.connections, body: EVENT });
    rows.push({
      id: "miniflare.warm",
      group: "peer",
      label: "Miniflare 4 / workerd: warm, at workerd's socket",
      kind: "throughput",
      ...throughputFigures(warm),
    });
  } finally {
    await mf.dispose();
  }
  return rows;
}

/** Peers that Node itself provides: cheap enough for the harness's own test. */
async function nodePeers(settings: Settings, step: Step): Promise<Row[]> {
  const rows: Row[] = [];
  step("peer: a node process per invocation");
  const handlerFile = path.join(os.tmpdir(), `isolambda-harness-handler-${process.pid}.cjs`);
  writeFileSync(handlerFile, HANDLER_CJS);
  const script = `require(${JSON.stringify(handlerFile)}).handler(${EVENT}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const perProcess: number[] = [];
  for (let i = 0; i < settings.slowPeerSamples; i++) {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ["-e", script]);
    if (stdout !== ANSWER) throw new Error(`a process per invocation answered ${stdout}`);
    perProcess.push(performance.now() - started);
  }
  rows.push({ id: "process.cold", group: "peer", label: "a new node process per invocation", kind: "latency", ...latency(perProcess) });

  step("peer: a node:vm context per invocation");
  const compiled = new vm.Script(`(function (exports) { ${HANDLER_CJS}\n return exports; })`);
  const perContext: number[] = [];
  for (let i = 0; i < settings.slowPeerSamples * 20; i++) {
    const started = performance.now();
    const context = vm.createContext({ JSON });
    const exported = compiled.runInContext(context)({}) as { handler: (event: unknown) => Promise<unknown> };
    const answer = JSON.stringify(await exported.handler(JSON.parse(EVENT)));
    if (answer !== ANSWER) throw new Error("node:vm answered something else");
    perContext.push(performance.now() - started);
  }
  rows.push({
    id: "vm.cold",
    group: "peer",
    label: "a node:vm context per invocation (no real isolation)",
    kind: "latency",
    ...latency(perContext),
  });
  return rows;
}
