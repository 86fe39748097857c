/** Reading what an event source mapping handed a function: the batches a recording handler logged. */
import { storedLogs } from "./server.js";

export type Batch = { Records: Array<Record<string, unknown> & { body: string; attributes: Record<string, string> }> };

/** Logs each batch it receives as one JSON line. */
export const RECORDER = "exports.handler = async (event) => { console.log('BATCH ' + JSON.stringify(event)); };";

/** The batches `fn` logged (lines `BATCH <event JSON>`), once they hold `count` records. */
export async function loggedBatches(dataDir: string, fn: string, count: number, timeoutMs = 10_000): Promise<Batch[]> {
  const parse = (messages: string[]) =>
    messages.flatMap((m) => [...m.matchAll(/\tBATCH (.*)$/gm)].map((match) => JSON.parse(match[1] as string) as Batch));
  const records = (messages: string[]) => parse(messages).reduce((n, b) => n + b.Records.length, 0);
  return parse(await storedLogs(dataDir, fn, (messages) => records(messages) >= count, timeoutMs));
}
