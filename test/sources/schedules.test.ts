import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRegistry } from "../../src/registry/index.js";
import { parseSchedule } from "../../src/sources/schedule-expression.js";
import { Scheduler } from "../../src/sources/scheduler.js";

const dir = mkdtempSync(path.join(tmpdir(), "isolambda-schedules-"));
const opened = openRegistry(dir);
afterAll(() => {
  opened.registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("schedule expressions", () => {
  it("reads EventBridge's rate and six-field cron forms, in UTC", () => {
    const at = new Date("2026-11-23T11:59:30Z");
    expect(parseSchedule("rate(5 minutes)").next(at)?.toISOString()).toBe("2026-11-23T12:04:30.000Z");
    expect(parseSchedule("rate(1 hour)").next(at)?.toISOString()).toBe("2026-11-23T12:59:30.000Z");
    expect(parseSchedule("cron(0 12 * * ? *)").next(at)?.toISOString()).toBe("2026-11-23T12:00:00.000Z");
    expect(parseSchedule("cron(0 12 * * ? *)").next(new Date("2026-11-23T12:00:00Z"))?.toISOString()).toBe("2026-11-24T12:00:00.000Z");
    // The last Friday of the month, and the first weekday: L, #, W as AWS reads them.
    expect(parseSchedule("cron(0 9 ? * 6L *)").next(at)?.toISOString()).toBe("2026-11-27T09:00:00.000Z");
    expect(parseSchedule("cron(0 9 ? * 2#1 *)").next(at)?.toISOString()).toBe("2026-12-07T09:00:00.000Z");
    expect(parseSchedule("cron(0 9 1W * ? *)").next(at)?.toISOString()).toBe("2026-12-01T09:00:00.000Z");
  });

  it("refuses what EventBridge refuses, saying why", () => {
    expect(() => parseSchedule("rate(1 minutes)")).toThrow(/rate\(1 minute\)/);
    expect(() => parseSchedule("rate(5 minute)")).toThrow(/rate\(N minutes\)/);
    expect(() => parseSchedule("cron(0 12 * * *)")).toThrow(/six fields/);
    expect(() => parseSchedule("cron(0 12 * * 1 *)")).toThrow(/must be \?/);
    expect(() => parseSchedule("every day")).toThrow(/rate\(value unit\) or cron\(six fields\)/);
  });
});

describe("the scheduler", () => {
  it("fires when due, once when it was missed while down (late, not doubled), and keeps unchanged schedules' times", () => {
    let now = Date.parse("2026-11-23T12:00:00Z");
    const fired: Array<{ fn: string; event: Record<string, unknown> }> = [];
    const make = () =>
      new Scheduler(opened.db, {
        region: "eu-west-1",
        accountId: "123456789012",
        now: () => now,
        fire: (fn, payload) => fired.push({ fn, event: JSON.parse(payload) as Record<string, unknown> }),
      });
    const scheduler = make();
    scheduler.replace("nightly", [{ name: "nightly-1", expression: "rate(5 minutes)" }]);
    scheduler.start();
    expect(fired).toHaveLength(0);
    expect(scheduler.list()[0]?.nextFire).toBe(Date.parse("2026-11-23T12:05:00Z"));
    scheduler.close();

    // Down for 17 minutes: three firings fell due; one happens, late, at start.
    now = Date.parse("2026-11-23T12:17:00Z");
    const restarted = make();
    restarted.replace("nightly", [{ name: "nightly-1", expression: "rate(5 minutes)" }]);
    restarted.start();
    expect(fired).toEqual([
      {
        fn: "nightly",
        event: {
          version: "0",
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          "detail-type": "Scheduled Event",
          source: "aws.events",
          account: "123456789012",
          time: "2026-11-23T12:05:00Z",
          region: "eu-west-1",
          resources: ["arn:aws:events:eu-west-1:123456789012:rule/nightly-1"],
          detail: {},
        },
      },
    ]);
    expect(restarted.list()[0]?.nextFire).toBe(Date.parse("2026-11-23T12:22:00Z"));
    restarted.start();
    expect(fired).toHaveLength(1);
    restarted.replace("nightly", [{ name: "nightly-1", expression: "rate(10 minutes)", input: { job: "x" } }]);
    expect(restarted.list()[0]?.nextFire).toBe(Date.parse("2026-11-23T12:27:00Z"));
    restarted.close();
  });
});
