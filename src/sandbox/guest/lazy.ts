// Globals that cost real bytes (Buffer, URL, ...) are defined as getters and evaluated on first
// use, so a hello-world environment pays nothing for them.
import type { HostCapabilities } from "../shared/guest-protocol.js";
import type { Builtin, BuiltinName } from "./builtin-modules.js";

export function defineLazy(name: string, load: () => unknown): void {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = load();
      // Asked while its own builtin is being evaluated (see builtinLoader): absent, for now.
      if (value === undefined) return undefined;
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
      return value;
    },
    set(value) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** Loads one of the bundled libraries under builtins/, once per environment. */
export function builtinLoader(host: HostCapabilities): Builtin {
  const loaded = new Map<BuiltinName, unknown>();
  const loading = new Set<BuiltinName>();
  return ((name: BuiltinName) => {
    if (!loaded.has(name)) {
      // A bundle that probes for a global it provides itself (event-target-shim looks for a native
      // Event) finds it absent, instead of evaluating itself again.
      if (loading.has(name)) return undefined;
      loading.add(name);
      try {
        const source = host.builtin(name);
        // A bundle sees the host functions as `isolambdaHost`, a parameter of the function that
        // evaluates it (Buffer's codecs run there): handler code has no name for it.
        const evaluate = host.evalScript(`(isolambdaHost) => {${source}\nreturn __mod;}`, `isolambda:${name}`) as (
          host: HostCapabilities,
        ) => unknown;
        loaded.set(name, evaluate(host));
      } finally {
        loading.delete(name);
      }
    }
    return loaded.get(name);
  }) as Builtin;
}
