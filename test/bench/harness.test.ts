/** The benchmark harness runs end to end and writes well-formed results (its figures are not judged here). */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { Row } from "../../bench/harness/types.js";

const run = promisify(execFile);
const out = mkdtempSync(path.join(tmpdir(), "isolambda-bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the benchmark harness", () => {
  // Miniflare (a peer from the bench package, which npm test does not install) is left out; the
  // peers Node provides still run, so the peer rows and their ratios are proven.
  it("runs every scenario in --quick mode and writes JSON, Markdown and SVG results", async () => {
    await run(process.execPath, ["dist/cli.js", "bench", "--quick", "--no-miniflare", "--out", out], { timeout: 120_000 });
    const json = readdirSync(out).find((file) => file.endsWith(".json"));
    expect(json).toBeDefined();
    const result = JSON.parse(readFileSync(path.join(out, json as string), "utf8")) as { rows: Row[]; node: string };
    expect(result.node).toBe(process.version);
    const ids = result.rows.map((row) => row.id);
    for (const id of [
      "node-http",
      "hono",
      "isolambda.warm.api",
      "isolambda.cold",
      "isolambda.provisioned",
      "component.warm.api",
      "component.cold",
      "component.cold.js",
      "scaling.50",
      "density",
      "process.cold",
      "vm.cold",
    ]) {
      expect(ids).toContain(id);
    }
    expect(ids.filter((id) => id.startsWith("miniflare."))).toEqual([]);
    expect(result.rows.find((row) => row.id === "process.cold")?.ratio?.to).toBe("isolambda.cold");
    for (const row of result.rows) {
      if (row.kind === "latency") expect(row.p50).toBeGreaterThan(0);
      if (row.kind === "throughput") expect(row.rps).toBeGreaterThan(0);
    }
    expect(readFileSync(path.join(out, "latest.md"), "utf8")).toContain("| group | scenario | p50 ms | p99 ms |");
    expect(readFileSync(path.join(out, "latest.svg"), "utf8")).toMatch(/^<svg [^>]*>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
    // As long as the harness may take (the run's own timeout): on a shared machine a quick run passes 30 s.
  }, 120_000);
});
