// Intl, computed by the host's Node with its full ICU (src/sandbox/executor/native/intl.ts): each object here
// holds the number of a formatter on the host and crosses once per call with plain values.

const host = isolambdaHost;
const ERRORS = { TypeError, RangeError, SyntaxError };

/** What the host's Intl answers: JSON or text, a number from compare, null or undefined (see HostCapabilities.intlCall). */
type Answer = string | number | null | undefined;

function callHost<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  try {
    return fn(...args);
  } catch (error) {
    const Kind = error instanceof Error && Object.hasOwn(ERRORS, error.name) ? ERRORS[error.name as keyof typeof ERRORS] : undefined;
    throw Kind ? new Kind((error as Error).message) : error;
  }
}

/** Locales as JSON: a tag, a list of tags or Intl.Locale objects, or null for the default. */
function localesJson(locales: unknown): string {
  if (locales === undefined) return "null";
  const list = typeof locales === "string" || locales instanceof Locale ? [locales] : Array.from(Object(locales));
  return JSON.stringify(
    list.map((tag) => {
      if (typeof tag !== "string" && (typeof tag !== "object" || tag === null))
        throw new TypeError("Language ID should be string or object.");
      return String(tag);
    }),
  );
}

function optionsJson(options: unknown): string {
  if (options === undefined) return "{}";
  if (options === null) throw new TypeError("Cannot convert undefined or null to object");
  return JSON.stringify(options, (_key, value) => (typeof value === "bigint" ? String(value) : value));
}

/** A number as the host formats it: a BigInt or a decimal string stay exact as a string. */
function numeric(value: unknown): string | number {
  if (typeof value === "bigint" || typeof value === "string") return String(value);
  return Number(value);
}

/** A date as epoch ms; none means now. */
function epoch(date: unknown): number {
  return date === undefined ? Date.now() : Number(date);
}

