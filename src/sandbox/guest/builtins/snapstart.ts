// SnapStart's runtime hooks, run around the snapshot (see ../snapstart.ts, which registers them).
// The environment that saves the snapshot loads this bundle; the restored ones have it already.

import type { GuestConfig } from "../../shared/guest-protocol.js";

/** A hook as code registers it: called without arguments, awaited. */
type Hook = () => unknown;
/** Ends the phase: the hook's error, or null for success. */
type Done = (error: unknown) => void;

/** What differs in a restored environment: its variables and its start. */
interface RestorePatch {
  env: Record<string, string>;
  timeOrigin: number;
}

// Hooks run one after another, awaited; a throwing hook fails the phase (as in Lambda, where a
// failed beforeSnapshot fails the publish and a failed afterRestore the restore).
function run(hooks: readonly Hook[], done: Done): void {
  // Without hooks the phase ends at once, with no promise job to run: a restore's common case.
  if (hooks.length === 0) {
    done(null);
    return;
  }
  let chain: Promise<unknown> = Promise.resolve();
  for (const hook of hooks) chain = chain.then(() => hook());
  chain.then(
    () => done(null),
    (error) => done(error ?? new Error("SnapStart hook rejected with undefined")),
  );
}

// CRaC's order: the last registered runs first before the snapshot, first after the restore.
export function beforeSnapshot(hooks: readonly Hook[], done: Done): void {
  run([...hooks].reverse(), done);
}

/** Gives the restored environment what differs from the saved one, then a new Math.random seed, then its hooks. */
export function afterRestore(hooks: readonly Hook[], config: GuestConfig, patchJson: string, reseed: () => void, done: Done): void {
  const patch = JSON.parse(patchJson) as RestorePatch;
  Object.assign(config.env, patch.env);
  config.timeOrigin = patch.timeOrigin;
  if (globalThis.performance && typeof globalThis.performance === "object") {
    try {
      (globalThis.performance as { timeOrigin: number }).timeOrigin = patch.timeOrigin;
    } catch {}
  }
  reseed();
  run(hooks, done);
}
