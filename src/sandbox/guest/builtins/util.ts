// node:util. format and inspect are the ones console uses (format.ts over object-inspect), so a
// value prints the same either way; isDeepStrictEqual is the `assert` package's comparison, loaded
// on first call. The rest is the glue Node's own util.js is, written against the engine's builtins.
import type { Builtin, BuiltinModules } from "../builtin-modules.js";
import { errorText } from "../error-text.js";
import { createFormatter } from "../format.js";

type Check = (value: unknown) => boolean;
/** A function as the code here calls it, with any receiver and arguments. */
type Callable = (this: unknown, ...args: unknown[]) => unknown;

const call = (fn: AnyFunction, value: unknown) => {
  try {
    fn.call(value);
    return true;
  } catch {
    return false;
  }
};
const getter = (proto: object, name: PropertyKey) =>
  (Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor).get as () => unknown;
const tag = (value: unknown) => Object.prototype.toString.call(value);
const isObject = (value: unknown): value is object => value !== null && typeof value === "object";

const typedArrayTag = getter(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag);
const isTypedArrayOf =
  (name: string): Check =>
  (value) =>
    typedArrayTag.call(value) === name;
const mapSize = getter(Map.prototype, "size");
const setSize = getter(Set.prototype, "size");
const byteLength = getter(ArrayBuffer.prototype, "byteLength");
const sharedByteLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : undefined;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;
const MapIterator = Object.getPrototypeOf(new Map().entries());
const SetIterator = Object.getPrototypeOf(new Set().values());

const boxed: Record<string, Check> = {
  isNumberObject: (v) => isObject(v) && call(Number.prototype.valueOf, v),
  isStringObject: (v) => isObject(v) && call(String.prototype.valueOf, v),
  isBooleanObject: (v) => isObject(v) && call(Boolean.prototype.valueOf, v),
  isBigIntObject: (v) => isObject(v) && call(BigInt.prototype.valueOf, v),
  isSymbolObject: (v) => isObject(v) && call(Symbol.prototype.valueOf, v),
};

const types: Record<string, Check> = {
  ...boxed,
  isBoxedPrimitive: (v) => Object.values(boxed).some((check) => check(v)),
  isArrayBuffer: (v) => isObject(v) && call(byteLength, v),
  isSharedArrayBuffer: (v) => isObject(v) && sharedByteLength !== undefined && call(sharedByteLength, v),
  isAnyArrayBuffer: (v) => types.isArrayBuffer(v) || types.isSharedArrayBuffer(v),
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isDataView: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === undefined,
  isTypedArray: (v) => typedArrayTag.call(v) !== undefined,
  isUint8Array: isTypedArrayOf("Uint8Array"),
  isUint8ClampedArray: isTypedArrayOf("Uint8ClampedArray"),
  isUint16Array: isTypedArrayOf("Uint16Array"),
  isUint32Array: isTypedArrayOf("Uint32Array"),
  isInt8Array: isTypedArrayOf("Int8Array"),
  isInt16Array: isTypedArrayOf("Int16Array"),
  isInt32Array: isTypedArrayOf("Int32Array"),
  isFloat32Array: isTypedArrayOf("Float32Array"),
  isFloat64Array: isTypedArrayOf("Float64Array"),
  isBigInt64Array: isTypedArrayOf("BigInt64Array"),
  isBigUint64Array: isTypedArrayOf("BigUint64Array"),
  isDate: (v) => isObject(v) && call(Date.prototype.getTime, v),
  isRegExp: (v) => isObject(v) && call(getter(RegExp.prototype, "flags"), v) && tag(v) === "[object RegExp]",
  isMap: (v) => isObject(v) && call(mapSize, v),
  isSet: (v) => isObject(v) && call(setSize, v),
  isWeakMap: (v) => isObject(v) && call(WeakMap.prototype.has, v),
  isWeakSet: (v) => isObject(v) && call(WeakSet.prototype.has, v),
  isMapIterator: (v) => isObject(v) && Object.getPrototypeOf(v) === MapIterator,
  isSetIterator: (v) => isObject(v) && Object.getPrototypeOf(v) === SetIterator,
  isPromise: (v) => v instanceof Promise || tag(v) === "[object Promise]",
  isNativeError: (v) => v instanceof Error || tag(v) === "[object Error]",
  isAsyncFunction: (v) => v instanceof AsyncFunction || v instanceof AsyncGeneratorFunction,
  isGeneratorFunction: (v) => v instanceof GeneratorFunction || v instanceof AsyncGeneratorFunction,
  isGeneratorObject: (v) => tag(v) === "[object Generator]" || tag(v) === "[object AsyncGenerator]",
  isArgumentsObject: (v) => tag(v) === "[object Arguments]",
  isModuleNamespaceObject: (v) => isObject(v) && Object.getPrototypeOf(v) === null && tag(v) === "[object Module]",
  // The engine gives no way to see through a Proxy or to hold an external pointer.
  isProxy: () => false,
  isExternal: () => false,
  isKeyObject: () => false,
  isCryptoKey: (v) => tag(v) === "[object CryptoKey]",
};

