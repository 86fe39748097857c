// SnapStart inside the guest: a Math.random whose state the host reseeds in every restored
// environment (QuickJS's own generator state would be cloned with the snapshot), and the runtime
// hooks around the snapshot, `awslambda.registerBeforeSnapshot(fn)` and
// `awslambda.registerAfterRestore(fn)`, named after Lambda's .NET and Python SnapStart hooks.
import type { GuestConfig, HostCapabilities } from "../shared/guest-protocol.js";
import type { BuiltinModules } from "./builtin-modules.js";

/**
 * xoshiro128** in 32-bit arithmetic, seeded from the host's CSPRNG. Installed at boot, before any
 * handler code runs, so that libraries capturing Math.random at load (lodash does) keep using it.
 */
function installRandom(host: HostCapabilities): () => void {
  const state = new Uint32Array(4) as Uint32Array & [number, number, number, number];
  const reseed = () => {
    state.set(new Uint32Array(host.random(16)));
    if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  };
  const next = () => {
    const result = Math.imul(rotl(Math.imul(state[1], 5), 7), 9) >>> 0;
    const t = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 11);
    return result;
  };
  reseed();
  const random = {
    // A method definition has no prototype and is not a constructor, as Math.random.
    random() {
      // 53 random bits, as V8's Math.random gives.
      return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
    },
  }.random;
  Object.defineProperty(Math, "random", { value: random, writable: true, configurable: true, enumerable: false });
  return reseed;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** `hooks()` gives the bundle builtins/snapstart.js that runs the hooks: only a SnapStart environment loads it. */
/** A hook as code registers it: called without arguments, awaited. */
type Hook = () => unknown;

/** Ends the phase a hook runs in: its error, or nothing for success. */
type Settle = (error?: unknown) => void;

export interface SnapStart {
  beforeSnapshot(done: Settle): void;
  afterRestore(config: GuestConfig, patchJson: string, done: Settle): void;
}

export function installSnapStart(host: HostCapabilities, hooks: () => BuiltinModules["snapstart"]): SnapStart {
  const reseed = installRandom(host);
  const beforeSnapshot: Hook[] = [];
  const afterRestore: Hook[] = [];
  const register = (list: Hook[], name: string) => (hook: unknown) => {
    if (typeof hook !== "function") throw new TypeError(`awslambda.${name} expects a function`);
    list.push(hook as Hook);
  };
  globalThis.awslambda.registerBeforeSnapshot = register(beforeSnapshot, "registerBeforeSnapshot");
  globalThis.awslambda.registerAfterRestore = register(afterRestore, "registerAfterRestore");
  return {
    beforeSnapshot: (done) => hooks().beforeSnapshot(beforeSnapshot, done),
    afterRestore: (config, patchJson, done) => hooks().afterRestore(afterRestore, config, patchJson, reseed, done),
  };
}
