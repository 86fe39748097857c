import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type LogRecord, LogStore, logDir } from "../../src/observe/log-store.js";
import { waitFor } from "../wait.js";
import { openFilesUnder } from "./open-files.js";

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

  it("closes a function's file on closeLog, with its records written, and opens it again for the next", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-logs-"));
    dirs.push(dataDir);
    const store = new LogStore(dataDir);
    store.append("gone", "s", "last words\n");
    store.append("stays", "s", "still here\n");
    await store.closeLog("gone");
    expect(openFilesUnder(logDir(dataDir, "gone"))).toBe(0);
    expect(stored(dataDir, "gone").map((r) => r.message)).toEqual(["last words\n"]);
    // Closing a log that is not open is no error.
    await store.closeLog("never");
    store.append("gone", "s", "back\n");
    await store.close();
    expect(stored(dataDir, "gone").map((r) => r.message)).toEqual(["last words\n", "back\n"]);
    expect(stored(dataDir, "stays").map((r) => r.message)).toEqual(["still here\n"]);
    expect(openFilesUnder(dataDir)).toBe(0);
  });

  it("keeps at most maxOpen files open, closing the least recently written, and loses no record", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-logs-"));
    dirs.push(dataDir);
    const store = new LogStore(dataDir, { maxOpen: 4 });
    for (let round = 0; round < 3; round++) {
      for (let fn = 0; fn < 10; fn++) store.append(`fn-${fn}`, "s", `${round}\n`);
      await waitFor(() => openFilesUnder(dataDir) <= 4, "at most 4 log files open");
    }
    // The last four written are the ones open.
    await waitFor(() => openFilesUnder(dataDir) === 4, "4 log files open");
    for (let fn = 6; fn < 10; fn++) expect(openFilesUnder(logDir(dataDir, `fn-${fn}`))).toBe(1);
    await store.close();
    for (let fn = 0; fn < 10; fn++) {
      expect(
        stored(dataDir, `fn-${fn}`)
          .map((r) => r.message)
          .sort(),
      ).toEqual(["0\n", "1\n", "2\n"]);
    }
  });

  it("closes a file its function stopped writing to", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "isolambda-logs-"));
    dirs.push(dataDir);
    const store = new LogStore(dataDir, { idleCloseMs: 20 });
    store.append("fn", "s", "one\n");
    await waitFor(() => openFilesUnder(dataDir) === 1, "the log file open");
    await waitFor(() => openFilesUnder(dataDir) === 0, "the idle log file closed");
    store.append("fn", "s", "two\n");
    await store.close();
    expect(stored(dataDir, "fn").map((r) => r.message)).toEqual(["one\n", "two\n"]);
  });
});
