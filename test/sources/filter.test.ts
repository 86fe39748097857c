import { describe, expect, it } from "vitest";
import { filterView, parsePatterns, patternMatches } from "../../src/sources/filter.js";

const record = filterView({
  body: JSON.stringify({ kind: "order", total: 42, region: "EU-west", tags: ["a", "b"], nested: { level: 3 } }),
  attributes: { ApproximateReceiveCount: "1" },
  messageAttributes: {},
});
const matches = (pattern: object) => patternMatches(parsePatterns([JSON.stringify(pattern)])[0] as Record<string, unknown>, record);

describe("FilterCriteria patterns on an SQS record", () => {
  it("exact values, nested fields and arrays in the event", () => {
    expect(matches({ body: { kind: ["order", "refund"] } })).toBe(true);
    expect(matches({ body: { kind: ["refund"] } })).toBe(false);
    expect(matches({ body: { nested: { level: [3] } } })).toBe(true);
    expect(matches({ body: { tags: ["b"] } })).toBe(true);
    expect(matches({ attributes: { ApproximateReceiveCount: ["1"] } })).toBe(true);
  });

  it("prefix and suffix, also ignoring case", () => {
    expect(matches({ body: { region: [{ prefix: "EU" }] } })).toBe(true);
    expect(matches({ body: { region: [{ prefix: "eu" }] } })).toBe(false);
    expect(matches({ body: { region: [{ prefix: { "equals-ignore-case": "eu" } }] } })).toBe(true);
    expect(matches({ body: { region: [{ suffix: "west" }] } })).toBe(true);
  });

  it("anything-but, with a value, a list or a prefix", () => {
    expect(matches({ body: { kind: [{ "anything-but": "refund" }] } })).toBe(true);
    expect(matches({ body: { kind: [{ "anything-but": ["order", "refund"] }] } })).toBe(false);
    expect(matches({ body: { kind: [{ "anything-but": { prefix: "ord" } }] } })).toBe(false);
  });

  it("numeric ranges", () => {
    expect(matches({ body: { total: [{ numeric: [">", 40, "<=", 42] }] } })).toBe(true);
    expect(matches({ body: { total: [{ numeric: ["<", 10] }] } })).toBe(false);
    expect(matches({ body: { total: [{ numeric: ["=", 42] }] } })).toBe(true);
  });

  it("exists, and equals-ignore-case", () => {
    expect(matches({ body: { kind: [{ exists: true }] } })).toBe(true);
    expect(matches({ body: { missing: [{ exists: false }] } })).toBe(true);
    expect(matches({ body: { missing: [{ exists: true }] } })).toBe(false);
    expect(matches({ body: { region: [{ "equals-ignore-case": "eu-WEST" }] } })).toBe(true);
  });

  it("$or of patterns", () => {
    expect(matches({ body: { $or: [{ kind: ["refund"] }, { total: [{ numeric: [">", 40] }] }] } })).toBe(true);
    expect(matches({ body: { $or: [{ kind: ["refund"] }, { total: [{ numeric: [">", 50] }] }] } })).toBe(false);
  });

  it("a plain-text body matches as a string, and malformed patterns are refused", () => {
    const text = filterView({ body: "hello world" });
    expect(patternMatches({ body: [{ prefix: "hello" }] }, text)).toBe(true);
    expect(() => parsePatterns(["{not json"])).toThrow(/not JSON/);
    expect(() => parsePatterns(['{"body":{"kind":[{"cidr":"10.0.0.0/8"}]}}'])).toThrow(/unsupported operator/);
    expect(() => parsePatterns(['{"body":"x"}'])).toThrow(/must be a list of matchers or an object/);
  });
});
