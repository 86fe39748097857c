/**
 * Intl, run by the host's Node and its full ICU: QuickJS has no Intl, and a polyfill with locale
 * data would cost the guest megabytes. The guest's Intl objects hold a number naming a formatter
 * here; one format is one crossing of plain values (numbers, strings, dates as epoch ms), and
 * anything structured (parts, resolved options, segments) comes back as JSON.
 *
 * Lambda runs with TZ=:UTC and the en-US locale, whatever the host's own are: those are the
 * defaults here.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { HostImplementation } from "../guest-host.js";
import { guarded } from "./guest-values.js";
import { guestString, hostText } from "./strings.js";

const DEFAULT_LOCALE = "en-US";
const DEFAULT_TIME_ZONE = "UTC";
/**
 * Formatters kept per environment, outside its memory: ICU's date formatters hold ~55 KB each
 * (512 of them were 28 MB here). Past this the oldest is dropped; the guest makes it again from its
 * locales and options when told its number is unknown (25–85 µs here).
 */
const MAX_FORMATTERS = 64;

type Options = Record<string, unknown>;
type Formatter = Record<string, (...args: unknown[]) => unknown>;

/** The kinds the guest may make, by the name of their Intl constructor. */
const KINDS = {
  NumberFormat: Intl.NumberFormat,
  DateTimeFormat: Intl.DateTimeFormat,
  Collator: Intl.Collator,
  PluralRules: Intl.PluralRules,
  RelativeTimeFormat: Intl.RelativeTimeFormat,
  ListFormat: Intl.ListFormat,
  Segmenter: Intl.Segmenter,
  DisplayNames: Intl.DisplayNames,
} as unknown as Record<string, new (locales?: string[], options?: Options) => Formatter>;

/** The methods each kind answers; a method returning an object answers JSON. */
const METHODS = new Set([
  "format",
  "formatToParts",
  "formatRange",
  "formatRangeToParts",
  "resolvedOptions",
  "compare",
  "select",
  "selectRange",
  "of",
]);

const DATE_FIELDS = ["weekday", "year", "month", "day"];
const TIME_FIELDS = ["dayPeriod", "hour", "minute", "second", "fractionalSecondDigits"];

/**
 * ECMA-402's ToDateTimeOptions for Date's toLocaleDateString ("date"), toLocaleTimeString ("time")
 * and toLocaleString ("any"): the fields a formatter shows when the caller names none.
 */
function dateDefaults(options: Options, required: "date" | "time" | "any"): Options {
  const given = (list: string[]) => list.some((name) => options[name] !== undefined);
  if (required === "date" && options.timeStyle !== undefined) throw new TypeError("Invalid option : timeStyle");
  if (required === "time" && options.dateStyle !== undefined) throw new TypeError("Invalid option : dateStyle");
  const needDefaults =
    !(required !== "time" && given(DATE_FIELDS)) &&
    !(required !== "date" && given(TIME_FIELDS)) &&
    options.dateStyle === undefined &&
    options.timeStyle === undefined;
  if (!needDefaults) return options;
  return {
    ...options,
    ...(required !== "time" && { year: "numeric", month: "numeric", day: "numeric" }),
    ...(required !== "date" && { hour: "numeric", minute: "numeric", second: "numeric" }),
  };
}

function make(kind: string, locales: string[] | undefined, options: Options): Formatter {
  const requested = locales === undefined || locales.length === 0 ? [DEFAULT_LOCALE] : locales;
  // Date's toLocale*String: a DateTimeFormat with the defaults of that method.
  const dateMethod = /^DateTimeFormat:(date|time|any)$/.exec(kind);
  const Kind = KINDS[dateMethod ? "DateTimeFormat" : kind];
  if (Kind === undefined) throw new TypeError(`Intl.${kind} is not supported`);
  if (kind.startsWith("DateTimeFormat") && options.timeZone === undefined) options = { ...options, timeZone: DEFAULT_TIME_ZONE };
  return new Kind(requested, dateMethod ? dateDefaults(options, dateMethod[1] as "date") : options);
}

/** A guest value as the host value it stands for: numbers and strings as they are, lists as JSON. */
function hostArgument(ctx: QuickJSContext, handle: QuickJSHandle | undefined): unknown {
  if (handle === undefined) return undefined;
  const type = ctx.typeof(handle);
  if (type === "number") return ctx.getNumber(handle);
  if (type === "string") return hostText(ctx, handle);
  return undefined;
}

