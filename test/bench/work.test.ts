/** bench:work runs every case end to end in --quick mode, and isolambda computes what Node computes (its figures are not judged here). */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { CASES } from "../../bench/work/cases.js";

const run = promisify(execFile);
const out = mkdtempSync(path.join(tmpdir(), "isolambda-bench-work-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Row {
  id: string;
  kind: string;
  nodeMs: number;
  isolambdaMs?: number;
  ratio?: number;
  fails?: string;
  checksDiffer?: unknown;
}

describe("bench:work", () => {
  it("runs every case in Node and in isolambda, and writes each one's figures, ratio or failure, and the geometric mean", async () => {
    await run(process.execPath, ["--import", "tsx", "bench/work.ts", "--quick", "--out", out], { timeout: 180_000 });
    const result = JSON.parse(readFileSync(path.join(out, "work.json"), "utf8")) as { rows: Row[]; geometricMean?: number; quick: boolean };
    expect(result.quick).toBe(true);
    expect(result.rows.map((row) => row.id)).toEqual(CASES.map((c) => c.id));
    for (const row of result.rows) {
      expect(row.nodeMs, row.id).toBeGreaterThan(0);
      if (row.fails !== undefined) continue;
      expect(row.isolambdaMs, row.id).toBeGreaterThan(0);
      expect(row.ratio, row.id).toBeGreaterThan(0);
      // The same handler computed the same result in both.
      expect(row.checksDiffer, row.id).toBeUndefined();
    }
    expect(result.geometricMean).toBeGreaterThan(0);
    const markdown = readFileSync(path.join(out, "work.md"), "utf8");
    for (const c of CASES) expect(markdown).toContain(`| ${c.name} |`);
  }, 180_000);
});
