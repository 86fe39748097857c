import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { LambdaError } from "../../src/lambda/errors.js";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import type { FunctionVersion } from "../../src/registry/types.js";
import { removeTempDirs, SETTINGS, sha256Hex, tempDir, UUID, zipOf } from "./helpers.js";

let dataDir: string;
let opened: OpenedRegistry;

beforeEach(() => {
  dataDir = tempDir();
  opened = openRegistry(dataDir);
});
afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

/** A small deterministic generator, so a failing interleaving can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

type Outcome = { name: string; ok: true; result: FunctionVersion } | { name: string; ok: false; code: string };

describe("concurrent calls in one process", () => {
  it("leave a consistent registry after 50 interleaved creates and updates", async () => {
    const next = random(20_240_131);
    const names = Array.from({ length: 10 }, (_, i) => `fn-${i}`);
    const completed: Outcome[] = [];
    const task = async (n: number): Promise<void> => {
      const name = names[n % names.length] as string;
      await ticks(Math.floor(next() * 4));
      try {
        let result: FunctionVersion;
        if (n < 20) {
          // Two creates per name: exactly one of them may win.
          const code = await opened.code.put(zipOf({ "index.js": `// create ${n}` }));
          result = opened.registry.createFunction({ functionName: name, ...SETTINGS, code });
        } else if (n < 35) {
          const code = await opened.code.put(zipOf({ "index.js": `// update ${n}` }));
          result = opened.registry.updateCode(name, code);
        } else {
          await ticks(1);
          result = opened.registry.updateSettings(name, { memorySize: 128 + n, description: `task ${n}` });
        }
        completed.push({ name, ok: true, result });
      } catch (error) {
        if (!(error instanceof LambdaError)) throw error;
        completed.push({ name, ok: false, code: error.code });
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, n) => task(n)));

    expect(completed).toHaveLength(50);
    const successes = completed.filter((o) => o.ok);
    const failures = completed.filter((o) => !o.ok);
    // Per name: one create won, the other lost with a conflict; an update that ran before the create found nothing.
    expect(failures.filter((o) => o.code === "ResourceConflictException")).toHaveLength(10);
    expect(failures.every((o) => o.code === "ResourceConflictException" || o.code === "ResourceNotFoundException")).toBe(true);
    // Every success made a revision of its own.
    const revisions = successes.map((o) => o.result.revisionId);
    expect(revisions.every((r) => UUID.test(r))).toBe(true);
    expect(new Set(revisions).size).toBe(successes.length);

    const listed = opened.registry.listFunctions({ maxItems: 100 }).items;
    expect(listed.map((v) => v.functionName)).toEqual(names);
    for (const current of listed) {
      // The stored state is exactly what the last successful call on that function returned.
      const last = successes.filter((o) => o.name === current.functionName).at(-1);
      expect(last?.ok && last.result).toEqual(current);
      expect(opened.code.get(current.codeSha256)?.codeSize).toBe(current.codeSize);
    }
  });

  it("let exactly one of several writers holding the same revision id through", async () => {
    const created = opened.registry.createFunction({
      functionName: "race",
      ...SETTINGS,
      code: await opened.code.put(zipOf({ "a.js": "" })),
    });
    const next = random(7);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        await ticks(Math.floor(next() * 5));
        try {
          return opened.registry.updateSettings("race", { description: `writer ${n}` }, created.revisionId).description;
        } catch (error) {
          return (error as LambdaError).code;
        }
      }),
    );
    const winners = outcomes.filter((o) => o.startsWith("writer"));
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o === "PreconditionFailedException")).toHaveLength(11);
    expect(opened.registry.getVersion("race")?.description).toBe(winners[0]);
  });
});

describe("two processes on one data dir", () => {
  const script = fileURLToPath(new URL("./writer-process.ts", import.meta.url));

  function writer(
    id: string,
    count: number,
    startAt: number,
  ): Promise<{ created: number; updated: number; preconditionFailed: number; other: string[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, dataDir, id, String(count), String(startAt)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      child.stderr.on("data", (chunk) => {
        err += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer ${id} exited ${code}: ${err}`))));
    });
  }

  it("serialise their writes: every create lands, revision checks hold, the shared package unpacks once", async () => {
    const zip = zipOf({ "index.js": "exports.handler = async () => 'shared';" });
    const seed = await opened.code.put(zipOf({ "seed.js": "" }));
    opened.registry.createFunction({ functionName: "shared", ...SETTINGS, code: seed });

    const count = 150;
    const startAt = Date.now() + 2_500;
    const [a, b] = await Promise.all([writer("a", count, startAt), writer("b", count, startAt)]);

    for (const summary of [a, b]) {
      expect(summary.other).toEqual([]);
      expect(summary.created).toBe(count);
      expect(summary.updated + summary.preconditionFailed).toBe(count);
    }
    const all = opened.registry.listFunctions({ maxItems: 1000 }).items;
    expect(all).toHaveLength(2 * count + 1);
    expect(all.every((v) => opened.code.get(v.codeSha256) !== undefined)).toBe(true);
    expect(opened.registry.getVersion("shared")?.description).toMatch(/^[ab]-\d+$/);

    // One complete copy of the package both processes stored, nothing temporary left over.
    const hex = sha256Hex(zip);
    expect(readdirSync(path.join(dataDir, "code")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    expect(readdirSync(path.join(dataDir, "code", hex))).toEqual(["index.js"]);

    const db = new Sqlite(path.join(dataDir, "registry.db"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.prepare("SELECT COUNT(*) FROM functions").pluck().get()).toBe(2 * count + 1);
    } finally {
      db.close();
    }
  }, 60_000);
});
