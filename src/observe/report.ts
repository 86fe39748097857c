/** Lambda's platform log lines around an invocation's own output: START, END and REPORT. */

export interface ReportFacts {
  requestId: string;
  version: string;
  durationMs: number;
  memorySizeMB: number;
  /** The environment's peak QuickJS heap; 0 when not measured yet. */
  maxMemoryUsedBytes: number;
  initDurationMs?: number;
  /** SnapStart: the cold start restored a snapshot instead of running INIT. */
  restoreDurationMs?: number;
}

export function wrapLogs(logs: string, facts: ReportFacts): string {
  const duration = facts.durationMs.toFixed(2);
  // Lambda bills in 1 ms increments, rounding up.
  const billed = Math.max(1, Math.ceil(facts.durationMs));
  // Lambda rounds memory up to whole megabytes; an environment is never below 1 MB.
  const maxMemory = Math.max(1, Math.ceil(facts.maxMemoryUsedBytes / (1024 * 1024)));
  let init = facts.initDurationMs === undefined ? "" : `\tInit Duration: ${facts.initDurationMs.toFixed(2)} ms`;
  // Lambda's SnapStart REPORT: the restore replaces INIT, and is billed.
  if (facts.restoreDurationMs !== undefined) {
    const restore = facts.restoreDurationMs;
    init = `\tRestore Duration: ${restore.toFixed(2)} ms\tBilled Restore Duration: ${Math.max(1, Math.ceil(restore))} ms`;
  }
  return (
    `START RequestId: ${facts.requestId} Version: ${facts.version}\n` +
    logs +
    `END RequestId: ${facts.requestId}\n` +
    `REPORT RequestId: ${facts.requestId}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\tMemory Size: ${facts.memorySizeMB} MB\tMax Memory Used: ${maxMemory} MB${init}\t\n`
  );
}

/** LogType Tail: the last 4 KB of the invocation's log, base64-encoded. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString("base64");
}