// Node's own pattern for terminal escape sequences (lib/internal/util/inspect.js).
const ANSI_ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are control characters.
  /[\u001B\u009B][[\]()#;?]*(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007|(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~])/g;

const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
const kCustomInspect = Symbol.for("nodejs.util.inspect.custom");

function promisify(original: unknown): AnyFunction {
  if (typeof original !== "function") {
    throw Object.assign(new TypeError('The "original" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
  }
  const custom = (original as { [kCustomPromisify]?: unknown })[kCustomPromisify];
  if (custom !== undefined) {
    if (typeof custom !== "function") {
      throw Object.assign(new TypeError('The "util.promisify.custom" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
    }
    return Object.defineProperty(custom as Callable, kCustomPromisify, { value: custom, configurable: true });
  }
  function fn(this: unknown, ...args: unknown[]) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original as Callable, this, [...args, (error: unknown, value: unknown) => (error ? reject(error) : resolve(value))]);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, configurable: true });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;

function callbackify(original: unknown): (...args: unknown[]) => void {
  if (typeof original !== "function") {
    throw Object.assign(new TypeError('The "original" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
  }
  return function (this: unknown, ...args: unknown[]) {
    const callback = args.pop();
    if (typeof callback !== "function") {
      throw Object.assign(new TypeError("The last argument must be of type function"), { code: "ERR_INVALID_ARG_TYPE" });
    }
    (Reflect.apply(original as Callable, this, args) as Promise<unknown>).then(
      (value) => process.nextTick(callback as Callable, null, value),
      (reason) => {
        // Node: a falsy rejection reason becomes an Error carrying it, so `err` is always truthy.
        const error = reason
          ? reason
          : Object.assign(new Error("Promise was rejected with a falsy value"), { code: "ERR_FALSY_VALUE_REJECTION", reason });
        process.nextTick(callback as Callable, error);
      },
    );
  };
}

function inherits(ctor: unknown, superCtor: unknown): void {
  if (typeof ctor !== "function" || typeof superCtor !== "function" || superCtor.prototype === undefined) {
    throw Object.assign(new TypeError('The "ctor" and "superCtor" arguments must be functions with a prototype'), {
      code: "ERR_INVALID_ARG_TYPE",
    });
  }
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warned = new Set<unknown>();
function deprecate(fn: AnyFunction, message: unknown, code?: unknown): AnyFunction {
  return function deprecated(this: unknown, ...args: unknown[]) {
    const key = code ?? message;
    if (!warned.has(key)) {
      warned.add(key);
      process.emitWarning(message, "DeprecationWarning", code);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  };
}

function debuglog(section: unknown): ((...args: unknown[]) => void) & { enabled: boolean } {
  const sections = String(process.env.NODE_DEBUG ?? "")
    .toUpperCase()
    .split(/[\s,]+/);
  const enabled = sections.includes(String(section).toUpperCase());
  const log = (...args: unknown[]) => {
    if (enabled) console.error("%s %d: %s", String(section).toUpperCase(), process.pid, format(...args));
  };
  log.enabled = enabled;
  return log;
}

let format: (...args: unknown[]) => string;

/** util.inspect's options, the ones this inspect honours. */
interface InspectOptions {
  depth?: number | null;
  breakLength?: number;
  maxStringLength?: number;
  maxArrayLength?: number;
  showHidden?: unknown;
  colors?: unknown;
}

/** The node:util module for one environment; `load` is the builtins/ loader. */
export function createUtil(load: Builtin) {
  const formatArgs = createFormatter(load);
  format = (...args) => formatArgs(args);
  const objectInspect = load("inspect").default;

  function inspect(value: unknown, options?: unknown, depth?: number | null, colors?: unknown): string {
    // As console prints it: Node shows an error as its stack.
    if (value instanceof Error) return errorText(value);
    const opts = (typeof options === "object" && options !== null ? options : { showHidden: options, depth, colors }) as InspectOptions;
    // object-inspect counts depth from 1 where util.inspect counts from 0 (default 2).
    const levels = opts.depth === null || opts.depth === Infinity ? Infinity : (opts.depth ?? 2) + 1;
    return objectInspect(value, {
      depth: levels,
      ...(opts.breakLength !== undefined ? { breakLength: opts.breakLength } : {}),
      ...(opts.maxStringLength !== undefined ? { maxStringLength: opts.maxStringLength } : {}),
      ...(opts.maxArrayLength !== undefined ? { maxCollectionLength: opts.maxArrayLength } : {}),
    });
  }
  inspect.custom = kCustomInspect;
  inspect.defaultOptions = { depth: 2, breakLength: 80, maxArrayLength: 100, maxStringLength: 10000 };
  Object.defineProperty(inspect, "colors", { get: () => load("style-text").colors, enumerable: true, configurable: true });

  const isPrimitive: Check = (v) => v === null || (typeof v !== "object" && typeof v !== "function");

  return {
    format,
    formatWithOptions: (_options: unknown, ...args: unknown[]) => format(...args),
    inspect,
    promisify,
    callbackify,
    inherits,
    deprecate,
    debuglog,
    debug: debuglog,
    types,
    isDeepStrictEqual: (a: unknown, b: unknown) => load("assert").isDeepStrictEqual(a, b),
    stripVTControlCharacters: (text: unknown) => String(text).replace(ANSI_ESCAPES, ""),
    parseArgs: (config?: Parameters<BuiltinModules["parse-args"]["parseArgs"]>[0]) => load("parse-args").parseArgs(config),
    styleText: (format: unknown, text: unknown, options?: Parameters<BuiltinModules["style-text"]["styleText"]>[2]) =>
      load("style-text").styleText(format, text, options),
    toUSVString: (text: unknown) => (String(text) as { toWellFormed?: () => string }).toWellFormed?.() ?? String(text),
    TextEncoder: globalThis.TextEncoder,
    TextDecoder: globalThis.TextDecoder,
    // Deprecated in Node, still present: some older libraries call them.
    isArray: Array.isArray,
    isBoolean: (v: unknown) => typeof v === "boolean",
    isBuffer: (v: unknown) => globalThis.Buffer.isBuffer(v),
    isDate: types.isDate,
    isError: types.isNativeError,
    isFunction: (v: unknown) => typeof v === "function",
    isNull: (v: unknown) => v === null,
    isNullOrUndefined: (v: unknown) => v === null || v === undefined,
    isNumber: (v: unknown) => typeof v === "number",
    isObject: (v: unknown) => v !== null && typeof v === "object",
    isPrimitive,
    isRegExp: types.isRegExp,
    isString: (v: unknown) => typeof v === "string",
    isSymbol: (v: unknown) => typeof v === "symbol",
    isUndefined: (v: unknown) => v === undefined,
  };
}