class Formatter {
  #kind: string;
  #locales: string;
  #options: string;
  #id: number;
  #resolved: string | undefined;
  constructor(kind: string, locales: unknown, options: unknown) {
    this.#kind = kind;
    this.#locales = localesJson(locales);
    this.#options = optionsJson(options);
    this.#id = callHost(host.intlCreate, kind, this.#locales, this.#options);
  }
  /** `method` on the host; a formatter the host dropped is made again from the same locales and options. */
  call(method: string, a?: unknown, b?: unknown): Answer {
    let result = callHost(host.intlCall, this.#id, method, a, b);
    if (result === undefined) {
      this.#id = callHost(host.intlCreate, this.#kind, this.#locales, this.#options);
      result = callHost(host.intlCall, this.#id, method, a, b);
    }
    return result;
  }
  json(method: string, a?: unknown, b?: unknown): unknown {
    return JSON.parse(this.call(method, a, b) as string);
  }
  resolvedOptions(): Record<string, unknown> {
    this.#resolved ??= this.call("resolvedOptions") as string;
    return JSON.parse(this.#resolved);
  }
}

/** `format` and `compare` are getters giving a bound function, as ECMA-402 has them. */
function boundGetter<T extends Formatter, A extends unknown[]>(
  Class: { prototype: T },
  name: string,
  fn: (self: T, ...args: A) => Answer,
): void {
  const bound = new WeakMap<T, (...args: A) => Answer>();
  Object.defineProperty(Class.prototype, name, {
    configurable: true,
    get(this: T) {
      let value = bound.get(this);
      if (value === undefined) {
        value = (...args: A) => fn(this, ...args);
        bound.set(this, value);
      }
      return value;
    },
  });
}

type SupportedLocalesOf = (locales: unknown, options?: unknown) => string[];

function tagged<C extends new (...args: never[]) => Formatter>(Class: C, name: string): C & { supportedLocalesOf: SupportedLocalesOf } {
  Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: `Intl.${name}`, configurable: true });
  Object.defineProperty(Class, "name", { value: name });
  (Class as C & { supportedLocalesOf: SupportedLocalesOf }).supportedLocalesOf = (locales, options) =>
    JSON.parse(
      callHost(
        host.intlStatic,
        "supportedLocalesOf",
        JSON.stringify([name, JSON.parse(localesJson(locales)), JSON.parse(optionsJson(options))]),
      ),
    );
  return Class as C & { supportedLocalesOf: SupportedLocalesOf };
}

class NumberFormat extends Formatter {
  /** A getter of the prototype (boundGetter). */
  declare readonly format: (value?: unknown) => string;
  constructor(locales?: unknown, options?: unknown) {
    super("NumberFormat", locales, options);
  }
  formatToParts(value: unknown) {
    return this.json("formatToParts", numeric(value));
  }
  formatRange(start: unknown, end: unknown) {
    return this.call("formatRange", numeric(start), numeric(end));
  }
  formatRangeToParts(start: unknown, end: unknown) {
    return this.json("formatRangeToParts", numeric(start), numeric(end));
  }
}
boundGetter(NumberFormat, "format", (self, value?: unknown) => self.call("format", numeric(value)));

class DateTimeFormat extends Formatter {
  /** A getter of the prototype (boundGetter). */
  declare readonly format: (date?: unknown) => string;
  constructor(locales?: unknown, options?: unknown, method = "DateTimeFormat") {
    super(method, locales, options);
  }
  formatToParts(date?: unknown) {
    return this.json("formatToParts", epoch(date));
  }
  formatRange(start: unknown, end: unknown) {
    return this.call("formatRange", Number(start), Number(end));
  }
  formatRangeToParts(start: unknown, end: unknown) {
    return this.json("formatRangeToParts", Number(start), Number(end));
  }
}
boundGetter(DateTimeFormat, "format", (self, date?: unknown) => self.call("format", epoch(date)));

class Collator extends Formatter {
  /** A getter of the prototype (boundGetter). */
  declare readonly compare: (a: unknown, b: unknown) => number;
  constructor(locales?: unknown, options?: unknown) {
    super("Collator", locales, options);
  }
}
boundGetter(Collator, "compare", (self, a: unknown, b: unknown) => self.call("compare", String(a), String(b)));

class PluralRules extends Formatter {
  constructor(locales?: unknown, options?: unknown) {
    super("PluralRules", locales, options);
  }
  select(n: unknown) {
    return this.call("select", Number(n));
  }
  selectRange(start: unknown, end: unknown) {
    return this.call("selectRange", Number(start), Number(end));
  }
}

class RelativeTimeFormat extends Formatter {
  constructor(locales?: unknown, options?: unknown) {
    super("RelativeTimeFormat", locales, options);
  }
  format(value: unknown, unit: unknown) {
    return this.call("format", Number(value), String(unit));
  }
  formatToParts(value: unknown, unit: unknown) {
    return this.json("formatToParts", Number(value), String(unit));
  }
}

class ListFormat extends Formatter {
  constructor(locales?: unknown, options?: unknown) {
    super("ListFormat", locales, options);
  }
  format(list?: Iterable<unknown> | ArrayLike<unknown> | null) {
    return this.call("format", JSON.stringify(Array.from(list ?? [])));
  }
  formatToParts(list?: Iterable<unknown> | ArrayLike<unknown> | null) {
    return this.json("formatToParts", JSON.stringify(Array.from(list ?? [])));
  }
}

class DisplayNames extends Formatter {
  constructor(locales?: unknown, options?: unknown) {
    super("DisplayNames", locales, options);
  }
  of(code: unknown) {
    return this.call("of", String(code)) ?? undefined;
  }
}

/** One segment as Intl.Segmenter gives it. */
interface Segment {
  segment: string;
  index: number;
  input: string;
  isWordLike?: boolean;
}

class Segmenter extends Formatter {
  constructor(locales?: unknown, options?: unknown) {
    super("Segmenter", locales, options);
  }
  segment(input: unknown) {
    const text = String(input);
    const granularity = this.resolvedOptions().granularity;
    const list = (this.json("segment", text) as [string, number, boolean][]).map(
      ([segment, index, isWordLike]): Segment =>
        granularity === "word" ? { segment, index, input: text, isWordLike } : { segment, index, input: text },
    );
    return {
      containing(at: unknown = 0) {
        const index = Math.trunc(Number(at)) || 0;
        return list.find((s) => index >= s.index && index < s.index + s.segment.length);
      },
      [Symbol.iterator]: () => list[Symbol.iterator](),
    };
  }
}

/** What the host says of a locale: its tag, maximized and minimized tags, and the accessors' values. */
interface LocaleInfo {
  tag: string;
  maximized: string;
  minimized: string;
  [name: string]: unknown;
}

const LOCALE_INFO = new WeakMap<Locale, LocaleInfo>();

class Locale {
  constructor(tag: unknown, options?: unknown) {
    if (typeof tag !== "string" && !(tag instanceof Locale)) {
      throw new TypeError("First argument to Intl.Locale constructor can't be empty or missing");
    }
    const info = callHost(host.intlStatic, "locale", String(tag), options === undefined ? undefined : optionsJson(options));
    LOCALE_INFO.set(this, JSON.parse(info));
  }
  maximize(): Locale {
    return new Locale((LOCALE_INFO.get(this) as LocaleInfo).maximized);
  }
  minimize(): Locale {
    return new Locale((LOCALE_INFO.get(this) as LocaleInfo).minimized);
  }
  toString(): string {
    return (LOCALE_INFO.get(this) as LocaleInfo).tag;
  }
}
// Node 20's accessors, the week and text info luxon reads among them.
for (const name of [
  "baseName",
  "calendar",
  "caseFirst",
  "collation",
  "hourCycle",
  "language",
  "numberingSystem",
  "numeric",
  "region",
  "script",
  "calendars",
  "collations",
  "hourCycles",
  "numberingSystems",
  "textInfo",
  "timeZones",
  "weekInfo",
]) {
  Object.defineProperty(Locale.prototype, name, {
    configurable: true,
    get(this: Locale) {
      return LOCALE_INFO.get(this)?.[name];
    },
  });
}
Object.defineProperty(Locale.prototype, Symbol.toStringTag, { value: "Intl.Locale", configurable: true });

/** Formatters made for the toLocaleString family, by kind, locales and options: a loop of them makes one. */
const forMethods = new Map<string, Formatter>();
const FOR_METHODS_MAX = 64;
function formatterFor<T extends Formatter>(
  Class: new (locales: unknown, options: unknown) => T,
  kind: string,
  locales: unknown,
  options: unknown,
): T {
  const key = `${kind}\0${localesJson(locales)}\0${optionsJson(options)}`;
  let formatter = forMethods.get(key) as T | undefined;
  if (formatter === undefined) {
    formatter = (Class === (DateTimeFormat as unknown) ? new DateTimeFormat(locales, options, kind) : new Class(locales, options)) as T;
    if (forMethods.size >= FOR_METHODS_MAX) forMethods.clear();
    forMethods.set(key, formatter);
  }
  return formatter;
}

const thisNumber = (value: unknown) => {
  if (typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Number || value instanceof BigInt) return value.valueOf();
  throw new TypeError("toLocaleString called on incompatible receiver");
};

/** The locale-sensitive methods of Number, BigInt, Date and String, as ECMA-402 defines them over Intl. */
export const localeMethods = {
  number(value: unknown, locales: unknown, options: unknown): string {
    return formatterFor(NumberFormat, "NumberFormat", locales, options).format(thisNumber(value));
  },
  date(value: unknown, locales: unknown, options: unknown, required: "any" | "date" | "time"): string {
    if (!(value instanceof Date)) throw new TypeError("this is not a Date object.");
    const time = value.getTime();
    if (Number.isNaN(time)) return "Invalid Date";
    return formatterFor(DateTimeFormat, `DateTimeFormat:${required}`, locales, options).format(time);
  },
  compare(value: unknown, that: unknown, locales: unknown, options: unknown): number {
    if (value === null || value === undefined) throw new TypeError("String.prototype.localeCompare called on null or undefined");
    const a = String(value);
    const b = String(that);
    return formatterFor(Collator, "Collator", locales, options).compare(a, b);
  },
};

export const intl = {
  NumberFormat: tagged(NumberFormat, "NumberFormat"),
  DateTimeFormat: tagged(DateTimeFormat, "DateTimeFormat"),
  Collator: tagged(Collator, "Collator"),
  PluralRules: tagged(PluralRules, "PluralRules"),
  RelativeTimeFormat: tagged(RelativeTimeFormat, "RelativeTimeFormat"),
  ListFormat: tagged(ListFormat, "ListFormat"),
  DisplayNames: tagged(DisplayNames, "DisplayNames"),
  Segmenter: tagged(Segmenter, "Segmenter"),
  Locale,
  getCanonicalLocales: (locales: unknown): string[] => JSON.parse(callHost(host.intlStatic, "getCanonicalLocales", localesJson(locales))),
  supportedValuesOf: (key: unknown): string[] => JSON.parse(callHost(host.intlStatic, "supportedValuesOf", String(key))),
};
Object.defineProperty(intl, Symbol.toStringTag, { value: "Intl", configurable: true });
for (const name of Object.keys(intl)) Object.defineProperty(intl, name, { enumerable: false });
