/** Lambda's platform log lines around an invocation's own output: START, END and REPORT. */

export interface ReportFacts {
  requestId: string;
  version: string;
  durationMs: number;
  memorySizeMB: number;
  initDurationMs?: number;
}

export function wrapLogs(logs: string, facts: ReportFacts): string {
  const duration = facts.durationMs.toFixed(2);
  // Lambda bills in 1 ms increments, rounding up.
  const billed = Math.max(1, Math.ceil(facts.durationMs));
  const init = facts.initDurationMs === undefined ? "" : `\tInit Duration: ${facts.initDurationMs.toFixed(2)} ms`;
  return (
    `START RequestId: ${facts.requestId} Version: ${facts.version}\n` +
    logs +
    `END RequestId: ${facts.requestId}\n` +
    `REPORT RequestId: ${facts.requestId}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\tMemory Size: ${facts.memorySizeMB} MB${init}\t\n`
  );
}

/** LogType Tail: the last 4 KB of the invocation's log, base64-encoded. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString("base64");
}
