/**
 * Intl in the guest is the host's Node Intl (full ICU): every case below runs in a handler and in
 * this process, and the answers must be the same, with Lambda's defaults (en-US, UTC).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** One expression per case, evaluated as the body of a function in the guest and in Node. */
const CASES = `
const d = new Date(Date.UTC(2024, 0, 15, 13, 45, 30, 123));
return [
  (1234.5).toLocaleString("en-US"),
  (1234.5).toLocaleString("de-DE"),
  (1234.5).toLocaleString(),
  (0.000001234).toLocaleString("fr-FR", { maximumSignificantDigits: 2 }),
  new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(1234.5),
  new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" }).format(1234.5),
  new Intl.NumberFormat("de-CH", { style: "currency", currency: "CHF", currencyDisplay: "name" }).format(-3),
  new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1 }).format(0.256),
  new Intl.NumberFormat("en-US", { style: "unit", unit: "kilometer-per-hour", unitDisplay: "long" }).format(50),
  new Intl.NumberFormat("en-US", { notation: "compact" }).format(1234567),
  new Intl.NumberFormat("de", { notation: "compact", compactDisplay: "long" }).format(1234567),
  new Intl.NumberFormat("en-IN").format(12345678901234567890n),
  new Intl.NumberFormat("en-US").format("1234567.891234567891"),
  new Intl.NumberFormat("ar-EG").format(123.5),
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).formatToParts(-1234.5),
  new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).resolvedOptions(),
  new Intl.NumberFormat("en-US").formatRange(3, 5),
  (12345678901234567890n).toLocaleString("de-DE"),
  [1234.5, 2].toLocaleString(),
  d.toLocaleString("en-US"),
  d.toLocaleDateString("en-GB"),
  d.toLocaleTimeString("de-DE"),
  d.toLocaleString(),
  d.toLocaleDateString(undefined, { dateStyle: "full" }),
  d.toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit" }),
  d.toLocaleDateString("en-US", { hour: "numeric" }),
  d.toLocaleString("en-US", { timeZone: "America/New_York" }),
  d.toLocaleString("ja-JP-u-ca-japanese", { era: "long" }),
  new Date(NaN).toLocaleString(),
  new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Kolkata", dateStyle: "long", timeStyle: "long" }).format(d),
  new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour12: false, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" }).formatToParts(d),
  new Intl.DateTimeFormat().resolvedOptions(),
  new Intl.DateTimeFormat("en-US", { timeZone: "europe/paris" }).resolvedOptions(),
  new Intl.DateTimeFormat("en", { month: "long", day: "numeric" }).formatRange(d, new Date(Date.UTC(2024, 2, 1))),
  new Intl.DateTimeFormat("en", { month: "long" }).format(0),
  ["b", "a", "B", "ä", "z"].sort(new Intl.Collator("de").compare),
  ["b", "a", "B", "ä", "z"].sort((x, y) => x.localeCompare(y)),
  ["a10", "a2", "a1"].sort(new Intl.Collator("en", { numeric: true }).compare),
  ["ä", "z"].sort(new Intl.Collator("sv").compare),
  "a".localeCompare("B"),
  "a".localeCompare("A", undefined, { sensitivity: "base" }),
  new Intl.Collator("en", { sensitivity: "base" }).resolvedOptions(),
  [0, 1, 2, 3, 11, 22].map((n) => new Intl.PluralRules("en-US", { type: "ordinal" }).select(n)),
  [0, 1, 3, 11, 100].map((n) => new Intl.PluralRules("ar").select(n)),
  new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(-1, "day"),
  new Intl.RelativeTimeFormat("es").formatToParts(3, "hours"),
  new Intl.ListFormat("en", { type: "conjunction" }).format(["a", "b", "c"]),
  new Intl.ListFormat("de", { type: "disjunction" }).formatToParts(["x", "y"]),
  [...new Intl.Segmenter("en", { granularity: "word" }).segment("Hello, world!")],
  [...new Intl.Segmenter("en").segment("e\\u0301👍🏽x")].map((s) => s.segment),
  new Intl.Segmenter("en", { granularity: "word" }).segment("Hello, world!").containing(8),
  new Intl.DisplayNames(["en"], { type: "region" }).of("DE"),
  new Intl.DisplayNames(["fr"], { type: "currency" }).of("USD"),
  Intl.getCanonicalLocales(["EN-us", "zh-hant-tw"]),
  Intl.supportedValuesOf("timeZone").includes("America/New_York"),
  Intl.NumberFormat.supportedLocalesOf(["fr", "zz"]),
  new Intl.Locale("en-US").weekInfo,
  new Intl.Locale("zh", { script: "Hant" }).maximize().toString(),
  new Intl.Locale("en-Latn-US-u-ca-gregory").baseName,
  String(new Intl.Locale("en-US").minimize()),
  Object.prototype.toString.call(Intl),
  Object.prototype.toString.call(new Intl.NumberFormat()),
];`;

const ERRORS = `
const errors = [];
for (const make of [
  () => new Intl.NumberFormat("en", { style: "currency" }),
  () => new Intl.NumberFormat("not a locale!"),
  () => new Intl.DateTimeFormat("en", { timeZone: "Mars/Olympus" }),
  () => new Date().toLocaleDateString("en", { timeStyle: "short" }),
  () => new Intl.NumberFormat("en", { maximumFractionDigits: 500 }),
]) {
  try {
    make();
    errors.push(null);
  } catch (error) {
    errors.push([error.constructor.name, error.message]);
  }
}
return errors;`;

const inGuest = async (body: string): Promise<unknown> =>
  resultOf(await invokeOnce(sandbox, { "index.js": `exports.handler = async () => (() => {${body}})();` }));
const inNode = (body: string): unknown => JSON.parse(JSON.stringify(new Function(body)()));

describe("Intl", () => {
  beforeAll(() => {
    // Lambda's default time zone, for this process's answers to compare with.
    process.env.TZ = "UTC";
  });

  it("formats numbers, dates, lists, plurals and relative times as Node does, for many locales and options", async () => {
    const expected = inNode(CASES) as unknown[];
    const actual = (await inGuest(CASES)) as unknown[];
    expect(actual).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) expect(actual[i], `case ${i}`).toEqual(expected[i]);
    // Not Node's own default: Lambda's, whatever the host's LANG.
    expect(actual[2]).toBe("1,234.5");
  });

  it("throws Node's error class and message for bad locales and options", async () => {
    expect(await inGuest(ERRORS)).toEqual(inNode(ERRORS));
  });

  it("keeps formatting with formatters the host has let go of: 300 time zones' formatters, each used twice in turn", async () => {
    const body = `
      const zones = Intl.supportedValuesOf("timeZone").slice(0, 300);
      const formats = zones.map((timeZone) => new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "full", timeStyle: "long" }));
      const first = formats.map((f) => f.format(0));
      return [first, formats.map((f) => f.format(86400000)), first.length];
    `;
    expect(await inGuest(body)).toEqual(inNode(body));
  });

  it("is absent from a handler's globals until first touched, and then a real global", async () => {
    const result = await inGuest(`
      const before = Object.getOwnPropertyDescriptor(globalThis, "Intl");
      const f = new Intl.NumberFormat("en-US");
      const after = Object.getOwnPropertyDescriptor(globalThis, "Intl");
      return { lazy: typeof before.get, value: typeof after.value, same: f.format === f.format, bound: [1, 2].map(f.format) };
    `);
    expect(result).toEqual({ lazy: "function", value: "object", same: true, bound: ["1", "2"] });
  });
});
