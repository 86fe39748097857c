import { describe, expect, it } from "vitest";
import { ScalingBudget, ScalingThrottledError } from "../../src/pool/scaling.js";

describe("the scaling budget", () => {
  it("allows a burst of `environments`, refills continuously, and never banks beyond the burst", () => {
    let now = 0;
    const budget = new ScalingBudget({ environments: 10, seconds: 10 }, () => now);
    for (let i = 0; i < 10; i++) budget.take("f");
    expect(() => budget.take("f")).toThrow(ScalingThrottledError);
    // Other functions scale on their own budget.
    budget.take("g");
    // One environment per second comes back.
    now = 999;
    expect(() => budget.take("f")).toThrow(/faster than its scaling rate allows/);
    now = 1000;
    budget.take("f");
    expect(() => budget.take("f")).toThrow(ScalingThrottledError);
    // An hour idle refills to the burst size, not beyond.
    now = 3_600_000;
    for (let i = 0; i < 10; i++) budget.take("f");
    expect(() => budget.take("f")).toThrow(ScalingThrottledError);
  });

  it("starts a deleted function's name afresh", () => {
    const budget = new ScalingBudget({ environments: 2, seconds: 10 }, () => 0);
    budget.take("f");
    budget.take("f");
    expect(() => budget.take("f")).toThrow(ScalingThrottledError);
    budget.forget("f");
    budget.take("f");
    budget.take("f");
    expect(() => budget.take("f")).toThrow(ScalingThrottledError);
  });
});
