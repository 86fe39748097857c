// Globals that cost real bytes (Buffer, URL, ...) are defined as getters and evaluated on first
// use, so a hello-world environment pays nothing for them.

export function defineLazy(name, load) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = load();
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
      return value;
    },
    set(value) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** Loads one of the bundled libraries under builtins/, once per environment. */
export function builtinLoader(host) {
  const loaded = new Map();
  return (name) => {
    if (!loaded.has(name)) {
      const source = host.builtin(name);
      loaded.set(name, host.evalScript(`(() => {${source}\nreturn __mod;})()`, `isolambda:${name}`));
    }
    return loaded.get(name);
  };
}