/** A Node Intl.Locale's properties, its week and text info included (luxon asks them). */
function localeInfo(locale: Intl.Locale): Record<string, unknown> {
  const info: Record<string, unknown> = {
    tag: locale.toString(),
    maximized: locale.maximize().toString(),
    minimized: locale.minimize().toString(),
  };
  const source = locale as unknown as Record<string, unknown>;
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
    info[name] = source[name];
  }
  return info;
}

export function intlFunctions(ctx: QuickJSContext) {
  const formatters = new Map<number, Formatter>();
  const byKey = new Map<string, number>();
  let next = 1;
  const json = (value: unknown) => ctx.newString(JSON.stringify(value));

  return {
    /** A formatter's number (the same for the same kind, locales and options), or the error Node throws making it. */
    intlCreate: (kind, locales, options) =>
      guarded(ctx, () => {
        const key = `${ctx.getString(kind)}\0${ctx.getString(locales)}\0${ctx.getString(options)}`;
        const known = byKey.get(key);
        if (known !== undefined) return ctx.newNumber(known);
        const parsed = JSON.parse(ctx.getString(locales)) as string[] | null;
        const formatter = make(ctx.getString(kind), parsed ?? undefined, JSON.parse(ctx.getString(options)) as Options);
        if (formatters.size >= MAX_FORMATTERS) {
          const [oldest] = formatters.keys();
          formatters.delete(oldest as number);
          for (const [k, id] of byKey) if (id === oldest) byKey.delete(k);
        }
        const id = next++;
        formatters.set(id, formatter);
        byKey.set(key, id);
        return ctx.newNumber(id);
      }),
    /**
     * `method` of formatter `id` over one or two values (a list as JSON): a string for format,
     * compare's number, JSON for the rest; undefined when `id` was dropped.
     */
    intlCall: (id, method, a, b) =>
      guarded(ctx, () => {
        const formatter = formatters.get(ctx.getNumber(id));
        if (formatter === undefined) return undefined;
        const name = ctx.getString(method);
        if (name === "segment") {
          const segments = (formatter as unknown as Intl.Segmenter).segment(String(hostArgument(ctx, a)));
          return json(Array.from(segments, (s) => [s.segment, s.index, s.isWordLike]));
        }
        const fn = METHODS.has(name) ? formatter[name] : undefined;
        if (typeof fn !== "function") throw new TypeError(`${name} is not a function`);
        let first = hostArgument(ctx, a);
        // ListFormat takes a list, which crosses as JSON.
        if (formatter instanceof Intl.ListFormat && typeof first === "string") first = JSON.parse(first);
        const result = b === undefined ? fn.call(formatter, first) : fn.call(formatter, first, hostArgument(ctx, b));
        // DisplayNames.of's "no name": undefined here means the formatter was dropped.
        if (result === undefined) return ctx.null;
        if (typeof result === "number") return ctx.newNumber(result);
        if (typeof result === "string" && name !== "resolvedOptions") return guestString(ctx, result);
        return json(result);
      }),
    /** Intl's functions that need no formatter, answered as JSON. */
    intlStatic: (op, a, b) =>
      guarded(ctx, () => {
        const first = hostArgument(ctx, a) as string;
        const second = hostArgument(ctx, b) as string | undefined;
        switch (ctx.getString(op)) {
          case "getCanonicalLocales":
            return json(Intl.getCanonicalLocales(JSON.parse(first) ?? undefined));
          case "supportedValuesOf":
            return json(Intl.supportedValuesOf(first as Parameters<typeof Intl.supportedValuesOf>[0]));
          case "supportedLocalesOf": {
            const [kind, locales, options] = JSON.parse(first) as [string, string[] | null, Options];
            const Kind = KINDS[kind] as unknown as { supportedLocalesOf(l?: string[], o?: Options): string[] } | undefined;
            if (Kind === undefined) throw new TypeError(`Intl.${kind} is not supported`);
            return json(Kind.supportedLocalesOf(locales ?? undefined, options));
          }
          case "locale":
            return json(localeInfo(new Intl.Locale(first, second === undefined ? undefined : JSON.parse(second))));
          default:
            throw new TypeError("Unknown Intl operation");
        }
      }),
  } satisfies Partial<HostImplementation>;
}
