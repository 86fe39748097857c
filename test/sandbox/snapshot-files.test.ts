/** Which SnapStart snapshot files are deleted: another runtime's at start, a version's with it, a superseded configuration's. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeSnapshots, removeStaleRuntimes, snapshotFile } from "../../src/sandbox/shared/snapshot-files.js";

const RUNTIME = "a".repeat(64);
const OTHER_RUNTIME = "b".repeat(64);
const KEY = "c".repeat(64);
const OTHER_KEY = "d".repeat(64);
let root: string;

const touch = (file: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "");
};
const listed = () => readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".snap.gz") || f.endsWith(".tmp"));

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "isolambda-snapshot-files-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("snapshot files", () => {
  it("at start, removes the snapshots of another runtime and of the layout before runtime folders, and keeps its own", async () => {
    const own = snapshotFile(root, RUNTIME, "fn", "1", KEY);
    touch(own);
    touch(snapshotFile(root, OTHER_RUNTIME, "fn", "1", KEY));
    touch(path.join(root, `${KEY}.snap.gz`));
    await removeStaleRuntimes(root, RUNTIME);
    expect(listed()).toEqual([path.relative(root, own)]);
  });

  it("removes one version's snapshots, or a whole function's, and no other function's", async () => {
    for (const [fn, version] of [
      ["fn", "1"],
      ["fn", "2"],
      ["fn", "$LATEST"],
      ["fn-other", "1"],
    ] as const) {
      touch(snapshotFile(root, RUNTIME, fn, version, KEY));
    }
    await removeSnapshots(root, RUNTIME, "fn", "1");
    expect(listed().sort()).toEqual(
      [
        snapshotFile(root, RUNTIME, "fn", "2", KEY),
        snapshotFile(root, RUNTIME, "fn", "$LATEST", KEY),
        snapshotFile(root, RUNTIME, "fn-other", "1", KEY),
      ]
        .map((f) => path.relative(root, f))
        .sort(),
    );
    await removeSnapshots(root, RUNTIME, "fn");
    expect(listed()).toEqual([path.relative(root, snapshotFile(root, RUNTIME, "fn-other", "1", KEY))]);
  });

  it("removes a superseded configuration's snapshot of a version, keeping the current one and a file being written", async () => {
    const current = snapshotFile(root, RUNTIME, "fn", "$LATEST", KEY);
    const writing = `${current}.123.x.tmp`;
    for (const file of [current, writing, snapshotFile(root, RUNTIME, "fn", "$LATEST", OTHER_KEY)]) touch(file);
    await removeSnapshots(root, RUNTIME, "fn", "$LATEST", current);
    expect(listed().sort()).toEqual([current, writing].map((f) => path.relative(root, f)).sort());
  });
});
