/**
 * `serve --watch`: a change under --functions redeploys the folder it is in. Editors write a file
 * in several steps (truncate, write, rename), so changes to one folder are gathered for a short
 * while and deployed once; a deploy that fails (a bad function.json, a syntax error is the
 * handler's business) is reported and the previous code keeps serving.
 */
import { existsSync, watch } from "node:fs";
import path from "node:path";
import type { RunningServer } from "../server.js";
import { err, out } from "./style.js";

/** Long enough to gather an editor's save, short enough that $LATEST changes well within a second. */
const SETTLE_MS = 80;

export function watchFunctions(server: RunningServer, functionsDir: string): { close(): void } {
  const pending = new Map<string, NodeJS.Timeout>();
  // One deploy at a time: a save during a deploy is deployed after it.
  let chain = Promise.resolve();
  const redeploy = (folder: string) => {
    chain = chain.then(async () => {
      if (!existsSync(path.join(functionsDir, folder))) return;
      try {
        const outcome = await server.redeploy(folder);
        if (outcome !== "unchanged") console.log(`${out("cyan", "↻")} ${out("bold", folder)} ${outcome}: the next invocation starts cold`);
      } catch (error) {
        console.error(`${err(["bold", "red"], "isolambda:")} ${folder} not redeployed: ${(error as Error).message}`);
      }
    });
  };
  // Recursive fs.watch works on Linux since Node 20, as on macOS and Windows before.
  const watcher = watch(functionsDir, { recursive: true }, (_event, filename) => {
    const folder = filename?.split(path.sep)[0];
    if (!folder || folder === filename) return;
    clearTimeout(pending.get(folder));
    pending.set(
      folder,
      setTimeout(() => {
        pending.delete(folder);
        redeploy(folder);
      }, SETTLE_MS),
    );
  });
  return {
    close() {
      watcher.close();
      for (const timer of pending.values()) clearTimeout(timer);
    },
  };
}
