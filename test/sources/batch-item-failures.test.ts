import { describe, expect, it } from "vitest";
import { failedItems, withRestOfGroups } from "../../src/sources/poller.js";
import type { PolledMessage } from "../../src/sources/types.js";

const batch = ["a", "b", "c"].map((id) => ({ id }) as PolledMessage);

describe("a ReportBatchItemFailures answer, read as Lambda reads it", () => {
  it("names the messages that stay in the queue", () => {
    expect(failedItems(JSON.stringify({ batchItemFailures: [{ itemIdentifier: "b" }] }), batch)).toEqual(new Set(["b"]));
  });

  it("treats null, {}, and an empty or null list as all succeeded", () => {
    for (const answer of ["null", "{}", '{"batchItemFailures":[]}', '{"batchItemFailures":null}']) {
      expect(failedItems(answer, batch)).toEqual(new Set());
    }
  });

  it("fails the whole batch on a malformed answer: unknown or empty ids, wrong types, not JSON", () => {
    for (const answer of [
      '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}',
      '{"batchItemFailures":[{"itemIdentifier":""}]}',
      '{"batchItemFailures":[{}]}',
      '{"batchItemFailures":"b"}',
      '"b"',
      "not json",
    ]) {
      expect(failedItems(answer, batch)).toBeUndefined();
    }
  });
});

describe("a ReportBatchItemFailures answer on a FIFO queue", () => {
  const fifo = [
    ["a1", "A"],
    ["b1", "B"],
    ["a2", "A"],
    ["a3", "A"],
    ["b2", "B"],
  ].map(([id, groupId]) => ({ id, groupId }) as PolledMessage);

  it("also keeps the messages of a group after its first failure, and only of that group", () => {
    expect(withRestOfGroups(new Set(["a2"]), fifo)).toEqual(new Set(["a2", "a3"]));
    expect(withRestOfGroups(new Set(["a1", "b2"]), fifo)).toEqual(new Set(["a1", "a2", "a3", "b2"]));
    expect(withRestOfGroups(new Set(), fifo)).toEqual(new Set());
  });
});
