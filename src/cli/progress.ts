/**
 * A progress bar while provisioned environments initialise after start, on a terminal only: in a
 * pipe or a log file, one line once they are ready.
 */
import { SingleBar } from "cli-progress";
import type { RunningServer } from "../server.js";
import { out } from "./style.js";

/** How often the bar reads the pool's count; display only, nothing waits on it. */
const REFRESH_MS = 100;

export function provisioningProgress(server: RunningServer): { stop(): void } {
  const { requested } = server.provisioning();
  if (requested === 0) return { stop() {} };
  const tty = process.stdout.isTTY === true;
  const bar = tty
    ? new SingleBar({ format: `  provisioned  {bar} {value}/{total} environments`, hideCursor: true, clearOnComplete: false })
    : undefined;
  bar?.start(requested, server.provisioning().allocated);
  const timer = setInterval(() => {
    const { allocated } = server.provisioning();
    bar?.update(allocated);
    if (allocated < requested) return;
    stop();
    if (!tty) console.log(`  provisioned  ${out("green", `${allocated}/${requested} environments ready`)}`);
  }, REFRESH_MS);
  const stop = () => {
    clearInterval(timer);
    bar?.stop();
  };
  return { stop };
}
