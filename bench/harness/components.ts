/**
 * WebAssembly component functions (runtime wasm32-wasip2) next to QuickJS: warm Invoke API
 * throughput, and the first invoke of fresh functions. Every fresh function deploys the same
 * example component, so its transpile (at deploy) and core-module compile are cached: a cold start
 * here is what a new environment of a deployed component costs, instantiation and the first call.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { startServer } from "../../dist/server.js";
import { load } from "../load.js";
import { throughputFigures } from "./figures.js";
import { EVENT } from "./hello.js";
import { latency } from "./isolambda.js";
import type { Row, Settings, Step } from "./types.js";

const examples = fileURLToPath(new URL("../../wasm/examples/", import.meta.url));
const zipOf = (example: string) =>
  Buffer.from(zipSync({ "hello.wasm": readFileSync(path.join(examples, example, "hello.wasm")) })).toString("base64");

export async function components(settings: Settings, step: Step): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-harness-components-"));
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, onLog: () => {} });
  const api = async (suffix: string, init?: RequestInit): Promise<Response> => {
    // JSON, as the SDKs send it: the API refuses text/plain, which a web page could post cross-site.
    const response = await fetch(`${server.url}${suffix}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
    if (response.status >= 300) throw new Error(`${init?.method ?? "GET"} ${suffix}: ${response.status} ${await response.text()}`);
    return response;
  };
  const create = (name: string, zip: string) =>
    api("/2015-03-31/functions", {
      method: "POST",
      body: JSON.stringify({ FunctionName: name, Runtime: "wasm32-wasip2", Handler: "hello.wasm", Code: { ZipFile: zip } }),
    });
  const invoke = async (name: string): Promise<number> => {
    const started = performance.now();
    await (await api(`/2015-03-31/functions/${name}/invocations`, { method: "POST", body: EVENT })).arrayBuffer();
    return performance.now() - started;
  };
  const rows: Row[] = [];
  try {
    step("components warm: Invoke API");
    const wat = zipOf("hello-wat");
    await create("hello-wat", wat);
    await Promise.all(Array.from({ length: settings.connections }, () => invoke("hello-wat")));
    const warm = await load(`${server.url}/2015-03-31/functions/hello-wat/invocations`, {
      seconds: settings.seconds,
      connections: settings.connections,
      body: EVENT,
    });
    rows.push({
      id: "component.warm.api",
      group: "isolambda warm",
      label: "Invoke API → warm WASI component (WAT)",
      kind: "throughput",
      ...throughputFigures(warm),
    });

    // SpiderMonkey's cold starts are a hundred times QuickJS's: a quick run samples a few.
    const jsVersions = settings.quick ? 3 : settings.coldVersions;
    for (const [id, example, label, versions] of [
      ["component.cold", "hello-wat", "first invoke of a fresh component function (WAT, 2 KB)", settings.coldVersions],
      ["component.cold.js", "hello-js", "first invoke of a fresh component function (JS via componentize-js, 12 MB)", jsVersions],
    ] as const) {
      step(`components cold: ${example}`);
      const zip = zipOf(example);
      const cold: number[] = [];
      for (let i = 0; i < versions; i++) {
        await create(`${example}-cold-${i}`, zip);
        cold.push(await invoke(`${example}-cold-${i}`));
      }
      rows.push({ id, group: "isolambda cold", label, kind: "latency", ...latency(cold) });
    }
    return rows;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
