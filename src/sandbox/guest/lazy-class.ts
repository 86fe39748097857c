// A built-in class whose bundle loads on first use, as a value that can be listed: an ES module's
// `import { Sign } from "node:crypto"` copies every listed name when the module is linked, and a
// getter there would load the bundle for every importer of node:crypto. The stand-in is a plain
// constructor (QuickJS refuses a Proxy as a parent class) that builds the real class's instances,
// answers instanceof for it, and finds its statics through its own prototype chain.

/** `constructs`: a call without `new` constructs, as Node's older constructors do (`crypto.Sign("sha256")`). */
/** The real class, constructed and called through Reflect with whatever arguments code passes. */
type Real = new (...args: unknown[]) => unknown;

export function lazyClass<C extends abstract new (...args: never[]) => unknown>(
  name: string,
  load: () => C,
  { constructs = false }: { constructs?: boolean } = {},
): C {
  let loaded: Real | undefined;
  const real = (): Real => {
    if (loaded === undefined) {
      loaded = load() as unknown as Real;
      // A subclass made from the stand-in inherits the real methods through its prototype.
      Object.setPrototypeOf(Stand.prototype, loaded.prototype);
    }
    return loaded;
  };
  function Stand(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return constructs ? Reflect.construct(real(), args) : Reflect.apply(real(), this, args);
    return Reflect.construct(real(), args, new.target === Stand ? real() : new.target);
  }
  Object.defineProperty(Stand, "name", { value: name });
  Object.defineProperty(Stand, Symbol.hasInstance, { value: (value: unknown) => value instanceof real() });
  Object.setPrototypeOf(Stand, new Proxy(Function.prototype, { get: (_target, key) => Reflect.get(real(), key) }));
  return Stand as unknown as C;
}
