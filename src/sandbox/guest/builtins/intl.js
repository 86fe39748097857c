// Intl, computed by the host's Node with its full ICU (src/sandbox/native/intl.ts): each object here
// holds the number of a formatter on the host and crosses once per call with plain values.
/* global isolambdaHost */

const host = isolambdaHost;
const ERRORS = { TypeError, RangeError, SyntaxError };

function callHost(fn, ...args) {
  try {
    return fn(...args);
  } catch (error) {
    const Kind = error instanceof Error && Object.hasOwn(ERRORS, error.name) ? ERRORS[error.name] : undefined;
    throw Kind ? new Kind(error.message) : error;
  }
}

/** Locales as JSON: a tag, a list of tags or Intl.Locale objects, or null for the default. */
function localesJson(locales) {
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

function optionsJson(options) {
  if (options === undefined) return "{}";
  if (options === null) throw new TypeError("Cannot convert undefined or null to object");
  return JSON.stringify(options, (_key, value) => (typeof value === "bigint" ? String(value) : value));
}

/** A number as the host formats it: a BigInt or a decimal string stay exact as a string. */
function numeric(value) {
  if (typeof value === "bigint" || typeof value === "string") return String(value);
  return Number(value);
}

/** A date as epoch ms; none means now. */
function epoch(date) {
  return date === undefined ? Date.now() : Number(date);
}

class Formatter {
  #kind;
  #locales;
  #options;
  #id;
  #resolved;
  constructor(kind, locales, options) {
    this.#kind = kind;
    this.#locales = localesJson(locales);
    this.#options = optionsJson(options);
    this.#id = callHost(host.intlCreate, kind, this.#locales, this.#options);
  }
  /** `method` on the host; a formatter the host dropped is made again from the same locales and options. */
  call(method, a, b) {
    let result = callHost(host.intlCall, this.#id, method, a, b);
    if (result === undefined) {
      this.#id = callHost(host.intlCreate, this.#kind, this.#locales, this.#options);
      result = callHost(host.intlCall, this.#id, method, a, b);
    }
    return result;
  }
  json(method, a, b) {
    return JSON.parse(this.call(method, a, b));
  }
  resolvedOptions() {
    this.#resolved ??= this.call("resolvedOptions");
    return JSON.parse(this.#resolved);
  }
}

/** `format` and `compare` are getters giving a bound function, as ECMA-402 has them. */
function boundGetter(Class, name, fn) {
  const bound = new WeakMap();
  Object.defineProperty(Class.prototype, name, {
    configurable: true,
    get() {
      let value = bound.get(this);
      if (value === undefined) {
        value = (...args) => fn(this, ...args);
        bound.set(this, value);
      }
      return value;
    },
  });
}

function tagged(Class, name) {
  Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: `Intl.${name}`, configurable: true });
  Object.defineProperty(Class, "name", { value: name });
  Class.supportedLocalesOf = (locales, options) =>
    JSON.parse(
      callHost(
        host.intlStatic,
        "supportedLocalesOf",
        JSON.stringify([name, JSON.parse(localesJson(locales)), JSON.parse(optionsJson(options))]),
      ),
    );
  return Class;
}

class NumberFormat extends Formatter {
  constructor(locales, options) {
    super("NumberFormat", locales, options);
  }
  formatToParts(value) {
    return this.json("formatToParts", numeric(value));
  }
  formatRange(start, end) {
    return this.call("formatRange", numeric(start), numeric(end));
  }
  formatRangeToParts(start, end) {
    return this.json("formatRangeToParts", numeric(start), numeric(end));
  }
}
boundGetter(NumberFormat, "format", (self, value) => self.call("format", numeric(value)));

class DateTimeFormat extends Formatter {
  constructor(locales, options, method = "DateTimeFormat") {
    super(method, locales, options);
  }
  formatToParts(date) {
    return this.json("formatToParts", epoch(date));
  }
  formatRange(start, end) {
    return this.call("formatRange", Number(start), Number(end));
  }
  formatRangeToParts(start, end) {
    return this.json("formatRangeToParts", Number(start), Number(end));
  }
}
boundGetter(DateTimeFormat, "format", (self, date) => self.call("format", epoch(date)));

class Collator extends Formatter {
  constructor(locales, options) {
    super("Collator", locales, options);
  }
}
boundGetter(Collator, "compare", (self, a, b) => self.call("compare", String(a), String(b)));

class PluralRules extends Formatter {
  constructor(locales, options) {
    super("PluralRules", locales, options);
  }
  select(n) {
    return this.call("select", Number(n));
  }
  selectRange(start, end) {
    return this.call("selectRange", Number(start), Number(end));
  }
}

class RelativeTimeFormat extends Formatter {
  constructor(locales, options) {
    super("RelativeTimeFormat", locales, options);
  }
  format(value, unit) {
    return this.call("format", Number(value), String(unit));
  }
  formatToParts(value, unit) {
    return this.json("formatToParts", Number(value), String(unit));
  }
}

class ListFormat extends Formatter {
  constructor(locales, options) {
    super("ListFormat", locales, options);
  }
  format(list) {
    return this.call("format", JSON.stringify(Array.from(list ?? [])));
  }
  formatToParts(list) {
    return this.json("formatToParts", JSON.stringify(Array.from(list ?? [])));
  }
}

class DisplayNames extends Formatter {
  constructor(locales, options) {
    super("DisplayNames", locales, options);
  }
  of(code) {
    return this.call("of", String(code)) ?? undefined;
  }
}

class Segmenter extends Formatter {
  constructor(locales, options) {
    super("Segmenter", locales, options);
  }
  segment(input) {
    const text = String(input);
    const granularity = this.resolvedOptions().granularity;
    const list = this.json("segment", text).map(([segment, index, isWordLike]) =>
      granularity === "word" ? { segment, index, input: text, isWordLike } : { segment, index, input: text },
    );
    return {
      containing(at = 0) {
        const index = Math.trunc(Number(at)) || 0;
        return list.find((s) => index >= s.index && index < s.index + s.segment.length);
      },
      [Symbol.iterator]: () => list[Symbol.iterator](),
    };
  }
}

const LOCALE_INFO = new WeakMap();

class Locale {
  constructor(tag, options) {
    if (typeof tag !== "string" && !(tag instanceof Locale)) {
      throw new TypeError("First argument to Intl.Locale constructor can't be empty or missing");
    }
    const info = callHost(host.intlStatic, "locale", String(tag), options === undefined ? undefined : optionsJson(options));
    LOCALE_INFO.set(this, JSON.parse(info));
  }
  maximize() {
    return new Locale(LOCALE_INFO.get(this).maximized);
  }
  minimize() {
    return new Locale(LOCALE_INFO.get(this).minimized);
  }
  toString() {
    return LOCALE_INFO.get(this).tag;
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
    get() {
      return LOCALE_INFO.get(this)?.[name];
    },
  });
}
Object.defineProperty(Locale.prototype, Symbol.toStringTag, { value: "Intl.Locale", configurable: true });

/** Formatters made for the toLocaleString family, by kind, locales and options: a loop of them makes one. */
const forMethods = new Map();
const FOR_METHODS_MAX = 64;
function formatterFor(Class, kind, locales, options) {
  const key = `${kind}\0${localesJson(locales)}\0${optionsJson(options)}`;
  let formatter = forMethods.get(key);
  if (formatter === undefined) {
    formatter = Class === DateTimeFormat ? new DateTimeFormat(locales, options, kind) : new Class(locales, options);
    if (forMethods.size >= FOR_METHODS_MAX) forMethods.clear();
    forMethods.set(key, formatter);
  }
  return formatter;
}

const thisNumber = (value) => {
  if (typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Number || value instanceof BigInt) return value.valueOf();
  throw new TypeError("toLocaleString called on incompatible receiver");
};

/** The locale-sensitive methods of Number, BigInt, Date and String, as ECMA-402 defines them over Intl. */
export const localeMethods = {
  number(value, locales, options) {
    return formatterFor(NumberFormat, "NumberFormat", locales, options).format(thisNumber(value));
  },
  date(value, locales, options, required) {
    if (!(value instanceof Date)) throw new TypeError("this is not a Date object.");
    const time = value.getTime();
    if (Number.isNaN(time)) return "Invalid Date";
    return formatterFor(DateTimeFormat, `DateTimeFormat:${required}`, locales, options).format(time);
  },
  compare(value, that, locales, options) {
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
  getCanonicalLocales: (locales) => JSON.parse(callHost(host.intlStatic, "getCanonicalLocales", localesJson(locales))),
  supportedValuesOf: (key) => JSON.parse(callHost(host.intlStatic, "supportedValuesOf", String(key))),
};
Object.defineProperty(intl, Symbol.toStringTag, { value: "Intl", configurable: true });
for (const name of Object.keys(intl)) Object.defineProperty(intl, name, { enumerable: false });
