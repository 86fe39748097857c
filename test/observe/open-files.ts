/** This process's open file descriptors, read from /proc (Linux): the tests run the server in-process. */
import { readdirSync, readlinkSync } from "node:fs";

/** The paths this process has open (sockets, pipes and anonymous files as the kernel names them). */
export function openFiles(): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      paths.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // Closed between listing and reading (the listing's own descriptor, for one).
    }
  }
  return paths;
}

/** How many open descriptors name a file below `dir`. */
export function openFilesUnder(dir: string): number {
  return openFiles().filter((file) => file.startsWith(`${dir}/`)).length;
}
