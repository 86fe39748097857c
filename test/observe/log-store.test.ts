import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type LogRecord, LogStore, logDir } from "../../src/observe/log-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stored(dataDir: string, fn: string, file = "current.log"): LogRecord[] {
  const text = readFileSync(path.join(logDir(dataDir, fn), file), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogRecord);
}

describe("LogStore", () => {
  it("keeps every record whole and in order, across batches, with records larger than a batch and non-ASCII text", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-logs-"));
    dirs.push(dataDir);
    const store = new LogStore(dataDir);
    const messages: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Every 500th is ~200 KB of three-byte characters: larger than a batch, in UTF-8 and in UTF-16.
      const message = i % 500 === 250 ? `${"€".repeat(70_000)}\n` : `START ${i} ünïcödé\t"quoted"\nEND ${i}\n`;
      messages.push(message);
      store.append("fn", `stream-${i % 3}`, message);
    }
    store.append("other", "s", "another log group\n");
    await store.close();
    const records = stored(dataDir, "fn");
    expect(records.map((r) => r.message)).toEqual(messages);
    expect(records.map((r) => r.stream).slice(0, 4)).toEqual(["stream-0", "stream-1", "stream-2", "stream-0"]);
    expect(stored(dataDir, "other").map((r) => r.message)).toEqual(["another log group\n"]);
  });

  it("rotates current.log to previous.log past its size, losing no record", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-logs-"));
    dirs.push(dataDir);
    const first = new LogStore(dataDir);
    // 11 MB in one session: over the 10 MiB rotation size once it is flushed.
    const big = "x".repeat(1024 * 1024);
    for (let i = 0; i < 11; i++) first.append("fn", "s", `${i} ${big}\n`);
    await first.close();
    // Rotation is decided at a flush: a store opened on the big file rotates it before writing more.
    const second = new LogStore(dataDir);
    second.append("fn", "s", "after rotation\n");
    await second.close();
    expect(stored(dataDir, "fn", "previous.log")).toHaveLength(11);
    expect(stored(dataDir, "fn").map((r) => r.message)).toEqual(["after rotation\n"]);
  });
});
