/** `isolambda logs <name> [--follow] [--streams]`: prints a function's stored logs, and new ones as they come. */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, watch } from "node:fs";
import path from "node:path";
import { type LogRecord, logDir } from "./log-store.js";

export interface PrintOptions {
  follow: boolean;
  /** Prefix every line with its log stream, as `aws logs tail` does. */
  streams: boolean;
}

/** Turns stored JSON lines into text; a line cut short by a concurrent write is kept for the next call. */
function recordPrinter(out: (text: string) => void, streams: boolean): (chunk: string) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    let text = "";
    for (const line of lines) {
      if (line === "") continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        continue; // a torn line after a crash: skip it, keep the rest readable
      }
      text += streams ? record.message.replace(/^(?=.)/gm, `${record.stream} `) : record.message;
    }
    if (text !== "") out(text);
  };
}

export function printLogs(dataDir: string, functionName: string, options: PrintOptions, out: (text: string) => void): boolean {
  const dir = logDir(dataDir, functionName);
  const current = path.join(dir, "current.log");
  if (!existsSync(current) && !options.follow) return false;
  const print = recordPrinter(out, options.streams);
  for (const file of ["previous.log", "current.log"]) {
    const full = path.join(dir, file);
    if (existsSync(full)) print(readFileSync(full, "utf8"));
  }
  if (!options.follow) return true;
  let offset = existsSync(current) ? statSync(current).size : 0;
  const readNew = () => {
    if (!existsSync(current)) return;
    const size = statSync(current).size;
    if (size < offset) offset = 0; // rotated: the new file starts over
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(current, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    print(buffer.toString("utf8"));
  };
  mkdirSync(dir, { recursive: true });
  watch(dir, readNew);
  return true;
}
