/** `isolambda logs <name> [--follow]`: prints a function's stored logs, and new lines as they come. */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, watch } from "node:fs";
import path from "node:path";
import { logDir } from "./log-store.js";

export function printLogs(dataDir: string, functionName: string, follow: boolean, out: (text: string) => void): boolean {
  const dir = logDir(dataDir, functionName);
  const current = path.join(dir, "current.log");
  if (!existsSync(current) && !follow) return false;
  for (const file of ["previous.log", "current.log"]) {
    const full = path.join(dir, file);
    if (existsSync(full)) out(readFileSync(full, "utf8"));
  }
  if (!follow) return true;
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
    out(buffer.toString("utf8"));
  };
  mkdirSync(dir, { recursive: true });
  watch(dir, readNew);
  return true;
}
