/**
 * Lambda's platform log lines around an invocation's own output: START, END and REPORT, or with
 * LoggingConfig JSON the platform.start and platform.report records.
 */

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
  /** LoggingConfig JSON's SystemLogLevel; Text's lines without it. */
  systemLogLevel?: string;
  /** A failed invocation's payload, a FunctionError (JSON): platform.report's status says how it failed. */
  error?: string;
}

// Lambda bills in 1 ms increments, rounding up.
const billedMs = (ms: number) => Math.max(1, Math.ceil(ms));
// Lambda rounds memory up to whole megabytes; an environment is never below 1 MB.
const maxMemoryMB = (bytes: number) => Math.max(1, Math.ceil(bytes / (1024 * 1024)));

export function wrapLogs(logs: string, facts: ReportFacts): string {
  if (facts.systemLogLevel !== undefined) return platformRecords(logs, facts, facts.systemLogLevel);
  const duration = facts.durationMs.toFixed(2);
  const billed = billedMs(facts.durationMs);
  const maxMemory = maxMemoryMB(facts.maxMemoryUsedBytes);
  let init = facts.initDurationMs === undefined ? "" : `\tInit Duration: ${facts.initDurationMs.toFixed(2)} ms`;
  // Lambda's SnapStart REPORT: the restore replaces INIT, and is billed.
  if (facts.restoreDurationMs !== undefined) {
    const restore = facts.restoreDurationMs;
    init = `\tRestore Duration: ${restore.toFixed(2)} ms\tBilled Restore Duration: ${billedMs(restore)} ms`;
  }
  return (
    `START RequestId: ${facts.requestId} Version: ${facts.version}\n` +
    logs +
    `END RequestId: ${facts.requestId}\n` +
    `REPORT RequestId: ${facts.requestId}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\tMemory Size: ${facts.memorySizeMB} MB\tMax Memory Used: ${maxMemory} MB${init}\t\n`
  );
}

/** Lambda's JSON metrics carry milliseconds to the microsecond. */
const micros = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The records Lambda writes for an invocation in the JSON format: platform.start and
 * platform.report (the END line has none), both INFO, so SystemLogLevel WARN keeps neither.
 */
function platformRecords(logs: string, facts: ReportFacts, systemLogLevel: string): string {
  if (systemLogLevel === "WARN") return logs;
  const { requestId } = facts;
  const ended = Date.now();
  const metrics: Record<string, number> = {
    durationMs: micros(facts.durationMs),
    billedDurationMs: billedMs(facts.durationMs),
    memorySizeMB: facts.memorySizeMB,
    maxMemoryUsedMB: maxMemoryMB(facts.maxMemoryUsedBytes),
  };
  if (facts.initDurationMs !== undefined) metrics.initDurationMs = micros(facts.initDurationMs);
  if (facts.restoreDurationMs !== undefined) {
    metrics.restoreDurationMs = micros(facts.restoreDurationMs);
    metrics.billedRestoreDurationMs = billedMs(facts.restoreDurationMs);
  }
  const start = {
    time: new Date(ended - facts.durationMs).toISOString(),
    type: "platform.start",
    record: { requestId, version: facts.version },
  };
  const report = { time: new Date(ended).toISOString(), type: "platform.report", record: { requestId, metrics, ...status(facts.error) } };
  return `${JSON.stringify(start)}\n${logs}${JSON.stringify(report)}\n`;
}

/** platform.report's status, as the Telemetry API has it: success, timeout, or error with its errorType. */
function status(error: string | undefined): { status: string; errorType?: string } {
  if (error === undefined) return { status: "success" };
  const { errorType } = JSON.parse(error) as { errorType: string };
  return errorType === "Sandbox.Timedout" ? { status: "timeout" } : { status: "error", errorType };
}

/** LogType Tail: the last 4 KB of the invocation's log, base64-encoded. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString("base64");
}
